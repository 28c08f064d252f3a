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
 */
public record WorkspaceEvent(long seq, String workspaceId, Instant at, String actor, String type, String message) {
    /** The actor name used for changes made by the control plane itself. */
    public static final String SYSTEM = "system";

    public WorkspaceEvent {
        Objects.requireNonNull(workspaceId, "workspaceId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
    }
}
