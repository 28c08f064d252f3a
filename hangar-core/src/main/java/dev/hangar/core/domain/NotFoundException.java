package dev.hangar.core.domain;

/** A workspace, template, user or key does not exist, or is not visible to the caller (HTTP 404). */
public class NotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }
}
