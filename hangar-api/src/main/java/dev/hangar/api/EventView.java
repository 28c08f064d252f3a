package dev.hangar.api;

import java.time.Instant;

/**
 * One workspace event.
 *
 * @param seq increasing sequence number
 * @param at when (ISO-8601)
 * @param actor user name, or {@code system}
 * @param type lower-kebab kind, e.g. {@code created}, {@code phase}, {@code error}, {@code timing}
 * @param message one human-readable line
 */
public record EventView(long seq, Instant at, String actor, String type, String message) {}
