package dev.hangar.api;

import java.time.Instant;

/**
 * A user.
 *
 * @param name user name (DNS-1123 label)
 * @param admin whether the user administers the server (role {@code admin})
 * @param role {@code member}, {@code admin} or {@code auditor}
 * @param disabled a disabled user's tokens and gateway logins are refused
 * @param createdAt creation time
 */
public record UserView(String name, boolean admin, String role, boolean disabled, Instant createdAt) {}
