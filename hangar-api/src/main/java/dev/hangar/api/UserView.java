package dev.hangar.api;

import java.time.Instant;

/**
 * A user.
 *
 * @param name user name (DNS-1123 label)
 * @param admin whether the user administers the server
 * @param createdAt creation time
 */
public record UserView(String name, boolean admin, Instant createdAt) {}
