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
 * @param count how many times it happened in a row (identical consecutive events are folded into
 *     one; {@code at} is the first time); at least 1 from servers that fold, 0 from older ones
 */
public record EventView(long seq, Instant at, String actor, String type, String message, int count) {
    /** An event that happened once. */
    public EventView(long seq, Instant at, String actor, String type, String message) {
        this(seq, at, actor, type, message, 1);
    }
}
