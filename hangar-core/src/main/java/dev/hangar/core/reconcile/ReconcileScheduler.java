package dev.hangar.core.reconcile;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Where {@link ReconcileQueue} runs its work: passes (at once, concurrently) and timers (after a
 * delay). The production implementation is {@link #virtualThreads()}; tests use a stepping
 * implementation that runs tasks only when the test says so and measures delays on a clock the
 * test advances, so queue behaviour is checked without real time.
 *
 * <p>Implementations must be thread-safe. A task handed over after {@link #close()} may be
 * dropped silently.
 */
public interface ReconcileScheduler extends AutoCloseable {

    /**
     * Runs {@code task} concurrently with the caller, as soon as possible. Never blocks.
     *
     * @param name a thread name for logs, e.g. {@code reconcile-<id>}
     */
    void execute(String name, Runnable task);

    /**
     * Runs {@code task} once, no earlier than {@code delay} from now (by the scheduler's notion of
     * time). Never blocks; {@code task} must not block for long.
     *
     * @param delay zero or positive
     */
    void schedule(Duration delay, Runnable task);

    /** Drops pending timers; tasks already running are not interrupted. Idempotent. */
    @Override
    void close();

    /** @return the production scheduler: one virtual thread per task, timers on one timer thread */
    static ReconcileScheduler virtualThreads() {
        return new VirtualThreads();
    }

    /** Passes on virtual threads; timers on a single virtual timer thread that hands off at once. */
    final class VirtualThreads implements ReconcileScheduler {
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofVirtual().name("reconciler-timer").factory());

        private VirtualThreads() {}

        @Override
        public void execute(String name, Runnable task) {
            Thread.ofVirtual().name(name).start(task);
        }

        @Override
        public void schedule(Duration delay, Runnable task) {
            try {
                timer.schedule(
                        () -> execute("reconciler-tick", task), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // closed: the queue is shutting down
            }
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }
}
