package dev.hangar.core.domain;

/**
 * A write conflicts with stored data (HTTP 409): a duplicate workspace name for the owner, a key
 * already registered, or an optimistic-concurrency version mismatch.
 */
public class ConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String field;

    /**
     * @param field the field that conflicts (e.g. {@code name}); empty when none
     */
    public ConflictException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** @return the problem kind of the HTTP answer: {@code conflict}, or a subclass's more precise one */
    public String kind() {
        return "conflict";
    }

    /** @return the conflicting field; empty when none */
    public String field() {
        return field;
    }
}
