package dev.hangar.core.service;

import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.LifecycleConflictException;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.ResetGenerations;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.lab.Lab;
import dev.hangar.core.lab.LabGroup;
import dev.hangar.core.lab.LabMember;
import dev.hangar.core.lab.LabService;
import dev.hangar.core.reconcile.ProviderRegistry;
import dev.hangar.core.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The reset use cases behind {@code POST /api/v1/workspaces/{name}/reset} and {@code POST
 * /api/v1/labs/{name}/reset} (issue #13, item 5). A reset puts a workspace back to a fresh disk from
 * its base image (see {@link dev.hangar.provider.spi.WorkspaceReset}); it destroys the disk's
 * changes, so clients confirm before they call.
 *
 * <p>Like every write, a request only records desired state: one more requested reset generation
 * ({@link ResetGenerations}) and a {@code reset requested} event, in one transaction; the
 * reconciler carries it out (stop, provider reset, record, start again if it should run). Each call
 * asks for one more reset, so two calls reset at least once after the later one (not idempotent:
 * a repeated request resets again unless the first is still pending, when both are served by one
 * provider reset).
 *
 * <p>Visibility as for workspaces: another user's workspace or lab is "not found". Thread-safe.
 */
public final class ResetService {
    /** The event type of reset requests and of the reconciler's reset steps. */
    public static final String EVENT = "reset";

    /**
     * One recorded request.
     *
     * @param workspace the workspace's name
     * @param owner its owner
     * @param generation the reset generation requested, at least 1; the workspace's events say
     *     {@code reset completed (generation N)} when it is done
     */
    public record Requested(String workspace, String owner, long generation) {
        public Requested {
            Objects.requireNonNull(workspace, "workspace");
            Objects.requireNonNull(owner, "owner");
        }
    }

    private final Store store;
    private final WorkspaceService workspaces;
    private final LabService labs;
    private final TreeSet<String> resettable;
    private final Clock clock;
    private final Consumer<String> onChange;

    /**
     * @param providers the enabled providers; those whose {@link
     *     dev.hangar.provider.spi.WorkspaceProvider#reset()} is present are the kinds that can reset
     * @param onChange called with a workspace id after each committed request (the reconciler's
     *     enqueue); must not block
     */
    public ResetService(
            Store store,
            WorkspaceService workspaces,
            LabService labs,
            ProviderRegistry providers,
            Clock clock,
            Consumer<String> onChange) {
        this.store = Objects.requireNonNull(store);
        this.workspaces = Objects.requireNonNull(workspaces);
        this.labs = Objects.requireNonNull(labs);
        this.clock = Objects.requireNonNull(clock);
        this.onChange = Objects.requireNonNull(onChange);
        this.resettable = new TreeSet<>();
        for (String type : providers.types()) {
            if (providers.find(type).flatMap(p -> p.reset()).isPresent()) resettable.add(type);
        }
    }

    /** @return the provider kinds of this server that can reset, sorted */
    public List<String> resettableKinds() {
        return List.copyOf(resettable);
    }

    /**
     * Asks for the workspace to be reset. A Failed workspace leaves Failed (the request is a user
     * action, as a start is).
     *
     * @param owner the owner's name; empty for the actor
     * @throws dev.hangar.core.domain.NotFoundException when it does not exist or the actor may not
     *     see it
     * @throws ConflictException (409) when its provider kind cannot reset, naming the kinds that can
     * @throws LifecycleConflictException (409) when it is being deleted
     */
    public Requested reset(User actor, String owner, String name) {
        Workspace w = workspaces.get(actor, owner, name);
        checkResettable(w);
        Requested r = request(actor, w);
        onChange.accept(w.id());
        return r;
    }

    /**
     * Asks for the member workspaces of the lab that exist to be reset: those of the named groups and
     * the named members (the union), or every member when both are empty. Every target is checked
     * first, so a refusal resets none; a name given twice is reset once.
     *
     * @param groups names of the lab's groups whose members to reset; may be empty
     * @param members members' workspace names to reset; may be empty
     * @throws dev.hangar.core.domain.NotFoundException when the lab does not exist or the actor may
     *     not see it
     * @throws ValidationException (422, field {@code group}) when a group is not one of the lab's,
     *     naming it and the lab's groups; (422, field {@code member}) when a member is not a member
     *     of the lab that exists, naming it and the members
     * @throws ConflictException (409) when a target's provider kind cannot reset
     * @throws LifecycleConflictException (409) when a target is being deleted
     */
    public List<Requested> resetLab(User actor, String owner, String name, Set<String> groups, Set<String> members) {
        Lab lab = labs.get(actor, owner, name);
        List<String> labGroups =
                lab.spec().groups().stream().map(LabGroup::name).toList();
        for (String g : new TreeSet<>(groups)) {
            if (!labGroups.contains(g))
                throw new ValidationException(
                        "group",
                        "lab '" + lab.name() + "' has no group '" + g + "'; groups: " + String.join(", ", labGroups));
        }
        Map<String, Workspace> existing = labs.memberWorkspaces(lab);
        for (String m : new TreeSet<>(members)) {
            if (existing.values().stream().noneMatch(w -> w.name().equals(m)))
                throw new ValidationException(
                        "member",
                        "lab '" + lab.name() + "' has no member '" + m + "'; members: "
                                + String.join(
                                        ", ",
                                        lab.members().stream()
                                                .map(LabMember::workspaceName)
                                                .toList()));
        }
        boolean all = groups.isEmpty() && members.isEmpty();
        Set<String> inGroups = new HashSet<>();
        for (LabMember m : lab.members()) if (groups.contains(m.group())) inGroups.add(m.workspaceName());
        List<Workspace> targets = existing.values().stream()
                .filter(w -> all || members.contains(w.name()) || inGroups.contains(w.name()))
                .toList();
        targets.forEach(this::checkResettable);
        List<Requested> out = store.inTransaction(tx -> {
            List<Requested> rs = new ArrayList<>();
            for (Workspace w : targets) rs.add(request(tx, actor, w));
            return rs;
        });
        targets.forEach(w -> onChange.accept(w.id()));
        return out;
    }

    private void checkResettable(Workspace w) {
        if (w.desired() == DesiredState.DELETED || w.phase() == Phase.Deleting)
            throw new LifecycleConflictException("workspace '" + w.name() + "' is being deleted; it cannot reset");
        if (!resettable.contains(w.providerType()))
            throw new ConflictException(
                    "name",
                    "workspace '" + w.name() + "' runs on provider '" + w.providerType()
                            + "', which cannot reset a workspace; kinds that can: "
                            + (resettable.isEmpty() ? "none on this server" : String.join(", ", resettable)));
    }

    private Requested request(User actor, Workspace w) {
        return store.inTransaction(tx -> request(tx, actor, w));
    }

    private Requested request(Store tx, User actor, Workspace w) {
        Workspace cur = tx.workspaces()
                .find(w.id())
                .orElseThrow(() -> new dev.hangar.core.domain.NotFoundException(
                        "workspace '" + w.name() + "' of " + w.owner() + " does not exist"));
        checkResettable(cur);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        ResetGenerations g = tx.resets().request(cur.id());
        if (cur.phase() == Phase.Failed) {
            tx.workspaces()
                    .update(cur.withPhase(
                                    cur.desired() == DesiredState.RUNNING ? Phase.Provisioning : Phase.Stopping,
                                    "",
                                    now)
                            .withFailures(0));
        }
        tx.events()
                .append(new WorkspaceEvent(
                        0,
                        cur.id(),
                        now,
                        actor.name(),
                        EVENT,
                        "reset requested by " + actor.name() + " (generation " + g.requested() + ")"));
        return new Requested(cur.name(), cur.owner(), g.requested());
    }
}
