package dev.hangar.core.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * A bearer API token as stored: only a hash of its secret is kept.
 *
 * <p>The token a client sends is {@code hgr_<id>_<secret>}; {@code id} finds the row and the
 * SHA-256 of {@code secret} must equal {@link #secretHash()}. The secret is 32 random bytes, so a
 * fast hash suffices (as GitHub and Coder do for API tokens); slow password hashes are for
 * low-entropy secrets.
 *
 * @param id public token id, 16 lower-case hex characters
 * @param owner the user the token acts as
 * @param secretHash lower-case hex SHA-256 of the secret
 * @param description what the token is for, e.g. {@code cli}
 * @param createdAt when it was issued
 */
public record ApiToken(String id, String owner, String secretHash, String description, Instant createdAt) {
    public ApiToken {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(secretHash, "secretHash");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
