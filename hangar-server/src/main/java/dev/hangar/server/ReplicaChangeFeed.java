package dev.hangar.server;

import dev.hangar.core.domain.WorkspaceSummary;
import dev.hangar.core.store.Store;
import dev.hangar.core.store.WorkspaceCursor;
import dev.hangar.core.store.WorkspaceFilter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With leader election, a change made through a follower's API (create, start, stop, delete) is
 * only written to the store: the follower has no way into the leader's reconcile queue. This
 * leader-only job reads every workspace's version each {@code interval} (one query per {@value
 * #PAGE} workspaces, summaries: no host key is opened) and enqueues the
 * workspaces whose version changed since the last look, so such a change is acted on within about
 * one poll interval instead of at the next full resync. The first look only records versions (the
 * leader's resync on gaining leadership covers everything).
 *
 * <p>Not thread-safe on its own; {@link #start} runs it on one timer thread.
 */
final class ReplicaChangeFeed implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaChangeFeed.class);

    /** Rows per store read. */
    static final int PAGE = 1000;

    private final Store store;
    private final Consumer<String> enqueue;
    private Map<String, Long> seen;

    ReplicaChangeFeed(Store store, Consumer<String> enqueue) {
        this.store = store;
        this.enqueue = enqueue;
    }

    @Override
    public void run() {
        Map<String, Long> now = new HashMap<>();
        // Summaries, page by page: a version is all this needs, and a whole workspace would open its
        // sealed host key on every poll (ADR 0018). A workspace created behind the walk's cursor is
        // not in this look; the next look finds it without a recorded version and enqueues it.
        WorkspaceCursor after = WorkspaceCursor.START;
        while (true) {
            List<WorkspaceSummary> page = store.workspaces().summaries(WorkspaceFilter.ALL, after, PAGE);
            for (WorkspaceSummary w : page) {
                now.put(w.id(), w.version());
                if (seen != null && !Long.valueOf(w.version()).equals(seen.get(w.id()))) enqueue.accept(w.id());
            }
            if (page.size() < PAGE) break;
            after = WorkspaceCursor.after(page.getLast().owner(), page.getLast().name());
        }
        seen = now;
    }

    /**
     * Runs a new feed every {@code interval} on a daemon thread (a failed look is logged and the next
     * one runs on time).
     *
     * @return stops the timer; idempotent
     */
    static AutoCloseable start(Store store, Consumer<String> enqueue, Duration interval) {
        ReplicaChangeFeed feed = new ReplicaChangeFeed(store, enqueue);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("replica-change-feed").daemon().factory());
        long ms = Math.max(1, interval.toMillis());
        timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        feed.run();
                    } catch (RuntimeException e) {
                        LOG.warn("could not look for workspaces changed through other replicas: {}", e.getMessage());
                    }
                },
                0,
                ms,
                TimeUnit.MILLISECONDS);
        return timer::shutdownNow;
    }
}
