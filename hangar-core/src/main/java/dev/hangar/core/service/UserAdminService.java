package dev.hangar.core.service;

import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.StaleVersionException;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.lab.Lab;
import dev.hangar.core.quota.QuotaExceededException;
import dev.hangar.core.quota.QuotaPolicy;
import dev.hangar.core.quota.QuotaUsage;
import dev.hangar.core.store.Store;
import dev.hangar.core.store.WorkspaceFilter;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Managing other users: change role, disable, enable, delete. Callers check that the actor is an
 * admin; this class enforces the invariants: the last enabled admin cannot be demoted, disabled or
 * deleted, and a user who owns workspaces is deleted only with a {@link WorkspacePolicy} that says
 * what happens to them.
 *
 * <p>Each change runs in one store transaction. Thread-safe. Disabling takes effect on the next
 * request of the user's tokens and on their next gateway login, because both look the user up.
 */
public final class UserAdminService {

    /** What to do with the workspaces of a user being deleted. */
    public sealed interface WorkspacePolicy {
        /** Refuse the deletion when the user owns any workspace (409 naming how many). */
        record Refuse() implements WorkspacePolicy {}

        /**
         * Give every workspace and lab to {@code user}; refused when that user already has a
         * workspace or lab of the same name, or when the workspaces would take them past a quota.
         */
        record TransferTo(String user) implements WorkspacePolicy {}

        /** Delete each workspace the normal way (desired=deleted; the reconciler removes them). */
        record DeleteWorkspaces() implements WorkspacePolicy {}
    }

    private final Store store;
    private final Clock clock;
    private final WorkspaceService workspaces;
    private final QuotaPolicy quotas;

    /** A service whose transfers are checked against no quota. */
    public UserAdminService(Store store, Clock clock, WorkspaceService workspaces) {
        this(store, clock, workspaces, QuotaPolicy.UNLIMITED);
    }

    /**
     * @param quotas the quotas a transfer is checked against: the receiving user's, as for a create
     *     of the moved workspaces (those meant to run count as running)
     */
    public UserAdminService(Store store, Clock clock, WorkspaceService workspaces, QuotaPolicy quotas) {
        this.store = store;
        this.clock = clock;
        this.workspaces = workspaces;
        this.quotas = quotas;
    }

    /**
     * Changes a user's role. Idempotent.
     *
     * @throws NotFoundException when there is no such user
     * @throws ConflictException with field {@code role} when it would demote the last enabled admin
     */
    public User setRole(String name, Role role) {
        return store.inTransaction(tx -> {
            User u = existing(tx, name);
            if (u.role() == role) return u;
            requireAnotherAdmin(tx, u, "demote");
            return tx.users().update(u.withRole(role));
        });
    }

    /**
     * Disables or enables a user. Idempotent. A disabled user's tokens and gateway logins are refused
     * from the next request on; their workspaces and data stay.
     *
     * @throws NotFoundException when there is no such user
     * @throws ConflictException with field {@code disabled} when it would disable the last enabled
     *     admin
     */
    public User setDisabled(String name, boolean disabled) {
        return store.inTransaction(tx -> {
            User u = existing(tx, name);
            if (u.disabled() == disabled) return u;
            if (disabled) requireAnotherAdmin(tx, u, "disable");
            return tx.users().update(u.withDisabled(disabled));
        });
    }

    /**
     * Deletes a user with their SSH keys and API tokens, handling their workspaces by {@code policy}.
     * With {@link WorkspacePolicy.TransferTo} their labs move with the workspaces, all in one
     * transaction: either everything moves or nothing does.
     *
     * @param actor the admin asking (recorded in workspace events)
     * @throws NotFoundException when there is no such user, or the transfer target does not exist
     * @throws ConflictException field {@code name} for the last enabled admin; field {@code
     *     workspaces} when the user owns workspaces and the policy is {@link WorkspacePolicy.Refuse};
     *     field {@code transfer-to} when the target has a workspace or lab of the same name; {@link
     *     StaleVersionException} only when a moved workspace's row kept changing through five tries
     *     (each try is the whole transaction again on fresh rows)
     * @throws QuotaExceededException field {@code transfer-to.<limit>} when the moved workspaces
     *     would take the target past a quota (the message names the limit and both users)
     * @throws ValidationException field {@code transfer-to} when the target is the user themselves
     */
    public void delete(User actor, String name, WorkspacePolicy policy) {
        List<String> toDelete;
        for (int attempt = 1; ; attempt++) {
            try {
                toDelete = deleteOnce(actor, name, policy);
                break;
            } catch (StaleVersionException e) {
                // The reconciler saved one of the moved workspaces between this transaction's read
                // and its write (a new workspace's first passes do): redo the whole transfer on the
                // fresh rows, as WorkspaceService does for a user's change.
                if (attempt == WorkspaceService.CHANGE_ATTEMPTS) throw e;
            }
        }
        if (policy instanceof WorkspacePolicy.DeleteWorkspaces) {
            // The normal delete, one by one (each wakes the reconciler); then the user goes. A crash
            // in between leaves the user with workspaces being deleted: running delete again finishes.
            for (String ws : toDelete) workspaces.delete(actor, name, ws);
            store.inTransaction(tx -> {
                User u = existing(tx, name);
                requireAnotherAdmin(tx, u, "delete");
                return tx.users().delete(name);
            });
        }
    }

    /**
     * The transaction of {@link #delete}: refuses, transfers or lists the workspaces to delete.
     *
     * @return the names of the workspaces the {@link WorkspacePolicy.DeleteWorkspaces} policy deletes
     *     next, empty for the other policies
     */
    private List<String> deleteOnce(User actor, String name, WorkspacePolicy policy) {
        return store.inTransaction(tx -> {
            User u = existing(tx, name);
            requireAnotherAdmin(tx, u, "delete");
            List<Workspace> owned = tx.workspaces().list(WorkspaceFilter.ownedBy(name));
            switch (policy) {
                case WorkspacePolicy.Refuse r -> {
                    if (!owned.isEmpty())
                        throw new ConflictException(
                                "workspaces",
                                "user '" + name + "' owns " + owned.size()
                                        + " workspace(s); delete with --transfer-to USER"
                                        + " (?transfer-to=USER) to give them to another user, or with"
                                        + " --delete-workspaces (?delete-workspaces=true) to delete them");
                    tx.users().delete(name);
                    return List.of();
                }
                case WorkspacePolicy.TransferTo t -> {
                    transfer(tx, actor, owned, name, t.user());
                    tx.users().delete(name);
                    return List.of();
                }
                case WorkspacePolicy.DeleteWorkspaces d -> {
                    return owned.stream()
                            .filter(w -> w.desired() != DesiredState.DELETED)
                            .map(Workspace::name)
                            .toList();
                }
            }
        });
    }

    private void transfer(Store tx, User actor, List<Workspace> owned, String from, String to) {
        if (to.equals(from))
            throw new ValidationException("transfer-to", "cannot transfer workspaces to the user being deleted");
        User target = tx.users()
                .find(to)
                .orElseThrow(() -> new NotFoundException("transfer-to: user '" + to + "' does not exist"));
        Set<String> taken = tx.workspaces().list(WorkspaceFilter.ownedBy(target.name())).stream()
                .map(Workspace::name)
                .collect(Collectors.toSet());
        Set<String> clash = owned.stream()
                .map(Workspace::name)
                .filter(taken::contains)
                .collect(Collectors.toCollection(TreeSet::new));
        if (!clash.isEmpty())
            throw new ConflictException(
                    "transfer-to",
                    "user '" + to + "' already has workspace(s) named " + String.join(", ", clash)
                            + "; rename or delete them first, or choose another user");
        List<Lab> labs = tx.labs().list(from);
        Set<String> takenLabs = tx.labs().list(to).stream().map(Lab::name).collect(Collectors.toSet());
        Set<String> labClash =
                labs.stream().map(Lab::name).filter(takenLabs::contains).collect(Collectors.toCollection(TreeSet::new));
        if (!labClash.isEmpty())
            throw new ConflictException(
                    "transfer-to",
                    "user '" + to + "' already has lab(s) named " + String.join(", ", labClash)
                            + "; delete them first, or choose another user");
        try {
            quotas.admit(tx, target, QuotaUsage.of(owned));
        } catch (QuotaExceededException e) {
            throw new QuotaExceededException(
                    "transfer-to." + e.field(),
                    "cannot give the workspaces of '" + from + "' to '" + to + "': " + e.getMessage()
                            + "; raise the quota of '" + to + "' (hangar quota set), or choose another user");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        for (Workspace w : owned) {
            Workspace.Spec s = w.spec();
            Workspace moved = w.withSpec(
                    new Workspace.Spec(
                            s.name(), to, s.template(), s.providerType(), s.parameters(), s.hostKey(), s.desired()),
                    now);
            tx.workspaces().update(moved);
            tx.events()
                    .append(new WorkspaceEvent(
                            0,
                            w.id(),
                            now,
                            actor.name(),
                            "transferred",
                            "owner changed from " + from + " to " + to + " by " + actor.name()));
        }
        // after the workspaces: the lab rows cascade with their owner, so they must move before it goes
        for (Lab lab : labs) tx.labs().changeOwner(lab.id(), to);
    }

    private static User existing(Store tx, String name) {
        return tx.users().find(name).orElseThrow(() -> new NotFoundException("user '" + name + "' does not exist"));
    }

    /** Refuses to take away the admin rights of the last enabled admin. */
    private static void requireAnotherAdmin(Store tx, User u, String verb) {
        if (!u.admin() || u.disabled()) return;
        long others = tx.users().list().stream()
                .filter(x -> x.admin() && !x.disabled() && !x.name().equals(u.name()))
                .count();
        if (others == 0)
            throw new ConflictException(
                    verb.equals("disable") ? "disabled" : verb.equals("demote") ? "role" : "name",
                    "'" + u.name() + "' is the last enabled admin and cannot be " + verb + "d; make another user"
                            + " admin first");
    }
}
