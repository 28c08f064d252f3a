package dev.hangar.core.service;

import dev.hangar.core.autostop.WorkspaceActivity;
import dev.hangar.core.device.DeviceClaims;
import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Lifecycle;
import dev.hangar.core.domain.Lifecycle.Action;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.StaleVersionException;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.quota.QuotaPolicy;
import dev.hangar.core.quota.QuotaUsage;
import dev.hangar.core.store.Store;
import dev.hangar.core.store.WorkspaceCursor;
import dev.hangar.core.store.WorkspaceFilter;
import dev.hangar.core.template.Template;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.provider.spi.Resources;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The workspace use cases behind the API. Every write only records desired state (and an event) in
 * one transaction ({@link #dryRunCreate} records nothing); the reconciler does the work. Thread-safe.
 *
 * <p>Visibility: users see their own workspaces; admins see everyone's. A workspace the caller
 * may not see is reported as not found, so names of other users' workspaces do not leak.
 */
public final class WorkspaceService {
    /** Largest accepted extra cloud-init user-data, in bytes (KubeVirt's inline limit is 2048; a Secret holds more). */
    public static final int MAX_USER_DATA_BYTES = 16 * 1024;

    private final Store store;
    private final TemplateCatalog templates;
    private final Clock clock;
    private final Consumer<String> onChange;
    private final Optional<Template> defaultTemplate;
    private final QuotaPolicy quotas;
    private final DeviceClaims deviceClaims;
    private final WorkspaceDrafts drafts;

    /** The provider type whose device requests are host devices claimed here (Pods and KubeVirt VMs ask the cluster). */
    public static final String PASSTHROUGH_KIND = "qemu";

    /**
     * A service whose default template is chosen automatically (see {@link
     * TemplateCatalog#defaultTemplate(String)} with an empty setting).
     *
     * @param onChange called with a workspace id after each committed change (the reconciler's
     *     enqueue); must not block
     */
    public WorkspaceService(Store store, TemplateCatalog templates, Clock clock, Consumer<String> onChange) {
        this(store, templates, clock, onChange, "");
    }

    /**
     * @param onChange called with a workspace id after each committed change (the reconciler's
     *     enqueue); must not block
     * @param defaultTemplate the server's {@code default-template} setting; empty for the automatic
     *     choice of {@link TemplateCatalog#defaultTemplate(String)}
     * @throws ValidationException when {@code defaultTemplate} names no template of the catalog
     */
    public WorkspaceService(
            Store store, TemplateCatalog templates, Clock clock, Consumer<String> onChange, String defaultTemplate) {
        this(store, templates, clock, onChange, defaultTemplate, QuotaPolicy.UNLIMITED);
    }

    /**
     * @param onChange called with a workspace id after each committed change (the reconciler's
     *     enqueue); must not block
     * @param defaultTemplate the server's {@code default-template} setting; empty for the automatic
     *     choice of {@link TemplateCatalog#defaultTemplate(String)}
     * @param quotas the limits {@link #create} and {@link #start} enforce, in the same transaction as
     *     their write
     * @throws ValidationException when {@code defaultTemplate} names no template of the catalog
     */
    public WorkspaceService(
            Store store,
            TemplateCatalog templates,
            Clock clock,
            Consumer<String> onChange,
            String defaultTemplate,
            QuotaPolicy quotas) {
        this(store, templates, clock, onChange, defaultTemplate, quotas, new DeviceClaims(Map.of(), clock));
    }

    /**
     * @param onChange called with a workspace id after each committed change (the reconciler's
     *     enqueue); must not block
     * @param defaultTemplate the server's {@code default-template} setting; empty for the automatic
     *     choice of {@link TemplateCatalog#defaultTemplate(String)}
     * @param quotas the limits {@link #create} and {@link #start} enforce, in the same transaction as
     *     their write
     * @param deviceClaims the host devices local VMs ({@value #PASSTHROUGH_KIND} workspaces) claim in
     *     {@link #create}'s transaction, so no two workspaces hold one device
     * @throws ValidationException when {@code defaultTemplate} names no template of the catalog
     */
    public WorkspaceService(
            Store store,
            TemplateCatalog templates,
            Clock clock,
            Consumer<String> onChange,
            String defaultTemplate,
            QuotaPolicy quotas,
            DeviceClaims deviceClaims) {
        this.deviceClaims = Objects.requireNonNull(deviceClaims);
        this.quotas = Objects.requireNonNull(quotas);
        this.store = Objects.requireNonNull(store);
        this.templates = Objects.requireNonNull(templates);
        this.clock = Objects.requireNonNull(clock);
        this.onChange = Objects.requireNonNull(onChange);
        this.defaultTemplate = templates.defaultTemplate(Objects.requireNonNull(defaultTemplate));
        this.drafts = new WorkspaceDrafts(templates, this.defaultTemplate, clock);
    }

    /** @return the template a create request without one gets, if this server has one */
    public Optional<Template> defaultTemplate() {
        return defaultTemplate;
    }

    /**
     * Validates the request, the one place where a create request is checked, and records a new
     * workspace (phase Pending, desired running) with a fresh Hangar-generated SSH host key. Absent
     * values take the defaults: the server's default template, the template's sizes and image.
     * Not idempotent: a second call with the same name is a conflict.
     *
     * @throws ValidationException naming the field ({@code name}, {@code template}, {@code cpus},
     *     {@code memoryMiB}, {@code diskGiB}, {@code image}, {@code userData}, {@code autostop}, {@code
     *     devices[i].name}, {@code devices[i].count}) for a value that is
     *     well-formed but not acceptable: a bad name, an unknown template (or none given and no
     *     default), a size that is not positive or outside the template's range, a device the template
     *     does not offer or a count outside its range, a bad image
     *     reference, user-data that is too large or not a YAML mapping
     * @throws dev.hangar.core.domain.ConflictException when the owner has a workspace of that name
     * @throws dev.hangar.core.quota.QuotaExceededException when the new workspace (meant to run) would
     *     take the actor past a quota; checked in the insert's transaction, so concurrent creates
     *     cannot overshoot
     */
    public Workspace create(User actor, CreateWorkspace req) {
        return create(actor, req, (tx, w) -> {});
    }

    /**
     * {@link #create(User, CreateWorkspace)} with more writes in the insert's transaction: {@code
     * alsoInTransaction} runs after the insert, with the transaction's store and the stored workspace,
     * and before the reconciler hears of the workspace, so its first pass already sees them (a lab
     * links its member here, so the member's first boot has the lab network). When it throws, nothing
     * is recorded.
     *
     * @throws ValidationException as {@link #create(User, CreateWorkspace)}
     * @throws dev.hangar.core.domain.ConflictException as {@link #create(User, CreateWorkspace)}
     * @throws dev.hangar.core.quota.QuotaExceededException as {@link #create(User, CreateWorkspace)}
     */
    public Workspace create(
            User actor, CreateWorkspace req, java.util.function.BiConsumer<Store, Workspace> alsoInTransaction) {
        WorkspaceDrafts.Draft draft = drafts.draft(actor, req);
        Workspace w = draft.workspace();
        Resources r = w.parameters().resources();
        Instant now = w.createdAt();
        Workspace stored = store.inTransaction(tx -> {
            quotas.admit(tx, actor, QuotaUsage.running(r, w.parameters().devices()));
            Workspace s = tx.workspaces().insert(w);
            if (s.providerType().equals(PASSTHROUGH_KIND))
                deviceClaims.claim(tx, s.id(), s.parameters().devices());
            tx.activity().save(WorkspaceActivity.startingAt(s.id(), now, draft.autostop()));
            tx.events()
                    .append(new WorkspaceEvent(
                            0, s.id(), now, actor.name(), "created", WorkspaceDrafts.createdText(draft)));
            alsoInTransaction.accept(tx, s);
            return s;
        });
        onChange.accept(stored.id());
        return stored;
    }

    /**
     * A dry run of {@link #create}: validates the request exactly as {@code create} does, including
     * the name conflict (read from the store, not written), and returns the workspace {@code create}
     * would record, with a fresh host key, without recording anything: no transaction, no row, no
     * event, no reconcile. The returned workspace's id and host key exist nowhere else and are
     * forgotten after the call. Thread-safe; idempotent (only the id and host key differ per call).
     *
     * @throws ValidationException as {@link #create}
     * @throws dev.hangar.core.domain.ConflictException when the owner has a workspace of that name
     */
    public Workspace dryRunCreate(User actor, CreateWorkspace req) {
        Workspace w = drafts.draft(actor, req).workspace();
        if (store.workspaces().findByName(w.owner(), w.name()).isPresent()) {
            throw new dev.hangar.core.domain.ConflictException(
                    "name",
                    "user '" + w.owner() + "' already has a workspace named '" + w.name() + "'; pick another name");
        }
        return w;
    }

    /** @return every workspace the actor may see that matches the filter (members: their own only) */
    public List<Workspace> list(User actor, WorkspaceFilter filter) {
        return list(actor, filter, WorkspaceCursor.START, Integer.MAX_VALUE);
    }

    /**
     * One page of {@link #list(User, WorkspaceFilter)}: at most {@code limit} workspaces after
     * {@code after} in (owner, name) order.
     *
     * @throws IllegalArgumentException when {@code limit} is below 1
     */
    public List<Workspace> list(User actor, WorkspaceFilter filter, WorkspaceCursor after, int limit) {
        return visible(actor, filter)
                .map(f -> store.workspaces().list(f, after, limit))
                .orElse(List.of());
    }

    /**
     * The page {@link #list(User, WorkspaceFilter, WorkspaceCursor, int)} returns, as summaries
     * (no host private key, no extra user-data): what {@code GET /api/v1/workspaces} shows.
     *
     * @throws IllegalArgumentException when {@code limit} is below 1
     */
    public List<dev.hangar.core.domain.WorkspaceSummary> summaries(
            User actor, WorkspaceFilter filter, WorkspaceCursor after, int limit) {
        return visible(actor, filter)
                .map(f -> store.workspaces().summaries(f, after, limit))
                .orElse(List.of());
    }

    /**
     * The store's write generation of workspace rows ({@link
     * dev.hangar.core.store.WorkspaceStore#generation()}): a page built from rows read after this
     * call may be served again while a later call returns the same value. One small read.
     */
    public long generation() {
        return store.workspaces().generation();
    }

    /** @return the filter narrowed to what the actor may see (members: their own); empty when nothing */
    private static Optional<WorkspaceFilter> visible(User actor, WorkspaceFilter filter) {
        if (actor.readsAll()) return Optional.of(filter);
        if (!filter.owner().isEmpty() && !filter.owner().equals(actor.name())) return Optional.empty();
        return Optional.of(
                new WorkspaceFilter(actor.name(), filter.phases(), filter.template(), filter.providerType()));
    }

    /**
     * Reads a workspace: members see their own, admins and auditors every one.
     *
     * @param owner the owner's name; empty for the actor
     * @throws NotFoundException when it does not exist or the actor may not see it (never "forbidden",
     *     so names cannot be probed)
     */
    public Workspace get(User actor, String owner, String name) {
        return visible(store, actor, owner, name);
    }

    /** {@link #get} on {@code store}, which may be a transaction's. */
    private static Workspace visible(Store store, User actor, String owner, String name) {
        String o = owner.isEmpty() ? actor.name() : owner;
        if (!actor.readsAll() && !o.equals(actor.name())) throw notFound(o, name);
        return store.workspaces().findByName(o, name).orElseThrow(() -> notFound(o, name));
    }

    /**
     * Asks for the workspace to run. Idempotent. A Failed workspace is retried from scratch.
     *
     * @throws dev.hangar.core.quota.QuotaExceededException when the workspace is not meant to run yet
     *     and running it would take its owner past a quota (checked in the same transaction as the
     *     desired-state change)
     */
    public Workspace start(User actor, String owner, String name) {
        return change(actor, owner, name, Action.START);
    }

    /** Asks for the workspace to stop, keeping its disk. Idempotent. */
    public Workspace stop(User actor, String owner, String name) {
        return change(actor, owner, name, Action.STOP);
    }

    /**
     * Asks for a stop followed by a start.
     *
     * @throws dev.hangar.core.domain.LifecycleConflictException when it is not meant to be running
     */
    public Workspace restart(User actor, String owner, String name) {
        return change(actor, owner, name, Action.RESTART);
    }

    /** Asks for the workspace and its disk to be removed. Idempotent; the row goes when the provider reports nothing left. */
    public Workspace delete(User actor, String owner, String name) {
        return change(actor, owner, name, Action.DELETE);
    }

    /** @return the workspace's events, oldest first, at most {@code limit} (the newest) */
    public List<WorkspaceEvent> events(User actor, String owner, String name, int limit) {
        Workspace w = get(actor, owner, name);
        return store.events().list(w.id(), Math.max(1, Math.min(limit, 10_000)));
    }

    /**
     * How often a user's change is tried when the row changed between its read and its write: the
     * reconciler's first pass updates a new workspace's row at about the moment a quick {@code
     * delete} after {@code create} reads it (PostgreSQL's read committed let 23-53 % of those fail
     * with 409 in the API latency benchmark). The change is a desired state, so redoing it on the
     * fresh row is what the user asked for. {@link UserAdminService#delete} retries a transfer as often.
     */
    static final int CHANGE_ATTEMPTS = 5;

    private Workspace change(User actor, String owner, String name, Action action) {
        for (int attempt = 1; ; attempt++) {
            try {
                Workspace updated = changeOnce(actor, owner, name, action);
                onChange.accept(updated.id());
                return updated;
            } catch (StaleVersionException e) {
                if (attempt == CHANGE_ATTEMPTS) throw e;
            }
        }
    }

    private Workspace changeOnce(User actor, String owner, String name, Action action) {
        return store.inTransaction(tx -> {
            Workspace w = visible(tx, actor, owner, name);
            Lifecycle.checkAction(action, w.phase(), w.desired());
            if (action == Action.START && w.desired() != DesiredState.RUNNING) {
                Optional<User> o = w.owner().equals(actor.name())
                        ? Optional.of(actor)
                        : tx.users().find(w.owner());
                o.ifPresent(u -> quotas.admit(
                        tx,
                        u,
                        QuotaUsage.starting(
                                w.parameters().resources(), w.parameters().devices())));
            }
            Instant now = now();
            Workspace next = switch (action) {
                case START -> w.withDesired(DesiredState.RUNNING, now).withRestartPending(false);
                case STOP -> w.withDesired(DesiredState.STOPPED, now).withRestartPending(false);
                case RESTART -> w.withDesired(DesiredState.RUNNING, now).withRestartPending(true);
                case DELETE -> w.withDesired(DesiredState.DELETED, now).withRestartPending(false);
            };
            // A user action is the way out of Failed: the reconciler leaves Failed workspaces alone
            // until someone asks again, so a crash loop cannot burn the host.
            if (w.phase() == Phase.Failed && action != Action.DELETE) {
                next = next.withPhase(action == Action.STOP ? Phase.Stopping : Phase.Provisioning, "", now)
                        .withFailures(0);
            }
            if (next.equals(w)) return w;
            Workspace s = tx.workspaces().update(next);
            if (action == Action.START || action == Action.RESTART) {
                // A start begins a new idle period (and forgets an old lease's warning).
                Optional<WorkspaceActivity> a = tx.activity().find(w.id());
                tx.activity()
                        .save(a.map(x -> x.activeAt(now))
                                .orElseGet(() -> WorkspaceActivity.startingAt(w.id(), now, Optional.empty())));
            }
            tx.events()
                    .append(new WorkspaceEvent(
                            0,
                            w.id(),
                            now,
                            actor.name(),
                            action.name().toLowerCase(java.util.Locale.ROOT),
                            action.name().toLowerCase(java.util.Locale.ROOT) + " requested by " + actor.name()));
            return s;
        });
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static NotFoundException notFound(String owner, String name) {
        return new NotFoundException("workspace '" + name + "' of " + owner + " does not exist");
    }
}
