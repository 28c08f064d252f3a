package dev.hangar.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import org.junit.jupiter.api.Test;

/** The queue alone, stepped by hand: a scripted worker, a clock the test moves, no threads. */
class ReconcileQueueTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration ERROR_DELAY = Duration.ofSeconds(3);

    private final MutableClock clock = new MutableClock(T0);
    private final SteppingScheduler scheduler = new SteppingScheduler(clock);
    private final List<String> passes = new ArrayList<>();
    private final Map<String, Queue<Optional<Duration>>> results = new HashMap<>();

    /** The worker answers what the test scripted for the id, else empty (converged). */
    private Optional<Duration> work(String id) {
        passes.add(id);
        Queue<Optional<Duration>> q = results.get(id);
        return q == null || q.isEmpty() ? Optional.empty() : q.poll();
    }

    private void script(String id, Optional<Duration> result) {
        results.computeIfAbsent(id, k -> new ArrayDeque<>()).add(result);
    }

    private ReconcileQueue queue(int concurrency) {
        return new ReconcileQueue(clock, scheduler, concurrency, ERROR_DELAY, this::work);
    }

    @Test
    void schedulingAnIdSeveralTimesKeepsTheEarliestTimeAndRunsOnePass() {
        ReconcileQueue q = queue(4);
        q.schedule("a", Duration.ofSeconds(5));
        q.schedule("a", Duration.ofSeconds(3));
        q.schedule("a", Duration.ofSeconds(10));
        assertThat(q.scheduledAt("a")).contains(T0.plusSeconds(3));
        assertThat(q.idle(Duration.ofSeconds(1))).isTrue();
        assertThat(q.idle(Duration.ofSeconds(3))).isFalse();

        scheduler.advance(Duration.ofSeconds(2));
        assertThat(scheduler.ready()).isEmpty();
        scheduler.advance(Duration.ofSeconds(10));
        assertThat(scheduler.ready()).containsExactly("reconcile-a");
        scheduler.runAll();
        scheduler.advance(Duration.ofSeconds(10));
        scheduler.runAll();
        assertThat(passes).containsExactly("a");
        assertThat(q.idle(Duration.ofSeconds(1))).isTrue();
    }

    @Test
    void anIdDueWhileItsPassRunsRunsOnceMoreRightAfterIt() {
        ReconcileQueue q = queue(4);
        q.enqueue("a");
        assertThat(q.running()).containsExactly("a");
        q.enqueue("a"); // arrives while the pass is in flight: marked dirty, not run concurrently
        q.enqueue("a");
        assertThat(scheduler.ready()).containsExactly("reconcile-a");

        scheduler.runNext();
        assertThat(passes).containsExactly("a");
        assertThat(scheduler.ready()).as("the dirty id runs again at once").containsExactly("reconcile-a");
        scheduler.runAll();
        assertThat(passes).containsExactly("a", "a");
        assertThat(q.idle(Duration.ofSeconds(1))).isTrue();
    }

    @Test
    void atMostConcurrencyPassesRunAndTheRestWaitInDueOrder() {
        ReconcileQueue q = queue(2);
        q.enqueue("a");
        clock.advance(Duration.ofMillis(1));
        q.enqueue("b");
        clock.advance(Duration.ofMillis(1));
        q.enqueue("c");
        clock.advance(Duration.ofMillis(1));
        q.enqueue("d");
        assertThat(q.running()).containsExactly("a", "b");
        assertThat(scheduler.ready()).containsExactly("reconcile-a", "reconcile-b");

        scheduler.runNext(); // a ends: one slot frees, the earliest waiting id takes it
        assertThat(q.running()).containsExactly("b", "c");
        scheduler.runAll();
        assertThat(passes).containsExactly("a", "b", "c", "d");
        assertThat(q.running()).isEmpty();
    }

    @Test
    void theWorkersDelayPollsAgainAndEnqueuePullsItForward() {
        ReconcileQueue q = queue(4);
        script("a", Optional.of(Duration.ofSeconds(10)));
        script("a", Optional.of(Duration.ofSeconds(10)));
        q.enqueue("a");
        scheduler.runAll();
        assertThat(q.scheduledAt("a")).contains(T0.plusSeconds(10));

        scheduler.advance(Duration.ofSeconds(9));
        assertThat(scheduler.ready()).isEmpty();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(scheduler.ready()).containsExactly("reconcile-a");
        scheduler.runAll();
        assertThat(q.scheduledAt("a")).contains(T0.plusSeconds(20));

        q.enqueue("a"); // a user's change does not wait for the poll
        scheduler.runAll();
        assertThat(passes).containsExactly("a", "a", "a");
        assertThat(q.scheduledAt("a")).isEmpty();
    }

    @Test
    void resyncDoesNotCutBackoffShort() {
        ReconcileQueue q = queue(4);
        script("a", Optional.of(Duration.ofSeconds(8))); // backing off after a failure
        q.enqueue("a");
        scheduler.runAll();

        q.resync(List.of("a", "b"));
        assertThat(q.scheduledAt("a")).contains(T0.plusSeconds(8));
        scheduler.runAll();
        assertThat(passes).containsExactly("a", "b");

        scheduler.advance(Duration.ofSeconds(7));
        q.resync(List.of("a", "b"));
        scheduler.runAll();
        assertThat(passes).containsExactly("a", "b", "b");
        scheduler.advance(Duration.ofSeconds(1));
        scheduler.runAll();
        assertThat(passes).containsExactly("a", "b", "b", "a");
    }

    @Test
    void resyncLeavesARunningPassAlone() {
        ReconcileQueue q = queue(4);
        script("a", Optional.of(Duration.ofSeconds(8)));
        q.enqueue("a");
        q.resync(List.of("a"));
        scheduler.runAll();
        assertThat(passes).containsExactly("a");
        assertThat(q.scheduledAt("a")).contains(T0.plusSeconds(8));
    }

    @Test
    void aWorkerThatThrowsIsRetriedAfterTheErrorDelay() {
        ReconcileQueue q = new ReconcileQueue(clock, scheduler, 4, ERROR_DELAY, id -> {
            passes.add(id);
            if (passes.size() == 1) throw new IllegalStateException("bug");
            return Optional.empty();
        });
        q.enqueue("a");
        scheduler.runAll();
        assertThat(q.scheduledAt("a")).contains(T0.plus(ERROR_DELAY));
        scheduler.advance(ERROR_DELAY);
        scheduler.runAll();
        assertThat(passes).containsExactly("a", "a");
    }

    @Test
    void closeWaitsForPassesInFlightWithinItsGraceAndStopsDispatching() {
        ReconcileQueue q = queue(4);
        script("b", Optional.of(Duration.ofSeconds(1)));
        q.enqueue("a");
        q.schedule("c", Duration.ofSeconds(1));

        assertThat(q.close(Duration.ZERO)).as("a pass is in flight").isFalse();
        q.enqueue("b");
        assertThat(scheduler.ready()).containsExactly("reconcile-a");

        scheduler.runAll(); // the pass in flight ends
        assertThat(q.close(Duration.ZERO)).isTrue();
        assertThat(q.close(Duration.ZERO)).as("idempotent").isTrue();
        scheduler.advance(Duration.ofSeconds(5));
        scheduler.runAll();
        assertThat(passes).containsExactly("a");
    }
}
