package dev.hangar.server;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets requests wait for a write to any workspace row ({@code GET /api/v1/workspaces/{name}?changedFrom=})
 * without each of them polling the store: while at least one request waits, one virtual thread reads
 * the store's workspace write generation ({@link dev.hangar.core.store.WorkspaceStore#generation()})
 * every {@code interval} and wakes the waiters; with nobody waiting it ends, and nothing is read.
 *
 * <p>The generation is kept by the database in the writer's transaction, so the reconciler's
 * writes in this process, another replica's and hand-made SQL all move it; no in-process hook could
 * see the other two. Cost: one small read ({@code SELECT SUM(value) FROM workspaces_generation})
 * per interval while anyone waits, however many wait; a waiter learns of a write at most one
 * interval (plus a read) after its commit. A read wakes the waiters only when the generation moved
 * since the previous read, or when a waiter came since then (its first read decides, as its {@code
 * seen} may be older than the last value): a hundred idle dashboards are not all woken every interval.
 *
 * <p>Thread-safe.
 */
final class WorkspaceChangeWatch {
    private static final Logger LOG = LoggerFactory.getLogger(WorkspaceChangeWatch.class);

    private final LongSupplier generation;
    private final Duration interval;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition read = lock.newCondition();
    // guarded by lock
    private int waiters;
    private boolean ticking;
    private long reads; // generation reads so far, so a waiter ignores values read before it came
    private long latest;
    private int newcomers; // waiters that came since the last read
    private long wakeups;

    /**
     * @param generation the store's workspace write generation (one small read; it may throw when the
     *     database is unreachable: the read is retried at the next interval)
     * @param interval between two reads while anyone waits; positive
     */
    WorkspaceChangeWatch(LongSupplier generation, Duration interval) {
        if (interval.isNegative() || interval.isZero())
            throw new IllegalArgumentException("interval must be positive: " + interval);
        this.generation = generation;
        this.interval = interval;
    }

    /**
     * Blocks until a read of the generation made after this call began differs from {@code seen},
     * or {@code timeout} passed.
     *
     * @param seen a generation the caller read before what it is waiting to see change
     * @return whether the generation moved (false: the timeout passed first)
     * @throws InterruptedException when the calling thread is interrupted
     */
    boolean awaitChange(long seen, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            long since = reads;
            waiters++;
            newcomers++;
            try {
                while (reads == since || latest == seen) {
                    if (nanos <= 0) return false;
                    if (!ticking) { // none yet, or the last one ended (nobody waited, or it was interrupted)
                        ticking = true;
                        Thread.ofVirtual().name("workspace-change-watch").start(this::tick);
                    }
                    nanos = read.awaitNanos(nanos);
                }
                return true;
            } finally {
                waiters--;
                if (reads == since) newcomers--; // left before any read: that read need not wake anyone
            }
        } finally {
            lock.unlock();
        }
    }

    /** For tests: generation reads so far, reads that woke the waiters, whether the reader runs. */
    Stats stats() {
        lock.lock();
        try {
            return new Stats(reads, wakeups, ticking);
        } finally {
            lock.unlock();
        }
    }

    /**
     * @param reads successful reads of the generation since this watch was made
     * @param wakeups reads that woke the waiters
     * @param reading whether the reader thread runs
     */
    record Stats(long reads, long wakeups, boolean reading) {}

    /** The reader: reads, wakes the waiters if needed, sleeps an interval; ends when nobody waits. */
    private void tick() {
        while (true) {
            boolean ok = false;
            long g = 0;
            try {
                g = generation.getAsLong();
                ok = true;
            } catch (RuntimeException e) {
                // the waiting requests' own next store read reports the failure to their callers
                LOG.debug("cannot read the workspace write generation: {}", e.toString());
            }
            lock.lock();
            try {
                if (ok) {
                    boolean moved = g != latest;
                    latest = g;
                    reads++;
                    if (moved || newcomers > 0) {
                        newcomers = 0;
                        wakeups++;
                        read.signalAll();
                    }
                }
                if (waiters == 0) {
                    ticking = false;
                    return;
                }
            } finally {
                lock.unlock();
            }
            try {
                TimeUnit.NANOSECONDS.sleep(interval.toNanos());
            } catch (InterruptedException e) {
                lock.lock();
                try {
                    ticking = false; // the next waiter's loop starts another
                    read.signalAll();
                } finally {
                    lock.unlock();
                }
                return;
            }
        }
    }
}
