package dev.hangar.core.store;

import dev.hangar.core.autostop.Autostop;
import dev.hangar.core.autostop.WorkspaceActivity;
import java.util.Map;
import java.util.Optional;

/**
 * Idle-tracking state per workspace (last activity, lease, warning given, auto-stop override), and
 * each user's own auto-stop default. A workspace's row goes with its workspace, a user's default
 * with its user. Thread-safe.
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

    /** @return the user's own auto-stop default, if they set one */
    Optional<Autostop> userDefault(String user);

    /** @return every user's auto-stop default, by user name (one read for a whole sweep) */
    Map<String, Autostop> userDefaults();

    /**
     * Sets ({@code autostop} present) or clears (empty: the template's setting applies again) the
     * user's auto-stop default. Idempotent.
     *
     * @throws dev.hangar.core.domain.NotFoundException when the user does not exist
     */
    void setUserDefault(String user, Optional<Autostop> autostop);
}
