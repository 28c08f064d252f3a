package dev.hangar.core.secret;

import dev.hangar.core.domain.ConflictException;

/** A new secret would take its owner past the per-user count limit (HTTP 409, kind {@code secret-limit}). */
public final class SecretLimitException extends ConflictException {
    private static final long serialVersionUID = 1L;

    /** @param message names the limit and the current count */
    public SecretLimitException(String message) {
        super("name", message);
    }

    @Override
    public String kind() {
        return "secret-limit";
    }
}
