package dev.hangar.testfixtures;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * Property tests as seeded JUnit dynamic tests: explicit edge cases first, then {@code count} values
 * drawn from a generator fed by a {@link SplittableRandom} with one seed. Return the stream from a
 * {@code @TestFactory} method.
 *
 * <p>The seed is fresh per property unless the system property {@value #SEED_PROPERTY} is set; a
 * failing case's message names the property, the case number, the seed and the input, so {@code
 * ./mvnw ... test -Dtest=NamesTest -Dhangar.test.seed=SEED} replays exactly the same cases. Values are
 * generated up front (deterministic for a seed); the checks run as separate dynamic tests. Stateless
 * and thread-safe.
 */
public final class SeededCases {
    /** System property that fixes the seed of every property in the run (a decimal long). */
    public static final String SEED_PROPERTY = "hangar.test.seed";

    private static final int MAX_SHOWN = 300;

    private SeededCases() {}

    /**
     * @return the seed from {@value #SEED_PROPERTY}, or a random one when it is unset
     * @throws NumberFormatException when the property is set but not a long
     */
    public static long seed() {
        String fixed = System.getProperty(SEED_PROPERTY, "").strip();
        return fixed.isEmpty() ? ThreadLocalRandom.current().nextLong() : Long.parseLong(fixed);
    }

    /**
     * The dynamic tests of one property.
     *
     * @param property a name for messages ("every generated label is accepted")
     * @param count how many generated cases, after the edge cases (at least 0)
     * @param edgeCases inputs always checked first
     * @param generator draws one input from the random source it is given (must use only that source)
     * @param check the property; throws (an AssertionError) when it does not hold
     * @return edge cases then generated cases, each a dynamic test that rethrows a failure as an
     *     AssertionError naming the seed, the case and the input (the original failure as its cause)
     */
    public static <T> Stream<DynamicTest> of(
            String property,
            int count,
            List<T> edgeCases,
            Function<SplittableRandom, T> generator,
            ThrowingConsumer<? super T> check) {
        return of(property, seed(), count, edgeCases, generator, check);
    }

    /** {@link #of(String, int, List, Function, ThrowingConsumer)} with an explicit seed. */
    public static <T> Stream<DynamicTest> of(
            String property,
            long seed,
            int count,
            List<T> edgeCases,
            Function<SplittableRandom, T> generator,
            ThrowingConsumer<? super T> check) {
        if (count < 0) throw new IllegalArgumentException("count must be >= 0: " + count);
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < edgeCases.size(); i++) {
            tests.add(
                    test(property, "edge case " + (i + 1) + " of " + edgeCases.size(), seed, edgeCases.get(i), check));
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            T value = generator.apply(random.split());
            tests.add(test(property, "case " + (i + 1) + " of " + count, seed, value, check));
        }
        return tests.stream();
    }

    private static <T> DynamicTest test(
            String property, String label, long seed, T value, ThrowingConsumer<? super T> check) {
        String input = show(value);
        return DynamicTest.dynamicTest(label + ": " + input, () -> {
            try {
                check.accept(value);
            } catch (Throwable t) {
                throw new AssertionError(
                        "property \"" + property + "\" failed at " + label + " (seed " + seed + "; replay with -D"
                                + SEED_PROPERTY + "=" + seed + ") for input " + input + ": " + t.getMessage(),
                        t);
            }
        });
    }

    /** @return {@code value} for a message: strings quoted with non-printable characters escaped, cut at 300 */
    static String show(Object value) {
        String text;
        if (value instanceof String s) {
            StringBuilder b = new StringBuilder("\"");
            s.codePoints().forEach(c -> {
                if (c == '"' || c == '\\') b.append('\\').appendCodePoint(c);
                else if (c >= 0x20 && c < 0x7f) b.appendCodePoint(c);
                else b.append(c <= 0xffff ? String.format("\\u%04x", c) : String.format("\\U%06x", c));
            });
            text = b.append('"').toString();
        } else {
            text = String.valueOf(value);
        }
        return text.length() <= MAX_SHOWN ? text : text.substring(0, MAX_SHOWN) + "...(" + text.length() + " chars)";
    }
}
