package dev.hangar.core.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

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
 * @param name what the token is for, e.g. {@code ci}; a DNS-1123 label unique per owner
 * @param createdAt when it was issued
 * @param expiresAt when it stops working; empty for never
 * @param lastUsedAt when it last authenticated a request (updated at most once a minute); empty
 *     when never used
 */
public record ApiToken(
        String id,
        String owner,
        String secretHash,
        String name,
        Instant createdAt,
        Optional<Instant> expiresAt,
        Optional<Instant> lastUsedAt) {
    public ApiToken {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(secretHash, "secretHash");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(lastUsedAt, "lastUsedAt");
    }

    /** A token that never expires and was never used. */
    public ApiToken(String id, String owner, String secretHash, String name, Instant createdAt) {
        this(id, owner, secretHash, name, createdAt, Optional.empty(), Optional.empty());
    }

    /** @return true when the token has an expiry at or before {@code now} */
    public boolean expiredAt(Instant now) {
        return expiresAt.map(e -> !now.isBefore(e)).orElse(false);
    }

    @Override
    public String toString() {
        return "ApiToken[id=" + id + ", owner=" + owner + ", name=" + name + ", secretHash=<redacted>]";
    }
}
