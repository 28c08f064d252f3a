package dev.hangar.core.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * An SSH public key registered by a user; the gateway accepts it and workspaces authorise it.
 *
 * @param owner the user's name
 * @param key the parsed, validated key; its fingerprint is unique across all users
 * @param addedAt when it was registered
 */
public record UserSshKey(String owner, SshPublicKey key, Instant addedAt) {
    public UserSshKey {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(addedAt, "addedAt");
    }
}
