package dev.hangar.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses short durations as people write them: {@code 500ms}, {@code 30s}, {@code 10m}, {@code
 * 1h}, {@code 7d}; a plain number is seconds. Pure and thread-safe.
 */
final class Durations {
    private static final Pattern DURATION = Pattern.compile("\\s*(\\d{1,9})\\s*(ms|s|m|h|d)?\\s*");

    private Durations() {}

    /**
     * @param what the setting's name, for the message
     * @throws IllegalArgumentException naming {@code what} and showing valid examples
     */
    static Duration parse(String text, String what) {
        Matcher m = DURATION.matcher(text.toLowerCase(Locale.ROOT));
        long n = m.matches() ? Long.parseLong(m.group(1)) : 0;
        if (n <= 0) {
            throw new IllegalArgumentException(
                    what + " '" + text.strip() + "' is not a positive duration; write e.g. 30s, 500ms, 10m or 1h");
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /** picocli converter for duration options. */
    static final class Converter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parse(value, "duration");
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
