package dev.hangar.server;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The flat, dotted server config values ({@code reconciler.poll-interval -> 1s}) after file,
 * environment and flags were merged, with typed readers. Each reader returns its fallback when the
 * key is absent and throws {@link ConfigException} naming the key and what it must be when the
 * value is malformed. Immutable and thread-safe.
 *
 * @param values the merged values by dotted key
 */
record ConfigValues(Map<String, String> values) {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    ConfigValues {
        values = Map.copyOf(values);
    }

    /** @return whether {@code key} was set (to any value, also empty) */
    boolean has(String key) {
        return values.containsKey(key);
    }

    /** @return the value of {@code key} as written, or {@code fallback} */
    String string(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    /**
     * @return the value of {@code key} as an integer in {@code min..max}, or {@code fallback}
     * @throws ConfigException when it is not an integer or outside the range
     */
    int integer(String key, int min, int max, int fallback) {
        String v = values.get(key);
        if (v == null) return fallback;
        try {
            int i = Integer.parseInt(v.strip());
            if (i < min || i > max) throw new ConfigException(key + " must be " + min + ".." + max + ", got " + i);
            return i;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be an integer, got '" + v + "'");
        }
    }

    /**
     * @return {@code true} or {@code false} as written (surrounding blanks ignored), or {@code
     *     fallback}
     * @throws ConfigException for any other value
     */
    boolean bool(String key, boolean fallback) {
        String v = values.get(key);
        if (v == null) return fallback;
        return switch (v.strip()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(key + " must be true or false, got '" + v + "'");
        };
    }

    /**
     * A positive duration: {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}, {@code 90d} or
     * ISO-8601 ({@code PT2S}, {@link Duration#parse}).
     *
     * @return the duration of {@code key}, or {@code fallback}
     * @throws ConfigException when it is malformed, zero or negative
     */
    Duration duration(String key, Duration fallback) {
        String v = values.get(key);
        if (v == null) return fallback;
        Matcher m = DURATION.matcher(v.strip().toLowerCase(Locale.ROOT));
        Duration d;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                d = Duration.parse(v.strip());
            } catch (DateTimeParseException e) {
                throw new ConfigException(
                        key + " must be a duration such as 500ms, 2s, 5m, 1h, 90d or PT2S, got '" + v + "'");
            }
        }
        if (d.isNegative() || d.isZero()) throw new ConfigException(key + " must be positive, got '" + v + "'");
        return d;
    }

    /**
     * Like {@link #duration}, but an empty value or {@code off} is {@link Duration#ZERO} (off).
     *
     * @throws ConfigException as {@link #duration} does
     */
    Duration durationOrOff(String key, Duration fallback) {
        String v = values.get(key);
        if (v == null) return fallback;
        if (v.isBlank() || v.strip().equalsIgnoreCase("off")) return Duration.ZERO;
        return duration(key, fallback);
    }
}
