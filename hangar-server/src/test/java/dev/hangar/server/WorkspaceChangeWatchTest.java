package dev.hangar.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link WorkspaceChangeWatch} on a generation the test moves by hand, read every 5 ms. */
class WorkspaceChangeWatchTest {
    private static final Duration LONG = Duration.ofSeconds(30);

    private final AtomicLong generation = new AtomicLong(7);
    private final WorkspaceChangeWatch watch = new WorkspaceChangeWatch(generation::get, Duration.ofMillis(5));

    @Test
    void waitersAreWokenWhenTheGenerationMovesNotAtEveryReadAndTheReaderStopsWhenNobodyWaits() {
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<Boolean>> waiting = IntStream.range(0, 3)
                    .mapToObj(i -> CompletableFuture.supplyAsync(() -> awaitChange(7, LONG), threads))
                    .toList();
            // Each newcomer is woken once for its first read, then sleeps through reads of the same value.
            await().atMost(LONG).until(() -> watch.stats().reads() >= 20);
            assertThat(waiting).noneMatch(CompletableFuture::isDone);
            assertThat(watch.stats().wakeups()).isBetween(1L, 3L);

            generation.set(8);
            for (CompletableFuture<Boolean> w : waiting) assertThat(w.join()).isTrue();
            await().atMost(LONG).until(() -> !watch.stats().reading());
        }
    }

    @Test
    void aWaiterWhoseSeenGenerationIsAlreadyOldReturnsAtTheFirstReadEvenIfNothingMovedSinceTheLastOne()
            throws Exception {
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<Boolean> current = CompletableFuture.supplyAsync(() -> awaitChange(7, LONG), threads);
            await().atMost(LONG).until(() -> watch.stats().reads() >= 3);

            // The reader keeps reading 7 for the first waiter; a second arrives having seen 6.
            assertThat(watch.awaitChange(6, LONG)).isTrue();
            assertThat(current).isNotDone();
            generation.set(9);
            assertThat(current.join()).isTrue();
        }
    }

    @Test
    void anUnchangedGenerationTimesOut() throws Exception {
        assertThat(watch.awaitChange(7, Duration.ofMillis(50))).isFalse();
        await().atMost(LONG).until(() -> !watch.stats().reading());
    }

    @Test
    void aReadThatFailsIsRetriedAtTheNextInterval() throws Exception {
        AtomicLong failures = new AtomicLong(3);
        var flaky = new WorkspaceChangeWatch(
                () -> {
                    if (failures.getAndDecrement() > 0) throw new IllegalStateException("database unreachable");
                    return 2;
                },
                Duration.ofMillis(5));
        assertThat(flaky.awaitChange(1, LONG)).isTrue();
        assertThat(failures.get()).isNegative();
    }

    @Test
    void theIntervalMustBePositive() {
        assertThatThrownBy(() -> new WorkspaceChangeWatch(generation::get, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("interval must be positive");
    }

    private boolean awaitChange(long seen, Duration timeout) {
        try {
            return watch.awaitChange(seen, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
