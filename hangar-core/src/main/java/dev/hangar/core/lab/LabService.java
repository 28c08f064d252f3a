package dev.hangar.core.lab;

import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.Names;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.service.CreateWorkspace;
import dev.hangar.core.service.WorkspaceService;
import dev.hangar.core.store.Store;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The lab use cases behind {@code /api/v1/labs} (issue #13). Thread-safe.
 *
 * <p>A lab's members are ordinary workspaces named {@code <lab>-<group>-<n>} (n from 1), each
 * created through {@link WorkspaceService#create}, so templates, sizes, user-data checks, quotas
 * and workspace events apply to each exactly as to a workspace created alone. Creation validates
 * the whole spec and every member (as a dry run) first, so bad input creates nothing; it then
 * records the lab with its member slots and lab addresses in one transaction and creates the
 * members concurrently (at most {@value #CREATE_CONCURRENCY} at a time). A member whose creation
 * still fails (e.g. a quota reached meanwhile) is recorded with its error and the lab is {@code
 * Degraded}, never orphaned: {@link #delete} removes every member that exists, then the lab.
 *
 * <p>Visibility as for workspaces: members see their own labs, admins and auditors every one; a lab
 * the caller may not see is "not found". A member workspace may still be stopped, started or
 * deleted on its own (it is the owner's workspace); the lab then shows what happened ({@code
 * Degraded} naming the deleted member).
 */
public final class LabService {
    /** Members created at once by {@link #create}. */
    public static final int CREATE_CONCURRENCY = 8;

    private final Store store;
    private final WorkspaceService workspaces;
    private final Clock clock;
    private final LabSettings settings;

    /**
     * @param store where labs and their member slots are kept
     * @param workspaces creates, starts, stops and deletes the members (the one workspace path)
     * @param clock stamps {@link Lab#createdAt()}
     * @param settings {@code labs.max-members} and {@code labs.subnet}
     */
    public LabService(Store store, WorkspaceService workspaces, Clock clock, LabSettings settings) {
        this.store = Objects.requireNonNull(store);
        this.workspaces = Objects.requireNonNull(workspaces);
        this.clock = Objects.requireNonNull(clock);
        this.settings = Objects.requireNonNull(settings);
    }

    /** @return the settings this service enforces */
    public LabSettings settings() {
        return settings;
    }

    /**
     * Validates the spec, records the lab and creates its members. Not idempotent: a second call
     * with the same name is a conflict. Returns when every member's workspace is recorded (or its
     * creation failed); the reconciler then provisions them.
     *
     * @param onMember called with each member's slot after its creation was attempted (linked or
     *     with an error), from the creating threads; must not block
     * @return the stored lab with its members linked to their workspaces
     * @throws ValidationException naming the field ({@code name}, {@code groups}, {@code
     *     groups[i].name}, {@code groups[i].count}, {@code groups[i].template}, {@code
     *     groups[i].userData}, ...): a bad lab or group name, no groups, a group name used twice or
     *     equal to the lab's, a count below 1, more members than {@code labs.max-members}, a member
     *     name longer than 63 characters (saying by how much), or a member the workspace checks
     *     refuse (unknown template, size out of range, user-data that is not a YAML mapping)
     * @throws ConflictException with field {@code name} when the owner has a lab of that name, or a
     *     workspace with a member's name
     */
    public Lab create(User actor, LabSpec spec, Consumer<LabMember> onMember) {
        List<Planned> plan = validate(actor, spec);
        Lab lab = insert(actor, spec, plan);
        try (ExecutorService pool = Executors.newFixedThreadPool(
                Math.min(CREATE_CONCURRENCY, plan.size()),
                Thread.ofVirtual().name("lab-create-", 0).factory())) {
            for (int i = 0; i < plan.size(); i++) {
                Planned p = plan.get(i);
                LabMember slot = lab.members().get(i);
                pool.submit(() -> onMember.accept(createMember(actor, lab, slot, p.request())));
            }
        }
        return store.labs().find(lab.owner(), lab.name()).orElse(lab);
    }

    /** @return {@link #create} without a per-member callback */
    public Lab create(User actor, LabSpec spec) {
        return create(actor, spec, m -> {});
    }

    /** A member to create: its slot's group and index, and the workspace request. */
    private record Planned(String group, int index, CreateWorkspace request) {}

    private List<Planned> validate(User actor, LabSpec spec) {
        Names.requireDns1123Label("name", spec.name());
        if (spec.groups().isEmpty())
            throw new ValidationException("groups", "a lab needs at least one group (e.g. master=1)");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < spec.groups().size(); i++) {
            LabGroup g = spec.groups().get(i);
            String f = "groups[" + i + "]";
            Names.requireDns1123Label(f + ".name", g.name());
            if (!seen.add(g.name()))
                throw new ValidationException(f + ".name", "group '" + g.name() + "' appears more than once");
            if (g.name().equals(spec.name())
                    || g.name().equals("all")
                    || g.name().equals("ungrouped"))
                throw new ValidationException(
                        f + ".name",
                        "group '" + g.name() + "' cannot be named like the lab or Ansible's 'all'/'ungrouped' groups");
            if (g.count() < 1)
                throw new ValidationException(
                        f + ".count", "group '" + g.name() + "' needs a count of at least 1, got " + g.count());
        }
        long total = spec.groups().stream().mapToLong(LabGroup::count).sum();
        if (total > settings.maxMembers())
            throw new ValidationException(
                    "groups",
                    "the lab would have " + total + " members; this server allows at most " + settings.maxMembers()
                            + " per lab (labs.max-members)");
        for (int i = 0; i < spec.groups().size(); i++) {
            LabGroup g = spec.groups().get(i);
            String longest = memberName(spec.name(), g.name(), g.count());
            if (longest.length() > Names.MAX_LABEL)
                throw new ValidationException(
                        "groups[" + i + "].name",
                        "member name '" + longest + "' would be " + longest.length() + " characters, "
                                + (longest.length() - Names.MAX_LABEL) + " over the limit of " + Names.MAX_LABEL
                                + "; shorten the lab or group name");
        }
        if (store.labs().find(actor.name(), spec.name()).isPresent()) throw labTaken(actor, spec.name());
        List<Planned> plan = new ArrayList<>();
        for (int i = 0; i < spec.groups().size(); i++) {
            LabGroup g = spec.groups().get(i);
            for (int n = 1; n <= g.count(); n++) {
                CreateWorkspace req = request(spec, g, memberName(spec.name(), g.name(), n));
                try {
                    workspaces.dryRunCreate(actor, req);
                } catch (ValidationException e) {
                    String field = e.field().equals("name") ? "name" : "groups[" + i + "]." + e.field();
                    throw new ValidationException(field, "group '" + g.name() + "': " + e.getMessage());
                } catch (ConflictException e) {
                    throw new ConflictException(
                            "name",
                            "member '" + req.name() + "' of lab '" + spec.name()
                                    + "' is taken by an existing workspace; delete it or pick another lab name");
                }
                plan.add(new Planned(g.name(), n, req));
            }
        }
        return plan;
    }

    /** @return the workspace request for one member of {@code g} */
    static CreateWorkspace request(LabSpec spec, LabGroup g, String memberName) {
        CreateWorkspace req = CreateWorkspace.named(memberName);
        String template = g.template().isEmpty() ? spec.template() : g.template();
        if (!template.isEmpty()) req = req.withTemplate(template);
        if (g.cpus() != 0) req = req.withCpus(g.cpus());
        if (g.memoryMiB() != 0) req = req.withMemoryMiB(g.memoryMiB());
        if (g.diskGiB() != 0) req = req.withDiskGiB(g.diskGiB());
        if (!g.userData().isEmpty()) req = req.withUserData(g.userData());
        return req;
    }

    /** @return {@code <lab>-<group>-<n>} */
    public static String memberName(String lab, String group, int n) {
        return lab + "-" + group + "-" + n;
    }

    private Lab insert(User actor, LabSpec spec, List<Planned> plan) {
        for (int attempt = 1; ; attempt++) {
            try {
                return store.inTransaction(tx -> {
                    String subnet = settings.subnet().nextSubnet(tx.labs().subnets());
                    List<String> addresses = LabAddresses.memberAddresses(subnet, plan.size());
                    List<LabMember> members = new ArrayList<>();
                    for (int i = 0; i < plan.size(); i++) {
                        Planned p = plan.get(i);
                        members.add(
                                new LabMember(p.group(), p.index(), p.request().name(), "", addresses.get(i), ""));
                    }
                    return tx.labs()
                            .insert(new Lab(
                                    UUID.randomUUID().toString(),
                                    actor.name(),
                                    spec,
                                    subnet,
                                    clock.instant().truncatedTo(ChronoUnit.MILLIS),
                                    members));
                });
            } catch (ConflictException e) {
                if ("name".equals(e.field())) throw labTaken(actor, spec.name());
                // another lab took the same subnet concurrently (PostgreSQL): pick again
                if (!"subnet".equals(e.field()) || attempt >= 5) throw e;
            }
        }
    }

    private LabMember createMember(User actor, Lab lab, LabMember slot, CreateWorkspace req) {
        try {
            // Linked in the insert's transaction: the reconciler's first pass must see the member on
            // its lab, or a VM would first boot without its lab NIC.
            Workspace w = workspaces.create(
                    actor,
                    req,
                    (tx, created) -> tx.labs().linkMember(lab.id(), slot.group(), slot.index(), created.id()));
            return slot.withWorkspace(w.id());
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            store.labs().failMember(lab.id(), slot.group(), slot.index(), why);
            return slot.withError(why);
        }
    }

    /** @return every lab the actor may see (members: their own), ordered by owner, then name */
    public List<Lab> list(User actor) {
        return store.labs().list(actor.readsAll() ? "" : actor.name());
    }

    /**
     * @param owner the owner's name; empty for the actor
     * @throws NotFoundException when it does not exist or the actor may not see it
     */
    public Lab get(User actor, String owner, String name) {
        String o = owner.isEmpty() ? actor.name() : owner;
        if (!actor.readsAll() && !o.equals(actor.name())) throw notFound(o, name);
        return store.labs().find(o, name).orElseThrow(() -> notFound(o, name));
    }

    /**
     * @param actor who asks
     * @param workspace a workspace the actor may see (from {@link WorkspaceService#get})
     * @return the lab the workspace is a member of, when the actor may see that lab too; empty when
     *     it belongs to none
     */
    public Optional<Lab> labOf(User actor, Workspace workspace) {
        return store.labs()
                .findByWorkspace(workspace.id())
                .filter(l -> actor.readsAll() || l.owner().equals(actor.name()));
    }

    /** @return the lab's status, aggregated from its member workspaces as stored now */
    public LabStatus status(Lab lab) {
        return LabStatus.of(lab, memberWorkspaces(lab));
    }

    /** @return the lab's member workspaces that exist, by id */
    public Map<String, Workspace> memberWorkspaces(Lab lab) {
        Map<String, Workspace> out = new LinkedHashMap<>();
        for (LabMember m : lab.members()) {
            if (m.workspaceId().isEmpty()) continue;
            store.workspaces().find(m.workspaceId()).ifPresent(w -> out.put(w.id(), w));
        }
        return out;
    }

    /** Asks every existing member to run ({@link WorkspaceService#start}, quotas apply). Idempotent. */
    public Lab start(User actor, String owner, String name) {
        Lab lab = get(actor, owner, name);
        for (Workspace w : memberWorkspaces(lab).values()) {
            ignoringGone(() -> workspaces.start(actor, w.owner(), w.name()));
        }
        return lab;
    }

    /** Asks every existing member to stop, keeping disks. Idempotent. */
    public Lab stop(User actor, String owner, String name) {
        Lab lab = get(actor, owner, name);
        for (Workspace w : memberWorkspaces(lab).values()) {
            ignoringGone(() -> workspaces.stop(actor, w.owner(), w.name()));
        }
        return lab;
    }

    /**
     * Asks every member workspace that exists to be deleted (the reconciler removes them), then
     * removes the lab row, so a lab whose members partly failed to create leaves nothing behind.
     *
     * @return the lab as it was
     * @throws NotFoundException when it does not exist or the actor may not see it
     */
    public Lab delete(User actor, String owner, String name) {
        Lab lab = get(actor, owner, name);
        for (Workspace w : memberWorkspaces(lab).values()) {
            ignoringGone(() -> workspaces.delete(actor, w.owner(), w.name()));
        }
        store.labs().delete(lab.id());
        return lab;
    }

    /**
     * The one place that says how a lab member joins its lab's network: given a workspace, the
     * segment id, its address with prefix and every member's name and address (for /etc/hosts).
     * Thread-safe; reads the store.
     *
     * @return empty when the workspace belongs to no lab
     */
    public Optional<LabMemberNetwork> memberNetwork(String workspaceId) {
        return store.labs().findByWorkspace(workspaceId).flatMap(lab -> memberNetwork(lab, workspaceId));
    }

    /** @return {@link #memberNetwork(String)} for a lab already read */
    public static Optional<LabMemberNetwork> memberNetwork(Lab lab, String workspaceId) {
        String prefix = lab.subnet().substring(lab.subnet().indexOf('/'));
        Map<String, String> hosts = new LinkedHashMap<>();
        for (LabMember m : lab.members()) hosts.put(m.workspaceName(), m.address());
        return lab.members().stream()
                .filter(m -> m.workspaceId().equals(workspaceId))
                .findFirst()
                .map(m -> new LabMemberNetwork(lab.id(), m.address() + prefix, hosts));
    }

    private static void ignoringGone(Runnable r) {
        try {
            r.run();
        } catch (NotFoundException gone) {
            // deleted meanwhile: nothing left to change
        }
    }

    private static ConflictException labTaken(User actor, String name) {
        return new ConflictException(
                "name", "user '" + actor.name() + "' already has a lab named '" + name + "'; pick another name");
    }

    private static NotFoundException notFound(String owner, String name) {
        return new NotFoundException("lab '" + name + "' of " + owner + " does not exist");
    }
}
