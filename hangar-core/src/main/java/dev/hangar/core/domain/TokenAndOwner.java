package dev.hangar.core.domain;

import java.util.Objects;

/**
 * An API token with its owner's row as they were read together, in one statement
 * ({@link dev.hangar.core.store.UserStore#findTokenWithOwner}): what authentication needs to decide
 * (secret hash, expiry, and whether the user is enabled and in which role).
 *
 * @param token the stored token
 * @param owner the user named by {@code token.owner()}
 */
public record TokenAndOwner(ApiToken token, User owner) {
    public TokenAndOwner {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(owner, "owner");
        if (!token.owner().equals(owner.name()))
            throw new IllegalArgumentException(
                    "token " + token.id() + " belongs to " + token.owner() + ", not " + owner.name());
    }
}
