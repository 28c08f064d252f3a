package dev.hangar.core.autostop;

import dev.hangar.core.domain.ValidationException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An idle auto-stop setting: off, or how long a running workspace may be idle before the control
 * plane stops it (template key {@code autostop}, create option {@code --autostop}). Immutable.
 *
 * @param idle the idle time before the stop; {@link Duration#ZERO} means off
 */
public record Autostop(Duration idle) {
    /** Auto-stop off: the workspace runs until someone stops it. */
    public static final Autostop OFF = new Autostop(Duration.ZERO);

    /** The shortest accepted idle time: a shorter one would stop a workspace between two keystrokes. */
    public static final Duration MIN = Duration.ofMinutes(1);

    /** The reason recorded on a workspace stopped for being idle. */
    public static final String REASON = "autostop";

    private static final Pattern SIMPLE = Pattern.compile("(\\d{1,9})(s|m|h|d)");

    public Autostop {
        Objects.requireNonNull(idle, "idle");
        if (idle.isNegative()) throw new IllegalArgumentException("idle must not be negative: " + idle);
    }

    /** @return whether auto-stop is on */
    public boolean enabled() {
        return !idle.isZero();
    }

    /**
     * Parses {@code off} (also {@code false}, {@code 0}) or a duration: {@code 90s}, {@code 30m},
     * {@code 2h}, {@code 1d} or ISO-8601 ({@code PT2H}). Pure.
     *
     * @param field the field named in the error, e.g. {@code autostop}
     * @throws ValidationException naming {@code field} for anything else, or a duration under
     *     {@link #MIN}
     */
    public static Autostop parse(String field, String text) {
        String s = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (s.equals("off") || s.equals("false") || s.equals("0")) return OFF;
        Duration d = duration(s)
                .orElseThrow(() -> new ValidationException(
                        field, field + " must be 'off' or a duration such as 30m, 2h or 1d, got '" + text + "'"));
        if (d.compareTo(MIN) < 0)
            throw new ValidationException(field, field + " must be at least 1m (or 'off'), got '" + text + "'");
        return new Autostop(d);
    }

    /**
     * Parses a positive duration in the same forms as {@link #parse} ({@code 90s}, {@code 30m},
     * {@code 3h}, {@code 1d}, ISO-8601). Pure.
     *
     * @return the duration; empty when {@code text} is none of those forms or not positive
     */
    public static java.util.Optional<Duration> duration(String text) {
        String s = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE.matcher(s);
        Duration d;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                d = Duration.parse(s.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                return java.util.Optional.empty();
            }
        }
        return d.isNegative() || d.isZero() ? java.util.Optional.empty() : java.util.Optional.of(d);
    }

    /** @return {@code off}, or the idle time in the largest whole unit, e.g. {@code 2h}, {@code 90m} */
    public String wire() {
        return enabled() ? format(idle) : "off";
    }

    /** @return {@code d} in the largest whole unit of d, h, m, s, e.g. {@code 2h}, {@code 90m} */
    public static String format(Duration d) {
        long s = d.toSeconds();
        if (s % 86_400 == 0 && s > 0) return s / 86_400 + "d";
        if (s % 3600 == 0 && s > 0) return s / 3600 + "h";
        if (s % 60 == 0 && s > 0) return s / 60 + "m";
        return s + "s";
    }

    @Override
    public String toString() {
        return wire();
    }
}
