package dev.hangar.core.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * A person who owns workspaces.
 *
 * @param name unique DNS-1123 label; also the default login user inside workspaces
 * @param admin admins see and act on every workspace
 * @param createdAt when the user was created
 */
public record User(String name, boolean admin, Instant createdAt) {
    public User {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
