package dev.hangar.core.quota;

import dev.hangar.core.domain.ConflictException;

/**
 * A create or start would take the owner past a quota (HTTP 409, problem kind {@code
 * quota-exceeded}): the request is well-formed, it conflicts with what the owner already uses and
 * succeeds once they stop or delete something or an admin raises the limit. The field names the
 * limit ({@code running}, {@code cpus}, {@code devices.<device name>}, {@code memoryMiB}, {@code diskGiB}); the message names the
 * limit, the current use and where the limit comes from.
 */
public final class QuotaExceededException extends ConflictException {
    private static final long serialVersionUID = 1L;

    public QuotaExceededException(String field, String message) {
        super(field, message);
    }

    @Override
    public String kind() {
        return "quota-exceeded";
    }
}
