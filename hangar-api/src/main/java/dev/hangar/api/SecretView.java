package dev.hangar.api;

import java.time.Instant;

/**
 * One of the caller's secrets as listed: never its value (issue #15, item 7).
 *
 * @param name the secret's name; it is mounted read-only at {@code /var/secrets/<name>} in the
 *     owner's workspaces on their next start
 * @param size the value's size in bytes
 * @param updatedAt when it was last set
 */
public record SecretView(String name, long size, Instant updatedAt) {}
