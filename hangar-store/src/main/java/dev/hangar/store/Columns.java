package dev.hangar.store;

import dev.hangar.core.domain.ValidationException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Conversions between domain values and column values that both dialects store the same way.
 *
 * <p>Instants are stored as epoch milliseconds (UTC); anything finer is truncated on write (towards
 * the past, as {@link Instant#truncatedTo} does), so a stored value always reads back equal.
 */
final class Columns {
    private Columns() {}

    /** @return {@code at} as epoch milliseconds, sub-millisecond part dropped */
    static long millis(String field, Instant at) {
        try {
            return at.truncatedTo(ChronoUnit.MILLIS).toEpochMilli();
        } catch (ArithmeticException e) {
            throw new ValidationException(
                    field, field + " " + at + " is outside the storable range of epoch milliseconds");
        }
    }

    /** @return {@code at} as it reads back from the store */
    static Instant stored(String field, Instant at) {
        return Instant.ofEpochMilli(millis(field, at));
    }

    /**
     * @return {@code value} unchanged
     * @throws ValidationException when it contains U+0000, which PostgreSQL text cannot hold (so
     *     SQLite refuses it too, and both databases behave alike)
     */
    static String text(String field, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new ValidationException(
                    field, field + " contains a NUL character (U+0000), which cannot be stored; remove it");
        }
        return value;
    }
}
