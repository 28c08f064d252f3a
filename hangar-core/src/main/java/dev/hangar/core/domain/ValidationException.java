package dev.hangar.core.domain;

import java.util.Objects;

/**
 * Input was invalid. Carries the offending field (a JSON-pointer-like dotted path such as {@code
 * name} or {@code resources.memoryMiB}) so the API can name it in its RFC 9457 problem body.
 * Maps to HTTP 422 (or 400 for syntax).
 */
public class ValidationException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String field;

    /**
     * @param field the offending field's path; empty when the whole input is at fault
     * @param message what is wrong and how to fix it
     */
    public ValidationException(String field, String message) {
        super(message);
        this.field = Objects.requireNonNull(field, "field");
    }

    /** @return the offending field's path; empty when the whole input is at fault */
    public String field() {
        return field;
    }
}
