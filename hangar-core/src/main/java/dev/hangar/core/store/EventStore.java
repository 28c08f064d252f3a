package dev.hangar.core.store;

import dev.hangar.core.domain.WorkspaceEvent;
import java.util.List;

/** Per-workspace event log. Append-only except that deleting a workspace removes its events. Thread-safe. */
public interface EventStore {

    /** @return the stored event, with its {@code seq} assigned */
    WorkspaceEvent append(WorkspaceEvent event);

    /**
     * @param limit at most this many, the newest ones
     * @return events of the workspace in the order they happened (oldest first)
     */
    List<WorkspaceEvent> list(String workspaceId, int limit);
}
