package dev.hangar.core.autostop;

import dev.hangar.core.domain.User;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.service.WorkspaceService;
import dev.hangar.core.store.Store;
import dev.hangar.core.template.Template;
import dev.hangar.core.template.TemplateCatalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracks when each workspace was last used, for idle auto-stop: SSH bytes through the gateway, an
 * attached console, a USB attachment held open ({@link HeldOpen}) and explicit leases ({@code
 * hangar keepalive}). Time comes from the injected {@link Clock} only.
 *
 * <p>Writes are throttled: {@link #record} keeps the newest activity in memory at once and writes
 * it to the store at most once per {@link Settings#writeInterval()} per workspace, so a busy SSH
 * session is not a database write per packet. The in-memory value is merged into every read
 * ({@link #current}), so the throttle costs no accuracy while the server runs; after a restart the
 * stored value is at most one write interval old. Thread-safe.
 */
public final class ActivityService {
    private static final Logger LOG = LoggerFactory.getLogger(ActivityService.class);

    /**
     * @param writeInterval at most one store write per workspace per this interval for {@link
     *     #record} (leases are written at once)
     * @param maxLease the longest lease one {@link #lease} call may take ({@code autostop.max-lease})
     */
    public record Settings(Duration writeInterval, Duration maxLease) {
        /** One write a minute, leases up to a day. */
        public static final Settings DEFAULTS = new Settings(Duration.ofMinutes(1), Duration.ofHours(24));

        public Settings {
            Objects.requireNonNull(writeInterval, "writeInterval");
            Objects.requireNonNull(maxLease, "maxLease");
            if (writeInterval.isNegative()) throw new IllegalArgumentException("writeInterval must not be negative");
            if (maxLease.isNegative() || maxLease.isZero())
                throw new IllegalArgumentException("maxLease must be positive");
        }
    }

    private final Store store;
    private final TemplateCatalog templates;
    private final WorkspaceService workspaces;
    private final Clock clock;
    private final Settings settings;
    /** Newest activity seen per workspace id (may be newer than the store). */
    private final ConcurrentHashMap<String, Instant> latest = new ConcurrentHashMap<>();
    /** When {@link #record} last wrote per workspace id. */
    private final ConcurrentHashMap<String, Instant> written = new ConcurrentHashMap<>();

    private final List<HeldOpen> held = new CopyOnWriteArrayList<>();

    /**
     * @param templates where a workspace's {@code autostop} setting comes from (unless overridden)
     * @param workspaces who may see which workspace (leases follow the same rules: 404 for others')
     * @param clock the only source of time
     */
    public ActivityService(
            Store store, TemplateCatalog templates, WorkspaceService workspaces, Clock clock, Settings settings) {
        this.store = Objects.requireNonNull(store);
        this.templates = Objects.requireNonNull(templates);
        this.workspaces = Objects.requireNonNull(workspaces);
        this.clock = Objects.requireNonNull(clock);
        this.settings = Objects.requireNonNull(settings);
    }

    /** @return the settings it runs with */
    public Settings settings() {
        return settings;
    }

    /** Adds a source of activity that lasts while something is held open (console, USB). */
    public void addHeldOpen(HeldOpen source) {
        held.add(Objects.requireNonNull(source, "source"));
    }

    /** @return whether any {@link HeldOpen} source holds the workspace open now */
    public boolean held(String workspaceId) {
        for (HeldOpen h : held) {
            try {
                if (h.holds(workspaceId)) return true;
            } catch (RuntimeException e) {
                LOG.warn("activity source failed for workspace {}: {}", workspaceId, e.toString());
            }
        }
        return false;
    }

    /**
     * Records that the workspace was used now. Cheap and non-blocking in the common case (a map
     * update); writes the store at most once per write interval per workspace. Never throws: a
     * failed write (e.g. the workspace was deleted meanwhile) is logged.
     */
    public void record(String workspaceId, ActivitySource source) {
        Instant now = now();
        latest.merge(workspaceId, now, (a, b) -> a.isAfter(b) ? a : b);
        Instant last = written.get(workspaceId);
        if (last != null && Duration.between(last, now).compareTo(settings.writeInterval()) < 0) return;
        if (last == null ? written.putIfAbsent(workspaceId, now) != null : !written.replace(workspaceId, last, now))
            return; // another thread writes this interval
        try {
            store.inTransaction(tx -> {
                tx.activity().find(workspaceId).ifPresent(a -> tx.activity().save(a.activeAt(now)));
                return null;
            });
        } catch (RuntimeException e) {
            LOG.info("activity ({}) of workspace {} not recorded: {}", source, workspaceId, e.getMessage());
        }
    }

    /**
     * Keeps the workspace from being auto-stopped for {@code duration} from now, and counts as
     * activity now. Idempotent in effect (a lease never shortens an earlier, longer one). Records a
     * {@code keepalive} event.
     *
     * @param owner the owner's name; empty for the actor
     * @throws ValidationException (field {@code for}) when {@code duration} is not positive or
     *     longer than {@link Settings#maxLease()}
     * @throws dev.hangar.core.domain.NotFoundException when it does not exist or the actor may not
     *     see it
     */
    public ActivityStatus lease(User actor, String owner, String name, Duration duration) {
        if (duration.isNegative() || duration.isZero())
            throw new ValidationException("for", "for must be a positive duration such as 30m or 3h");
        if (duration.compareTo(settings.maxLease()) > 0)
            throw new ValidationException(
                    "for",
                    "for " + Autostop.format(duration) + " is longer than this server allows ("
                            + Autostop.format(settings.maxLease()) + ", autostop.max-lease)");
        Workspace w = workspaces.get(actor, owner, name);
        Instant now = now();
        Instant until = now.plus(duration);
        latest.merge(w.id(), now, (a, b) -> a.isAfter(b) ? a : b);
        WorkspaceActivity saved = store.inTransaction(tx -> {
            WorkspaceActivity a = tx.activity()
                    .find(w.id())
                    .orElseGet(() -> WorkspaceActivity.startingAt(w.id(), now, java.util.Optional.empty()))
                    .activeAt(now)
                    .leasedUntil(until);
            tx.activity().save(a);
            tx.events()
                    .append(new WorkspaceEvent(
                            0,
                            w.id(),
                            now,
                            actor.name(),
                            "keepalive",
                            "kept alive until " + a.leaseUntil() + " by " + actor.name()));
            return a;
        });
        return new ActivityStatus(autostop(w, saved), saved);
    }

    /** @return the auto-stop status of a workspace the caller has already been allowed to see */
    public ActivityStatus status(Workspace w) {
        WorkspaceActivity a = current(w);
        return new ActivityStatus(autostop(w, a), a);
    }

    /**
     * The workspace's activity as stored, with newer in-memory activity merged in. A workspace
     * without a stored row (created before auto-stop existed) counts as active since its last
     * change.
     */
    public WorkspaceActivity current(Workspace w) {
        WorkspaceActivity a = store.activity()
                .find(w.id())
                .orElseGet(() -> WorkspaceActivity.startingAt(w.id(), w.updatedAt(), java.util.Optional.empty()));
        Instant mem = latest.get(w.id());
        return mem == null ? a : a.activeAt(mem);
    }

    /**
     * @return the setting in force: the workspace's own (create {@code --autostop}), else its
     *     owner's default ({@code hangar autostop set}), else its template's, else off
     */
    public Autostop autostop(Workspace w, WorkspaceActivity a) {
        return inForce(w, a, () -> store.activity().userDefault(w.owner()));
    }

    /**
     * {@link #autostop(Workspace, WorkspaceActivity)} with the users' defaults read once by the
     * caller ({@link dev.hangar.core.store.ActivityStore#userDefaults}), for a sweep over many workspaces.
     */
    public Autostop autostop(Workspace w, WorkspaceActivity a, Map<String, Autostop> userDefaults) {
        return inForce(w, a, () -> java.util.Optional.ofNullable(userDefaults.get(w.owner())));
    }

    /** The one place of the precedence; the owner's default is read only when the workspace has no own setting. */
    private Autostop inForce(
            Workspace w, WorkspaceActivity a, java.util.function.Supplier<java.util.Optional<Autostop>> ownerDefault) {
        return a.override().or(ownerDefault).orElseGet(() -> templateSetting(w));
    }

    private Autostop templateSetting(Workspace w) {
        return templates.find(w.template()).map(Template::autostop).orElse(Autostop.OFF);
    }

    /** Forgets the in-memory state of a workspace (after it stopped or was deleted). */
    void forget(String workspaceId) {
        latest.remove(workspaceId);
        written.remove(workspaceId);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
