package dev.hangar.core.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconciler's work queue: which workspace gets a pass when, independent of what a pass does.
 *
 * <ul>
 *   <li><b>Delay queue.</b> Each workspace id is scheduled at most once; scheduling it again keeps
 *       the earlier of the two times (so {@link #enqueue} pulls a later poll forward, and a
 *       resync never pushes anything back).
 *   <li><b>Running and dirty sets.</b> Passes for one id never overlap: an id that comes due while
 *       its pass runs is marked dirty and runs again right after that pass.
 *   <li><b>Concurrency limit.</b> At most {@code concurrency} passes run at once; due ids wait in
 *       the queue (in due order) for a free slot.
 *   <li><b>Next pass.</b> The worker's result says when to run the id again (polling, backoff);
 *       empty means converged. A worker that throws is retried after {@code errorDelay}.
 *   <li><b>Resync.</b> {@link #resync} enqueues ids that are not already scheduled: an id backing
 *       off after an error keeps its later time, so resync never cuts backoff short.
 *   <li><b>Close with grace.</b> {@link #close(Duration)} stops dispatching and waits for passes
 *       in flight.
 * </ul>
 *
 * <p>Time comes from the injected {@link Clock}; threads and timers from the {@link
 * ReconcileScheduler}, so tests step both. The clock must advance with the scheduler's timers (the
 * system clock does). Thread-safe.
 */
public final class ReconcileQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReconcileQueue.class);

    private final Clock clock;
    private final ReconcileScheduler scheduler;
    private final int concurrency;
    private final Duration errorDelay;
    private final Function<String, Optional<Duration>> worker;

    private final Object lock = new Object();
    private final PriorityQueue<Due> queue = new PriorityQueue<>();
    private final Map<String, Instant> scheduled = new HashMap<>();
    private final Set<String> running = new HashSet<>();
    private final Set<String> dirty = new HashSet<>();
    private Instant timerAt; // when the armed timer fires, or null when none is armed
    private boolean closed;

    /**
     * @param concurrency most passes running at once, at least 1
     * @param errorDelay when to retry an id whose worker threw (a bug, not a provider error)
     * @param worker runs one pass for an id and says when to run it again (empty: not until
     *     enqueued); called on the scheduler's threads, never twice at once for one id
     * @throws IllegalArgumentException when concurrency is below 1
     */
    public ReconcileQueue(
            Clock clock,
            ReconcileScheduler scheduler,
            int concurrency,
            Duration errorDelay,
            Function<String, Optional<Duration>> worker) {
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be at least 1");
        this.clock = clock;
        this.scheduler = scheduler;
        this.concurrency = concurrency;
        this.errorDelay = errorDelay;
        this.worker = worker;
    }

    /** Schedules a pass for the id as soon as possible. Never blocks; idempotent. */
    public void enqueue(String id) {
        schedule(id, Duration.ZERO);
    }

    /**
     * Schedules a pass for the id after {@code delay}, or keeps an earlier scheduled time. Never
     * blocks; ignored after {@link #close}.
     */
    public void schedule(String id, Duration delay) {
        synchronized (lock) {
            if (closed) return;
            Instant at = clock.instant().plus(delay.isNegative() ? Duration.ZERO : delay);
            Instant old = scheduled.get(id);
            if (old != null && !old.isAfter(at)) return;
            scheduled.put(id, at);
            queue.add(new Due(id, at));
            dispatch();
        }
    }

    /**
     * Enqueues each id that is neither scheduled nor running; an id already scheduled (polling, or
     * backing off after an error) keeps its time, and a running pass schedules its own next one.
     */
    public void resync(Collection<String> ids) {
        for (String id : ids) {
            synchronized (lock) {
                if (!scheduled.containsKey(id) && !running.contains(id)) enqueue(id);
            }
        }
    }

    /** @return when the id's next pass is due, if one is scheduled */
    public Optional<Instant> scheduledAt(String id) {
        synchronized (lock) {
            return Optional.ofNullable(scheduled.get(id));
        }
    }

    /** @return the ids whose pass runs now, sorted */
    public Set<String> running() {
        synchronized (lock) {
            return new TreeSet<>(running);
        }
    }

    /** @return true when no pass runs and none is due within {@code horizon} from now */
    public boolean idle(Duration horizon) {
        synchronized (lock) {
            Instant limit = clock.instant().plus(horizon);
            return running.isEmpty() && scheduled.values().stream().allMatch(at -> at.isAfter(limit));
        }
    }

    /** Starts every due pass that fits under the limit, then arms a timer for the next due time. */
    private void dispatch() {
        Instant now = clock.instant();
        while (!closed && !queue.isEmpty() && !queue.peek().at().isAfter(now)) {
            Due due = queue.peek();
            if (!due.at().equals(scheduled.get(due.id()))) {
                queue.poll(); // superseded by an earlier schedule
                continue;
            }
            if (running.contains(due.id())) {
                queue.poll();
                scheduled.remove(due.id());
                dirty.add(due.id()); // its pass runs now: run again right after it
                continue;
            }
            if (running.size() >= concurrency) return; // a finishing pass dispatches again
            queue.poll();
            scheduled.remove(due.id());
            running.add(due.id());
            String id = due.id();
            scheduler.execute("reconcile-" + id, () -> runPass(id));
        }
        armTimer();
    }

    private void armTimer() {
        Due head = queue.peek();
        if (closed || head == null) return;
        if (timerAt != null && !timerAt.isAfter(head.at())) return; // an earlier timer is armed
        Instant at = head.at();
        timerAt = at;
        scheduler.schedule(Duration.between(clock.instant(), at), () -> {
            synchronized (lock) {
                if (at.equals(timerAt)) timerAt = null;
                dispatch();
            }
        });
    }

    private void runPass(String id) {
        Optional<Duration> next;
        try {
            next = worker.apply(id);
        } catch (RuntimeException e) {
            LOG.error("reconcile pass for {} failed unexpectedly", id, e);
            next = Optional.of(errorDelay);
        }
        synchronized (lock) {
            running.remove(id);
            lock.notifyAll();
            if (dirty.remove(id)) {
                enqueue(id);
            } else {
                next.ifPresent(d -> schedule(id, d));
            }
            dispatch();
        }
    }

    /**
     * Drops every scheduled pass (dirty marks too) and waits up to {@code grace} (real time) for
     * passes in flight; unlike {@link #close}, later {@link #schedule} calls work as before. A pass
     * in flight still schedules its successor when it returns one (the caller's worker decides
     * whether that pass does anything). Idempotent.
     *
     * @return true when no pass was running any more
     */
    public boolean drain(Duration grace) {
        synchronized (lock) {
            queue.clear();
            scheduled.clear();
            dirty.clear();
        }
        return awaitRunning(grace);
    }

    /** How long {@link #close()} waits for passes in flight. */
    public static final Duration CLOSE_GRACE = Duration.ofSeconds(15);

    /** {@link #close(Duration)} with {@link #CLOSE_GRACE}. */
    @Override
    public void close() {
        close(CLOSE_GRACE);
    }

    /**
     * Stops dispatching (scheduled ids are dropped; later {@link #schedule} calls are ignored),
     * closes the scheduler's timers and waits up to {@code grace} (real time) for passes in flight.
     * A pass still running after that is logged by id and left to finish. Idempotent.
     *
     * @return true when no pass was running any more
     */
    public boolean close(Duration grace) {
        synchronized (lock) {
            closed = true;
            queue.clear();
            scheduled.clear();
            dirty.clear();
        }
        scheduler.close();
        return awaitRunning(grace);
    }

    private boolean awaitRunning(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (lock) {
            try {
                while (!running.isEmpty()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) break;
                    lock.wait(Math.max(1, left / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (running.isEmpty()) return true;
            LOG.warn(
                    "reconcile passes still running after {} ms at shutdown: {}; they converge after the next start",
                    grace.toMillis(),
                    new TreeSet<>(running));
            return false;
        }
    }

    private record Due(String id, Instant at) implements Comparable<Due> {
        @Override
        public int compareTo(Due o) {
            return at.compareTo(o.at);
        }
    }
}
