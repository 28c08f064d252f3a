package dev.hangar.core.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A {@link ReconcileScheduler} that does nothing by itself: executed tasks wait until the test
 * runs them ({@link #runNext}, {@link #runAll}) on the test's thread, and timers fire only when the
 * test advances the clock ({@link #advance}). Deterministic; for one test thread.
 */
final class SteppingScheduler implements ReconcileScheduler {
    private record Task(String name, Runnable body) {}

    private record Timer(Instant at, long order, Runnable body) {}

    private final MutableClock clock;
    private final List<Task> ready = new ArrayList<>();
    private final List<Timer> timers = new ArrayList<>();
    private long order;
    private boolean closed;

    SteppingScheduler(MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized void execute(String name, Runnable task) {
        ready.add(new Task(name, task));
    }

    @Override
    public synchronized void schedule(Duration delay, Runnable task) {
        if (closed) return;
        timers.add(new Timer(clock.instant().plus(delay), order++, task));
    }

    @Override
    public synchronized void close() {
        closed = true;
        timers.clear();
    }

    /** @return the names of executed tasks not run yet, in order */
    synchronized List<String> ready() {
        return ready.stream().map(Task::name).toList();
    }

    /** Runs the oldest executed task, if any. @return its name */
    Optional<String> runNext() {
        Task t;
        synchronized (this) {
            if (ready.isEmpty()) return Optional.empty();
            t = ready.removeFirst();
        }
        t.body().run();
        return Optional.of(t.name());
    }

    /** Runs executed tasks (and those they execute) until none is left. @return their names */
    List<String> runAll() {
        List<String> names = new ArrayList<>();
        for (Optional<String> n = runNext(); n.isPresent(); n = runNext()) names.add(n.get());
        return names;
    }

    /** Moves the clock by {@code d}, firing each timer that comes due, in time order, at its time. */
    void advance(Duration d) {
        Instant end = clock.instant().plus(d);
        while (true) {
            Timer next;
            synchronized (this) {
                next = timers.stream()
                        .filter(t -> !t.at().isAfter(end))
                        .min(Comparator.comparing(Timer::at).thenComparingLong(Timer::order))
                        .orElse(null);
                if (next == null) break;
                timers.remove(next);
            }
            if (next.at().isAfter(clock.instant())) clock.advance(Duration.between(clock.instant(), next.at()));
            next.body().run();
        }
        if (end.isAfter(clock.instant())) clock.advance(Duration.between(clock.instant(), end));
    }
}
