package dev.hangar.core.store;

import dev.hangar.core.domain.ResetGenerations;

/**
 * Reset generations per workspace (table {@code workspace_resets}, migration V13): what {@code
 * hangar reset} asked for and what the reconciler has done. A row goes with its workspace.
 * Thread-safe.
 */
public interface ResetStore {

    /** @return the workspace's generations; {@link ResetGenerations#none} when it was never reset */
    ResetGenerations find(String workspaceId);

    /**
     * Asks for one more reset: increments the requested generation (creating the row at 1).
     *
     * @return the generations after the increment
     * @throws StoreException when the workspace does not exist (or the database fails)
     */
    ResetGenerations request(String workspaceId);

    /**
     * Records that every reset up to {@code generation} was carried out. Only raises {@code done},
     * never past {@code requested}: a stale or repeated call changes nothing. Idempotent.
     *
     * @return the generations after the call
     */
    ResetGenerations complete(String workspaceId, long generation);
}
