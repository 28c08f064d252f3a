package dev.hangar.core.store;

import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Workspace;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Workspace rows. Thread-safe. */
public interface WorkspaceStore {

    /**
     * Inserts a new workspace; its {@code version} is stored as given (normally 1).
     *
     * @throws dev.hangar.core.domain.ConflictException with field {@code name} when the owner
     *     already has a workspace of that name
     */
    Workspace insert(Workspace workspace);

    /** @return the workspace with that id, if any */
    Optional<Workspace> find(String id);

    /** @return the owner's workspace of that name, if any */
    Optional<Workspace> findByName(String owner, String name);

    /** @return every matching workspace, ordered by owner, then name */
    default List<Workspace> list(WorkspaceFilter filter) {
        return list(filter, WorkspaceCursor.START, Integer.MAX_VALUE);
    }

    /**
     * One page of the listing: matching workspaces strictly after {@code after} in (owner, name)
     * order, at most {@code limit} of them. The next page starts after the last row returned.
     *
     * @param limit at most this many rows, at least 1
     * @throws IllegalArgumentException when {@code limit} is below 1
     */
    List<Workspace> list(WorkspaceFilter filter, WorkspaceCursor after, int limit);

    /**
     * The same page as {@link #list(WorkspaceFilter, WorkspaceCursor, int)} (same rows, same
     * order, same paging), as {@link dev.hangar.core.domain.WorkspaceSummary summaries}: what a list
     * page shows, without the host private key (never opened, so a page costs no decryption) and
     * without the extra user-data. This default maps {@code list}; stores override it with a
     * narrower query.
     *
     * @param limit at most this many rows, at least 1
     * @throws IllegalArgumentException when {@code limit} is below 1
     */
    default List<dev.hangar.core.domain.WorkspaceSummary> summaries(
            WorkspaceFilter filter, WorkspaceCursor after, int limit) {
        return list(filter, after, limit).stream()
                .map(dev.hangar.core.domain.WorkspaceSummary::of)
                .toList();
    }

    /**
     * Counts workspaces per phase in one query (the metrics scrape uses it instead of loading
     * every row).
     *
     * @return the count of each phase that has at least one workspace; absent phases have none
     */
    Map<Phase, Long> countByPhase();

    /**
     * Stores {@code workspace} if the stored row still has {@code workspace.version()}.
     *
     * @return the stored value, whose version is one higher
     * @throws dev.hangar.core.domain.StaleVersionException when the row changed meanwhile
     * @throws dev.hangar.core.domain.NotFoundException when the row is gone
     */
    Workspace update(Workspace workspace);

    /**
     * Removes the row and its events if it still has {@code version}. Idempotent: removing a row
     * that is gone returns false.
     *
     * @throws dev.hangar.core.domain.StaleVersionException when the row exists with another version
     */
    boolean delete(String id, long version);

    /** @return the number of workspaces */
    long count();

    /**
     * The write generation of the workspace rows, kept by the database itself (migration V21:
     * triggers in the writer's transaction), so it covers writes by every process sharing the
     * database, this one's other connections, other server replicas and hand-made SQL alike.
     *
     * <p>Contract: the value never falls, and it is higher after every committed insert, update or
     * delete of a workspace than it was before that commit. Raising it needlessly is allowed (a
     * write that changes nothing a caller sees; in the database stores a rolled-back write leaves
     * it unchanged): it only costs a reader a recomputation. So a value derived from rows read
     * <em>after</em> reading generation {@code g} may be reused for as long as the generation is
     * still {@code g}. One small read; thread-safe.
     */
    long generation();
}
