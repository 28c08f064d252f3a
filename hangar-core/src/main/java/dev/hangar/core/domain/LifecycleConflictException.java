package dev.hangar.core.domain;

/** A user action does not fit the workspace's current state (HTTP 409). */
public class LifecycleConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LifecycleConflictException(String message) {
        super(message);
    }
}
