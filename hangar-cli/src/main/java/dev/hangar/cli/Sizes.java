package dev.hangar.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses and prints workspace sizes. Memory is carried in MiB and disk in GiB, as in the API. A
 * plain number is in that unit; otherwise a binary unit follows the number: {@code MiB}, {@code
 * GiB}, {@code TiB} (or Kubernetes' {@code Mi}, {@code Gi}, {@code Ti}), case-insensitive.
 * Decimal units (MB, GB) are refused because they are ambiguous. Pure and thread-safe.
 */
final class Sizes {
    private static final Pattern SIZE = Pattern.compile("\\s*([0-9]+)\\s*([A-Za-z]*)\\s*");
    private static final Pattern DECIMAL = Pattern.compile("\\s*[0-9]*[.,][0-9]+\\s*[A-Za-z]*\\s*");

    private Sizes() {}

    /**
     * @param text e.g. {@code 4096}, {@code 4GiB}, {@code 512MiB}
     * @return MiB
     * @throws IllegalArgumentException saying what a valid value looks like
     */
    static int memoryMiB(String text) {
        long mib = mib(text, "memory", 1);
        return toInt(mib, text, "memory");
    }

    /**
     * @param text e.g. {@code 16}, {@code 16GiB}, {@code 1TiB}
     * @return GiB
     * @throws IllegalArgumentException saying what a valid value looks like, also when the value is
     *     not a whole number of GiB
     */
    static int diskGiB(String text) {
        long mib = mib(text, "disk", 1024);
        if (mib % 1024 != 0) {
            throw new IllegalArgumentException(
                    "disk '" + text.strip() + "' is not a whole number of GiB; write e.g. 16 or 16GiB");
        }
        return toInt(mib / 1024, text, "disk");
    }

    /** @return e.g. {@code 4GiB} for 4096, {@code 1536MiB} for 1536 */
    static String formatMiB(long mib) {
        if (mib > 0 && mib % (1024L * 1024) == 0) return mib / (1024L * 1024) + "TiB";
        if (mib > 0 && mib % 1024 == 0) return mib / 1024 + "GiB";
        return mib + "MiB";
    }

    /** @return e.g. {@code 16GiB} */
    static String formatGiB(long gib) {
        return formatMiB(gib * 1024);
    }

    private static long mib(String text, String what, long plainUnitMiB) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            if (DECIMAL.matcher(text).matches()) {
                throw new IllegalArgumentException(what + " '" + text.strip()
                        + "' must be a whole number; write a smaller unit instead, e.g. 1536MiB for 1.5GiB");
            }
            throw new IllegalArgumentException(
                    what + " '" + text.strip() + "' is not a size; write e.g. " + example(what));
        }
        String digits = m.group(1);
        if (digits.length() > 10) throw tooLarge(text, what);
        long n = Long.parseLong(digits);
        if (n <= 0) throw new IllegalArgumentException(what + " must be positive; write e.g. " + example(what));
        long unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "" -> plainUnitMiB;
            case "mib", "mi" -> 1;
            case "gib", "gi" -> 1024;
            case "tib", "ti" -> 1024 * 1024;
            case "m", "mb", "g", "gb", "t", "tb", "k", "kb", "kib", "ki" ->
                throw new IllegalArgumentException(what + " '" + text.strip() + "': unit '" + m.group(2)
                        + "' is not accepted; use MiB or GiB (powers of 1024), e.g. " + example(what));
            default ->
                throw new IllegalArgumentException(what + " '" + text.strip() + "': unknown unit '" + m.group(2)
                        + "'; use MiB or GiB, e.g. " + example(what));
        };
        return Math.multiplyExact(n, unit);
    }

    private static int toInt(long v, String text, String what) {
        if (v > Integer.MAX_VALUE) throw tooLarge(text, what);
        return (int) v;
    }

    private static IllegalArgumentException tooLarge(String text, String what) {
        return new IllegalArgumentException(what + " '" + text.strip() + "' is too large");
    }

    private static String example(String what) {
        return what.equals("disk") ? "16 (GiB) or 16GiB" : "4096 (MiB) or 4GiB";
    }

    /** picocli converter for {@code --memory}: MiB. */
    static final class MemoryConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return memoryMiB(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** picocli converter for {@code --disk}: GiB. */
    static final class DiskConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return diskGiB(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
