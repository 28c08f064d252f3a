package dev.hangar.core.store;

import dev.hangar.core.autostop.WorkspaceActivity;
import java.util.Optional;

/**
 * Idle-tracking state per workspace (last activity, lease, warning given, auto-stop override). A
 * row goes with its workspace. Thread-safe.
 */
public interface ActivityStore {

    /** @return the workspace's activity row, if it has one */
    Optional<WorkspaceActivity> find(String workspaceId);

    /**
     * Inserts or replaces the workspace's row. Idempotent.
     *
     * @throws StoreException when the workspace does not exist (or the database fails)
     */
    void save(WorkspaceActivity activity);
}
