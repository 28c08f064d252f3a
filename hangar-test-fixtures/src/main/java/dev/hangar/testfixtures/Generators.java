package dev.hangar.testfixtures;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Small input generators for {@link SeededCases}: every method draws only from the random source it is
 * given, so a seed reproduces the value. Stateless and thread-safe.
 */
public final class Generators {
    /** Lower-case letters and digits. */
    public static final String LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

    private static final String INTERESTING = "-_. /\\:@\"'\t\n\r\u0000\u00e9\u00df\u0130\u212a\u2028\ufeffAZaz09";

    private Generators() {}

    /** @return a string of {@code min..max} characters (inclusive) drawn uniformly from {@code alphabet} */
    public static String string(SplittableRandom r, String alphabet, int min, int max) {
        int length = r.nextInt(min, max + 1);
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        return b.toString();
    }

    /** @return a string of {@code min..max} characters in the code range {@code from..to} (inclusive) */
    public static String string(SplittableRandom r, char from, char to, int min, int max) {
        int length = r.nextInt(min, max + 1);
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) b.append((char) r.nextInt(from, to + 1));
        return b.toString();
    }

    /**
     * Any string of at most {@code maxLength} chars: each character is printable ASCII, a character
     * that breaks naive parsers (controls, NUL, separators, case-folding traps), any BMP character
     * (lone surrogates included), or a supplementary code point; the mix differs per string, and
     * empty strings come up often.
     */
    public static String anyString(SplittableRandom r, int maxLength) {
        int length = r.nextInt(8) == 0 ? 0 : r.nextInt(0, maxLength + 1);
        int asciiWeight = r.nextInt(1, 10);
        StringBuilder b = new StringBuilder(length);
        while (b.length() < length) {
            int kind = r.nextInt(asciiWeight + 3);
            if (kind < asciiWeight) {
                b.append((char) r.nextInt(0x20, 0x7f));
            } else if (kind == asciiWeight) {
                b.append(INTERESTING.charAt(r.nextInt(INTERESTING.length())));
            } else if (kind == asciiWeight + 1 || b.length() + 2 > length) {
                b.append((char) r.nextInt(0, 0x10000));
            } else {
                b.appendCodePoint(r.nextInt(0x10000, Character.MAX_CODE_POINT + 1));
            }
        }
        return b.toString();
    }

    /** @return one of {@code values}, uniformly */
    public static <T> T oneOf(SplittableRandom r, List<T> values) {
        return values.get(r.nextInt(values.size()));
    }

    /** @return a list of {@code 0..maxSize} elements, each drawn by {@code element} */
    public static <T> List<T> listOf(SplittableRandom r, int maxSize, Function<SplittableRandom, T> element) {
        int size = r.nextInt(0, maxSize + 1);
        java.util.ArrayList<T> list = new java.util.ArrayList<>(size);
        for (int i = 0; i < size; i++) list.add(element.apply(r));
        return java.util.Collections.unmodifiableList(list);
    }
}
