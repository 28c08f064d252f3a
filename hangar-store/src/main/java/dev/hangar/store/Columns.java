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

    /**
     * @return {@code devices} as one column value: {@code name=count} entries joined by {@code ,}
     *     (device names hold neither character), {@code ""} for none
     */
    static String devices(java.util.List<dev.hangar.provider.spi.DeviceRequest> devices) {
        return String.join(
                ",",
                devices.stream()
                        .map(dev.hangar.provider.spi.DeviceRequest::toString)
                        .toList());
    }

    /**
     * @return the devices of a column value written by {@link #devices(java.util.List)}
     * @throws IllegalArgumentException when the value is not in that form
     */
    static java.util.List<dev.hangar.provider.spi.DeviceRequest> devices(String column) {
        if (column.isEmpty()) return java.util.List.of();
        return java.util.Arrays.stream(column.split(","))
                .map(e -> {
                    int eq = e.lastIndexOf('=');
                    if (eq < 0) throw new IllegalArgumentException("stored device '" + e + "' has no '='");
                    return new dev.hangar.provider.spi.DeviceRequest(
                            e.substring(0, eq), Integer.parseInt(e.substring(eq + 1)));
                })
                .toList();
    }
}
