package dev.hangar.core.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * A person who owns workspaces.
 *
 * @param name unique DNS-1123 label; also the default login user inside workspaces
 * @param role what the user may do
 * @param disabled a disabled user's tokens and gateway logins are refused; their data stays
 * @param createdAt when the user was created
 */
public record User(String name, Role role, boolean disabled, Instant createdAt) {
    public User {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** An enabled user that is an admin or a member. */
    public User(String name, boolean admin, Instant createdAt) {
        this(name, admin ? Role.ADMIN : Role.MEMBER, false, createdAt);
    }

    /** @return true for admins, who see and act on every workspace and manage users */
    public boolean admin() {
        return role == Role.ADMIN;
    }

    /** @return true when the user may read every workspace (admins and auditors) */
    public boolean readsAll() {
        return role.readsAll();
    }

    /** @return a copy with another role */
    public User withRole(Role r) {
        return new User(name, r, disabled, createdAt);
    }

    /** @return a copy enabled or disabled */
    public User withDisabled(boolean d) {
        return new User(name, role, d, createdAt);
    }
}
