package dev.hangar.core.store;

import dev.hangar.core.domain.Workspace;
import java.util.List;
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

    /** @return matching workspaces ordered by owner, then name */
    List<Workspace> list(WorkspaceFilter filter);

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
}
