package dev.hangar.core.reconcile;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Lifecycle;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.StaleVersionException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.service.HostCertificateAuthority;
import dev.hangar.core.store.Store;
import dev.hangar.core.store.WorkspaceFilter;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Level-triggered reconciler: for each workspace it compares the desired state recorded in the
 * store with what the provider observes, and calls the provider's idempotent {@code apply} or
 * {@code delete} until they match (the Kubernetes controller pattern).
 *
 * <p>A pass runs when a workspace changes ({@link #enqueue}), on a periodic resync of every
 * workspace, while a workspace is transitioning (polling every {@code pollInterval}), and after
 * a transient error with exponential backoff (1 s doubling up to 5 min). Passes for one workspace
 * never overlap; passes for different workspaces run concurrently on virtual threads, at most
 * {@code concurrency} at a time.
 *
 * <p>All state lives in the store, so a restarted server resumes every unfinished operation at
 * its first resync. A workspace in {@link Phase#Failed} is left alone until a user action moves
 * it out (see {@code WorkspaceService}), so a crash loop cannot burn the host.
 *
 * <p>Thread-safe.
 */
public final class WorkspaceReconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkspaceReconciler.class);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    /**
     * Tuning knobs.
     *
     * @param concurrency most passes running at once, at least 1
     * @param pollInterval delay between passes while a workspace is transitioning
     * @param resyncInterval delay between resyncs of every workspace
     * @param baseBackoff delay after the first transient failure; doubles per consecutive failure
     */
    public record Settings(int concurrency, Duration pollInterval, Duration resyncInterval, Duration baseBackoff) {
        /** 8 concurrent passes, 1 s polling, 30 s resync, 1 s base backoff. */
        public static final Settings DEFAULTS =
                new Settings(8, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(1));

        public Settings {
            if (concurrency < 1) throw new IllegalArgumentException("concurrency must be at least 1");
        }
    }

    private final Store store;
    private final TemplateCatalog templates;
    private final ProviderRegistry providers;
    private final HostCertificateAuthority hostCa;
    private final Clock clock;
    private final Settings settings;
    private final ReconcilerMetrics metrics;

    private final DelayQueue<Due> queue = new DelayQueue<>();
    private final Map<String, Long> scheduled = new ConcurrentHashMap<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private final Semaphore permits;
    private volatile boolean closed;
    private Thread dispatcher;
    private Thread resync;

    public WorkspaceReconciler(
            Store store,
            TemplateCatalog templates,
            ProviderRegistry providers,
            HostCertificateAuthority hostCa,
            Clock clock,
            Settings settings,
            ReconcilerMetrics metrics) {
        this.store = store;
        this.templates = templates;
        this.providers = providers;
        this.hostCa = Objects.requireNonNull(hostCa, "hostCa");
        this.clock = clock;
        this.settings = settings;
        this.metrics = metrics;
        this.permits = new Semaphore(settings.concurrency());
    }

    /** Starts the dispatcher and the periodic resync (whose first run is immediate). Call once. */
    public synchronized void start() {
        if (dispatcher != null) throw new IllegalStateException("already started");
        dispatcher = Thread.ofVirtual().name("reconciler-dispatch").start(this::dispatch);
        resync = Thread.ofVirtual().name("reconciler-resync").start(this::resyncLoop);
    }

    /** Schedules a pass for the workspace as soon as possible. Never blocks; idempotent. */
    public void enqueue(String workspaceId) {
        schedule(workspaceId, Duration.ZERO);
    }

    /** @return true when no pass is running or due within the poll interval (for tests and shutdown) */
    public boolean idle() {
        long horizon = System.nanoTime() + settings.pollInterval().toNanos();
        return running.isEmpty() && scheduled.values().stream().allMatch(at -> at > horizon);
    }

    private void schedule(String id, Duration delay) {
        if (closed) return;
        long at = System.nanoTime() + delay.toNanos();
        Long merged = scheduled.merge(id, at, Math::min);
        if (merged == at) queue.add(new Due(id, at));
    }

    private void dispatch() {
        while (!closed) {
            Due due;
            try {
                due = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (!scheduled.remove(due.id(), due.at())) continue; // superseded by an earlier schedule
            if (!running.add(due.id())) {
                dirty.add(due.id()); // a pass is running; run again right after it
                continue;
            }
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                running.remove(due.id());
                return;
            }
            Thread.ofVirtual().name("reconcile-" + due.id()).start(() -> runPass(due.id()));
        }
    }

    private void runPass(String id) {
        try {
            reconcileOnce(id).ifPresent(next -> schedule(id, next));
        } catch (RuntimeException e) {
            LOG.error("reconcile pass for {} failed unexpectedly", id, e);
            schedule(id, settings.baseBackoff());
        } finally {
            running.remove(id);
            permits.release();
            if (dirty.remove(id)) schedule(id, Duration.ZERO);
        }
    }

    private void resyncLoop() {
        while (!closed) {
            try {
                store.workspaces().list(WorkspaceFilter.ALL).forEach(w -> {
                    // A workspace already scheduled (e.g. backing off after an error) keeps its time:
                    // resync must not cut exponential backoff short.
                    boolean wanted = w.phase() != Phase.Failed || w.desired() == DesiredState.DELETED;
                    if (wanted && !scheduled.containsKey(w.id())) enqueue(w.id());
                });
            } catch (RuntimeException e) {
                LOG.warn("resync could not list workspaces: {}", e.getMessage());
            }
            try {
                Thread.sleep(settings.resyncInterval());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Runs one pass for the workspace, synchronously.
     *
     * @return when to run the next pass (still converging or retrying after a transient error);
     *     empty when converged, Failed, or deleted
     */
    public Optional<Duration> reconcileOnce(String id) {
        Optional<Workspace> found = store.workspaces().find(id);
        if (found.isEmpty()) return Optional.empty();
        Workspace w = found.get();
        Instant started = clock.instant();
        Optional<WorkspaceProvider> provider = providers.find(w.providerType());
        if (provider.isEmpty()) {
            save(
                    w,
                    w.withPhase(
                            Phase.Failed,
                            "provider '" + w.providerType() + "' is not enabled on this server; registered: "
                                    + providers.types(),
                            now()));
            return Optional.empty();
        }
        WorkspaceProvider p = provider.get();
        WorkspaceSpec spec =
                WorkspaceSpecs.of(w, templates.find(w.template()), store.users().keys(w.owner()), hostCa);
        ProviderListener listener = new Listener(w.id(), w.providerType());
        try {
            Optional<Duration> next =
                    w.desired() == DesiredState.DELETED ? delete(w, p, spec, listener) : converge(w, p, spec, listener);
            metrics.pass(w.providerType(), "ok", Duration.between(started, clock.instant()));
            return next;
        } catch (StaleVersionException e) {
            return Optional.of(Duration.ZERO); // the user changed it meanwhile: re-read and go again
        } catch (NotFoundException e) {
            return Optional.empty(); // deleted meanwhile
        } catch (ProviderException e) {
            boolean permanent = e.permanent();
            metrics.pass(w.providerType(), permanent ? "failed" : "retry", Duration.between(started, clock.instant()));
            return failed(id, e.getMessage(), permanent);
        } catch (RuntimeException e) {
            LOG.warn("reconcile of workspace {} failed", id, e);
            metrics.pass(w.providerType(), "retry", Duration.between(started, clock.instant()));
            return failed(id, e.getClass().getSimpleName() + ": " + e.getMessage(), false);
        }
    }

    private Optional<Duration> delete(Workspace w, WorkspaceProvider p, WorkspaceSpec spec, ProviderListener listener) {
        if (w.phase() != Phase.Deleting)
            w = save(w, w.withPhase(Phase.Deleting, "", now()).withSsh("", 0));
        Observation obs = p.delete(spec, listener);
        if (obs instanceof Observation.Absent) {
            store.workspaces().delete(w.id(), w.version());
            LOG.info("workspace {} ({}/{}) deleted", w.id(), w.owner(), w.name());
            return Optional.empty();
        }
        return Optional.of(settings.pollInterval());
    }

    private Optional<Duration> converge(
            Workspace w, WorkspaceProvider p, WorkspaceSpec spec, ProviderListener listener) {
        if (w.phase() == Phase.Failed) return Optional.empty(); // waits for a user action
        PowerState power = w.desired() == DesiredState.RUNNING ? PowerState.RUNNING : PowerState.STOPPED;
        if (w.restartPending()) {
            if (w.phase() == Phase.Stopped) {
                w = save(w, w.withRestartPending(false));
            } else {
                power = PowerState.STOPPED;
            }
        }
        if (w.phase() == Phase.Pending) w = save(w, w.withPhase(Phase.Provisioning, "", now()));
        Observation obs = p.apply(spec, power, listener);
        Phase observed = phaseOf(obs);
        Workspace next;
        if (!Lifecycle.canTransition(w.phase(), observed)) {
            next = w.withPhase(
                    Phase.Failed,
                    "unexpected observation " + observed + " in phase " + w.phase() + ": " + obs.detail(),
                    now());
        } else {
            next = w.withPhase(observed, obs.detail(), now());
        }
        next = obs instanceof Observation.Running r
                ? next.withSsh(r.ssh().host(), r.ssh().port())
                : next.withSsh("", 0);
        w = save(w, next.withFailures(0));
        if (w.restartPending() && w.phase() == Phase.Stopped) return Optional.of(Duration.ZERO);
        boolean settled = w.phase() == Phase.Failed
                || (power == PowerState.RUNNING && w.phase() == Phase.Running)
                || (power == PowerState.STOPPED && w.phase() == Phase.Stopped);
        return settled ? Optional.empty() : Optional.of(settings.pollInterval());
    }

    private Optional<Duration> failed(String id, String message, boolean permanent) {
        String msg = message == null ? "unknown error" : message;
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<Workspace> cur = store.workspaces().find(id);
            if (cur.isEmpty()) return Optional.empty();
            Workspace w = cur.get();
            int failures = w.failures() + 1;
            Workspace next = (permanent ? w.withPhase(Phase.Failed, msg, now()) : w.withPhase(w.phase(), msg, now()))
                    .withFailures(failures);
            try {
                store.inTransaction(tx -> {
                    tx.workspaces().update(next);
                    tx.events()
                            .append(new WorkspaceEvent(
                                    0,
                                    id,
                                    now(),
                                    WorkspaceEvent.SYSTEM,
                                    "error",
                                    (permanent ? "failed: " : "will retry (attempt " + failures + "): ") + msg));
                    return null;
                });
            } catch (StaleVersionException e) {
                continue;
            }
            if (permanent) return Optional.empty();
            long factor = 1L << Math.min(failures - 1, 20);
            Duration backoff = settings.baseBackoff().multipliedBy(factor);
            return Optional.of(backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff);
        }
        return Optional.of(settings.baseBackoff());
    }

    /** Stores {@code next} (if it differs) with a {@code phase} event when the phase changed. */
    private Workspace save(Workspace prev, Workspace next) {
        // A pass that observed nothing new only touched updatedAt: no write, no version bump.
        if (differsAtMostInUpdatedAt(prev, next)) return prev;
        return store.inTransaction(tx -> {
            Workspace s = tx.workspaces().update(next);
            if (prev.phase() != next.phase()) {
                String why = next.reason().isEmpty() ? "" : ": " + next.reason();
                tx.events()
                        .append(new WorkspaceEvent(
                                0,
                                prev.id(),
                                now(),
                                WorkspaceEvent.SYSTEM,
                                "phase",
                                prev.phase() + " -> " + next.phase() + why));
            }
            return s;
        });
    }

    private static boolean differsAtMostInUpdatedAt(Workspace a, Workspace b) {
        return a.withPhase(a.phase(), a.reason(), b.updatedAt()).equals(b);
    }

    private static Phase phaseOf(Observation obs) {
        return switch (obs) {
            case Observation.Absent a -> Phase.Provisioning;
            case Observation.Stopped s -> Phase.Stopped;
            case Observation.Starting s -> Phase.Starting;
            case Observation.Running r -> Phase.Running;
            case Observation.Stopping s -> Phase.Stopping;
            case Observation.Failed f -> Phase.Failed;
        };
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** How long {@link #close()} waits for passes in flight. */
    public static final Duration CLOSE_GRACE = Duration.ofSeconds(15);

    /** {@link #close(Duration)} with {@link #CLOSE_GRACE}. */
    @Override
    public void close() {
        close(CLOSE_GRACE);
    }

    /**
     * Stops dispatching and waits up to {@code grace} for passes in flight, so that a graceful
     * shutdown does not close the store under a running pass. A pass still running after that is
     * logged by workspace id and left to finish or die with the process: passes are idempotent and
     * the next start converges (level-triggered). Providers are not closed here. Idempotent.
     *
     * @return true when no pass was running any more
     */
    public boolean close(Duration grace) {
        closed = true;
        if (dispatcher != null) dispatcher.interrupt();
        if (resync != null) resync.interrupt();
        try {
            if (permits.tryAcquire(settings.concurrency(), grace.toMillis(), TimeUnit.MILLISECONDS)) {
                permits.release(settings.concurrency());
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.warn(
                "reconcile passes still running after {} s at shutdown: {}; they converge after the next start",
                grace.toSeconds(),
                running);
        return false;
    }

    private final class Listener implements ProviderListener {
        private final String workspaceId;
        private final String providerType;

        Listener(String workspaceId, String providerType) {
            this.workspaceId = workspaceId;
            this.providerType = providerType;
        }

        @Override
        public void event(String type, String message) {
            store.events().append(new WorkspaceEvent(0, workspaceId, now(), WorkspaceEvent.SYSTEM, type, message));
        }

        @Override
        public void phaseTiming(String phase, Duration duration) {
            metrics.phaseTiming(providerType, phase, duration);
            store.events()
                    .append(new WorkspaceEvent(
                            0,
                            workspaceId,
                            now(),
                            WorkspaceEvent.SYSTEM,
                            "timing",
                            String.format(Locale.ROOT, "%s took %.1f s", phase, duration.toMillis() / 1000.0)));
        }
    }

    private record Due(String id, long at) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(at - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(at, ((Due) o).at);
        }
    }
}
