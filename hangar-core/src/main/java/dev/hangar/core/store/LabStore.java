package dev.hangar.core.store;

import dev.hangar.core.lab.Lab;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Lab rows and their member slots (migration V8). Thread-safe. A lab's members go with it; a
 * member's workspace is referenced by id and is not removed with the lab (the lab's delete asks
 * the workspaces to go first, through the workspace lifecycle).
 */
public interface LabStore {

    /**
     * Inserts a lab with its member slots as given.
     *
     * @throws dev.hangar.core.domain.ConflictException with field {@code name} when the owner has a
     *     lab of that name, with field {@code subnet} when another lab holds that subnet
     * @throws dev.hangar.core.domain.NotFoundException when the owner does not exist
     */
    Lab insert(Lab lab);

    /** @return the owner's lab of that name, with its members, if any */
    Optional<Lab> find(String owner, String name);

    /** @return the lab one of whose members is the workspace with that id, if any */
    Optional<Lab> findByWorkspace(String workspaceId);

    /**
     * @param owner the owner whose labs to list; empty for every owner
     * @return labs ordered by owner, then name
     */
    List<Lab> list(String owner);

    /** @return the subnet of every stored lab */
    Set<String> subnets();

    /**
     * Records the workspace made for a member slot (clearing its error). Idempotent.
     *
     * @throws dev.hangar.core.domain.NotFoundException when the lab or slot is gone
     */
    void linkMember(String labId, String group, int index, String workspaceId);

    /**
     * Records why creating a member's workspace failed. Idempotent.
     *
     * @throws dev.hangar.core.domain.NotFoundException when the lab or slot is gone
     */
    void failMember(String labId, String group, int index, String error);

    /**
     * Gives a lab, with its member slots, to another user: what {@code user delete --transfer-to}
     * does with the labs of the user it deletes (their workspaces move in the same transaction).
     * Idempotent.
     *
     * @throws dev.hangar.core.domain.ConflictException with field {@code name} when the new owner
     *     already has a lab of that name
     * @throws dev.hangar.core.domain.NotFoundException when the lab is gone or the new owner does
     *     not exist
     */
    void changeOwner(String labId, String owner);

    /**
     * Removes the lab and its member slots. Idempotent.
     *
     * @return false when it was already gone
     */
    boolean delete(String labId);
}
