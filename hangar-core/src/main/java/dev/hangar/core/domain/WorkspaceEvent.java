package dev.hangar.core.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of a workspace's event log: who did what, when.
 *
 * @param seq store-assigned, increasing per store; 0 before it is stored
 * @param workspaceId the workspace's id
 * @param at when it happened
 * @param actor a user name, or {@code system} for the reconciler and providers
 * @param type lower-kebab kind, e.g. {@code created}, {@code phase}, {@code error}, {@code
 *     accelerator}, {@code ssh-connection}
 * @param message one human-readable line; never a secret
 * @param count how many times it happened in a row, at least 1: the store folds an event identical
 *     (actor, type, message) to the workspace's newest event into that one ({@code at} stays the
 *     first time)
 */
public record WorkspaceEvent(
        long seq, String workspaceId, Instant at, String actor, String type, String message, int count) {
    /** The actor name used for changes made by the control plane itself. */
    public static final String SYSTEM = "system";

    public WorkspaceEvent {
        Objects.requireNonNull(workspaceId, "workspaceId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
        if (count < 1) throw new IllegalArgumentException("count must be at least 1, got " + count);
    }

    /** An event that happened once. */
    public WorkspaceEvent(long seq, String workspaceId, Instant at, String actor, String type, String message) {
        this(seq, workspaceId, at, actor, type, message, 1);
    }

    /** @return whether {@code other} repeats this event (same workspace, actor, type and message) */
    public boolean repeats(WorkspaceEvent other) {
        return workspaceId.equals(other.workspaceId)
                && actor.equals(other.actor)
                && type.equals(other.type)
                && message.equals(other.message);
    }

    /** @return a copy with another count */
    public WorkspaceEvent withCount(int n) {
        return new WorkspaceEvent(seq, workspaceId, at, actor, type, message, n);
    }
}
