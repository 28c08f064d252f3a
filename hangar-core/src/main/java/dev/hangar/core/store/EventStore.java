package dev.hangar.core.store;

import dev.hangar.core.domain.WorkspaceEvent;
import java.util.List;

/** Per-workspace event log. Append-only except that deleting a workspace removes its events. Thread-safe. */
public interface EventStore {

    /**
     * Appends an event, folding repeats: when the workspace's newest event {@linkplain
     * WorkspaceEvent#repeats repeats} {@code event} (same actor, type and message), that event's
     * {@code count} goes up by one instead (its {@code seq} and {@code at} stay), so a retry loop
     * that says the same thing again and again leaves one line with a count.
     *
     * @return the stored event: a new one with its {@code seq} assigned and count 1, or the newest
     *     one with its count incremented
     */
    WorkspaceEvent append(WorkspaceEvent event);

    /**
     * @param limit at most this many, the newest ones
     * @return events of the workspace in the order they happened (oldest first)
     */
    List<WorkspaceEvent> list(String workspaceId, int limit);
}
