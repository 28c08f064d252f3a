package dev.hangar.server;

import dev.hangar.core.reconcile.WorkspaceReconciler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's singleton background work, which only the leading replica runs: the
 * reconciler (paused while not leading) and the periodic jobs that change workspaces or shared rows
 * (the idle auto-stop and auto-delete sweeps, audit pruning). {@link #lead(long)} starts them,
 * {@link #follow()} stops them at once; both are idempotent. Without leader election the server
 * calls {@link #lead(long)} once at start.
 *
 * <p>Thread-safe: leadership callbacks arrive on the elector's threads.
 */
final class LeaderJobs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderJobs.class);

    /** How long {@link #follow()} waits for reconcile passes in flight. */
    static final Duration PAUSE_GRACE = Duration.ofSeconds(5);

    private final WorkspaceReconciler reconciler;
    private final List<Supplier<AutoCloseable>> timers;
    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private final AtomicLong term;
    private volatile boolean leading;
    private boolean closed;

    /**
     * @param reconciler started and paused by the caller; resumed here while leading
     * @param term set to the leadership term on {@link #lead(long)}; the reconciler's claims read it
     * @param timers each starts one periodic job and returns what stops it
     */
    LeaderJobs(WorkspaceReconciler reconciler, AtomicLong term, List<Supplier<AutoCloseable>> timers) {
        this.reconciler = Objects.requireNonNull(reconciler, "reconciler");
        this.term = Objects.requireNonNull(term, "term");
        this.timers = List.copyOf(timers);
    }

    /**
     * Starts the singleton jobs (no-op when they run already or after {@link #close()}).
     *
     * @param term the leadership term, the epoch of this replica's reconcile claims
     */
    synchronized void lead(long term) {
        if (closed || leading) return;
        this.term.set(term);
        leading = true;
        for (Supplier<AutoCloseable> t : timers) running.push(t.get());
        reconciler.resume();
    }

    /**
     * Stops the singleton jobs at once: the reconciler starts no new pass (passes in flight stop
     * before their next provider call that changes something; waited for up to {@link
     * #PAUSE_GRACE}) and the timers are cancelled. Idempotent.
     */
    synchronized void follow() {
        if (!leading) return;
        leading = false;
        stopTimers();
        if (!reconciler.pause(PAUSE_GRACE)) LOG.warn("reconcile passes still running after leadership was lost");
    }

    /** @return true while the singleton jobs run */
    boolean leading() {
        return leading;
    }

    /** @return the term of the current (or last) leadership, 0 before any */
    long epoch() {
        return term.get();
    }

    private void stopTimers() {
        while (!running.isEmpty()) {
            try {
                running.pop().close();
            } catch (Exception e) {
                LOG.warn("error while stopping a background job: {}", e.toString());
            }
        }
    }

    /** Stops the timers (the reconciler is closed by its owner). Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        leading = false;
        stopTimers();
    }
}
