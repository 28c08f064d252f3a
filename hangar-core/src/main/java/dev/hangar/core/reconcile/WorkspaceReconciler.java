package dev.hangar.core.reconcile;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.secret.SecretFiles;
import dev.hangar.core.service.HostCertificateAuthority;
import dev.hangar.core.store.Store;
import dev.hangar.core.store.WorkspaceFilter;
import dev.hangar.core.template.TemplateCatalog;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Level-triggered reconciler: for each workspace it compares the desired state recorded in the
 * store with what the provider observes, and calls the provider's idempotent {@code apply} or
 * {@code delete} until they match (the Kubernetes controller pattern).
 *
 * <p>This class wires two parts: {@link ReconcileQueue} decides when a workspace gets a pass
 * (on a change through {@link #enqueue} or a provider's {@code ProviderListener.changed()}, on a
 * periodic resync of every workspace, every {@code pollInterval} while a workspace is
 * transitioning, and after a transient error with exponential backoff); {@link ReconcilePass} is what one pass does (read, observe, decide, apply or delete,
 * save). Passes for one workspace never overlap; passes for different workspaces run concurrently,
 * at most {@code concurrency} at a time.
 *
 * <p>All state lives in the store, so a restarted server resumes every unfinished operation at
 * its first resync. A workspace in {@link Phase#Failed} is left alone until a user action moves
 * it out (see {@code WorkspaceService}), so a crash loop cannot burn the host.
 *
 * <p>Thread-safe.
 */
public final class WorkspaceReconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkspaceReconciler.class);

    /** The longest delay between two attempts after consecutive failures. */
    public static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    /**
     * Tuning knobs.
     *
     * @param concurrency most passes running at once, at least 1
     * @param pollInterval delay between passes while a workspace is transitioning
     * @param resyncInterval delay between resyncs of every workspace
     * @param baseBackoff delay after the first transient failure; doubles per consecutive failure
     *     up to {@link #MAX_BACKOFF}
     * @param maxAttempts consecutive failed attempts after which a workspace goes Failed with the
     *     last reason, at least 1 (deletes are retried without bound)
     */
    public record Settings(
            int concurrency, Duration pollInterval, Duration resyncInterval, Duration baseBackoff, int maxAttempts) {
        /** Consecutive failed attempts before Failed, by default. */
        public static final int DEFAULT_MAX_ATTEMPTS = 8;

        /** 8 concurrent passes, 1 s polling, 30 s resync, 1 s base backoff, 8 attempts. */
        public static final Settings DEFAULTS =
                new Settings(8, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(1));

        /**
         * @throws IllegalArgumentException when concurrency or maxAttempts is below 1
         */
        public Settings {
            if (concurrency < 1) throw new IllegalArgumentException("concurrency must be at least 1");
            if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
        }

        /** Settings with {@link #DEFAULT_MAX_ATTEMPTS}. */
        public Settings(int concurrency, Duration pollInterval, Duration resyncInterval, Duration baseBackoff) {
            this(concurrency, pollInterval, resyncInterval, baseBackoff, DEFAULT_MAX_ATTEMPTS);
        }

        /** @return a copy with another attempt bound */
        public Settings withMaxAttempts(int attempts) {
            return new Settings(concurrency, pollInterval, resyncInterval, baseBackoff, attempts);
        }

        /**
         * @param failures consecutive failures so far, at least 1
         * @return the delay before the next attempt: {@code baseBackoff * 2^(failures-1)}, at most
         *     {@link #MAX_BACKOFF} (never less than {@code baseBackoff} when that is larger)
         */
        public Duration backoff(int failures) {
            long factor = 1L << Math.min(Math.max(failures, 1) - 1, 20);
            Duration d = baseBackoff.multipliedBy(factor);
            Duration cap = MAX_BACKOFF.compareTo(baseBackoff) > 0 ? MAX_BACKOFF : baseBackoff;
            return d.compareTo(cap) > 0 ? cap : d;
        }
    }

    private final Store store;
    private final Settings settings;
    private final ReconcilePass pass;
    private final ReconcileQueue queue;
    private final ReconcileScheduler scheduler;
    private boolean started;

    /**
     * A reconciler whose passes and timers run on {@code scheduler} ({@link
     * ReconcileScheduler#virtualThreads()} in the server; tests step it), that delivers {@code
     * secrets} when a workspace starts ({@link SecretFiles#NONE} for none), and whose passes run
     * under {@code fence} (its {@link ReconcileFence#active()} is combined with this reconciler's
     * own {@link #pause}/{@link #resume} state; {@link ReconcileFence#local()} for a single server).
     */
    public WorkspaceReconciler(
            Store store,
            TemplateCatalog templates,
            ProviderRegistry providers,
            HostCertificateAuthority hostCa,
            Clock clock,
            Settings settings,
            ReconcilerMetrics metrics,
            ReconcileScheduler scheduler,
            SecretFiles secrets,
            ReconcileFence fence) {
        this.store = store;
        this.settings = settings;
        this.scheduler = scheduler;
        ReconcileFence gated = new ReconcileFence(
                fence.holder(), fence.epoch(), () -> !paused && fence.active().getAsBoolean(), fence.claimTtl());
        // A provider's changed() (sshd answered, the VM exited) runs the next pass at once instead of
        // after the poll interval: the transition is recorded when it happens.
        this.pass = new ReconcilePass(
                store, templates, providers, hostCa, clock, settings, metrics, secrets, gated, this::enqueue);
        this.queue = new ReconcileQueue(clock, scheduler, settings.concurrency(), settings.baseBackoff(), pass::run);
    }

    private volatile boolean paused;

    /**
     * Stops reconciling, e.g. when this replica loses leadership: drops every scheduled pass, makes
     * {@link #enqueue} and the resync no-ops, makes passes still in flight stop before their next
     * provider call that changes something, and waits up to {@code grace} for them. Idempotent.
     *
     * @return true when no pass was running any more
     */
    public boolean pause(Duration grace) {
        paused = true;
        return queue.drain(grace);
    }

    /**
     * Reconciles again after {@link #pause} (e.g. on gaining leadership): a resync of every
     * workspace runs at once. Idempotent; a no-op while not paused.
     */
    public void resume() {
        if (!paused) return;
        paused = false;
        scheduler.execute("reconciler-resume", this::resyncOnce);
    }

    /** @return true between {@link #pause} and {@link #resume} */
    public boolean paused() {
        return paused;
    }

    /** Starts the periodic resync (whose first run is immediate). Call once. */
    public synchronized void start() {
        if (started) throw new IllegalStateException("already started");
        started = true;
        scheduler.schedule(Duration.ZERO, this::resync);
    }

    /** Schedules a pass for the workspace as soon as possible. Never blocks; idempotent. */
    public void enqueue(String workspaceId) {
        if (paused) return; // the leader's resync picks the change up
        queue.enqueue(workspaceId);
    }

    /** @return true when no pass is running or due within the poll interval (for tests and shutdown) */
    public boolean idle() {
        return queue.idle(settings.pollInterval());
    }

    private void resync() {
        resyncOnce();
        scheduler.schedule(settings.resyncInterval(), this::resync);
    }

    private void resyncOnce() {
        if (paused) return;
        try {
            // Failed workspaces wait for a user action, unless they should be deleted.
            List<String> ids = store.workspaces().list(WorkspaceFilter.ALL).stream()
                    .filter(w -> w.phase() != Phase.Failed || w.desired() == DesiredState.DELETED)
                    .map(Workspace::id)
                    .toList();
            queue.resync(ids);
        } catch (RuntimeException e) {
            LOG.warn("resync could not list workspaces: {}", e.getMessage());
        }
    }

    /**
     * Runs one pass for the workspace, synchronously (see {@link ReconcilePass#run}).
     *
     * @return when to run the next pass (still converging or retrying after a transient error);
     *     empty when converged, Failed, or deleted
     */
    public Optional<Duration> reconcileOnce(String id) {
        return pass.run(id);
    }

    /** How long {@link #close()} waits for passes in flight. */
    public static final Duration CLOSE_GRACE = ReconcileQueue.CLOSE_GRACE;

    /** {@link #close(Duration)} with {@link #CLOSE_GRACE}. */
    @Override
    public void close() {
        close(CLOSE_GRACE);
    }

    /**
     * Stops dispatching and the resync, and waits up to {@code grace} for passes in flight, so that a
     * graceful shutdown does not close the store under a running pass. A pass still running after
     * that is logged by workspace id and left to finish or die with the process: passes are
     * idempotent and the next start converges (level-triggered). Providers are not closed here.
     * Idempotent.
     *
     * @return true when no pass was running any more
     */
    public boolean close(Duration grace) {
        return queue.close(grace);
    }
}
