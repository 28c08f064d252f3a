package dev.hangar.api;

import java.time.Instant;

/**
 * An API token as listed: never its secret or its hash.
 *
 * @param name unique among the owner's tokens
 * @param createdAt when it was created
 * @param expiresAt when it stops working; null for never
 * @param lastUsedAt when it last authenticated a request (to the minute); null for never
 */
public record TokenView(String name, Instant createdAt, Instant expiresAt, Instant lastUsedAt) {}
