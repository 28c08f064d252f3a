package dev.hangar.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hangar.core.store.InMemoryStore;
import dev.hangar.testfixtures.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

/** Audit entries written off the caller's thread: stamped when offered, bounded, counted drops. */
class AuditQueueTest {
    private static final Instant T0 = Instant.parse("2026-12-05T06:00:00Z");

    private final InMemoryStore store = new InMemoryStore();
    private final TestClock clock = new TestClock(T0);
    private final AuditLog log = new AuditLog(store, clock, Duration.ofDays(1));

    /** A writer that starts its work only once {@code gate} opens (so a test can fill the queue). */
    private static ThreadFactory heldBack(CountDownLatch gate) {
        return work -> Thread.ofVirtual().unstarted(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            work.run();
        });
    }

    private List<AuditEntry> stored() {
        return log.list(AuditQuery.ALL, 10_000);
    }

    @Test
    void everyOfferedEntryIsWrittenSoonStampedWithTheTimeItWasOffered() {
        try (AuditQueue q = new AuditQueue(log, 16)) {
            assertThat(q.offer("anonymous", "auth.failed", "alice/ci", "127.0.0.1", "401"))
                    .isTrue();
            clock.advance(Duration.ofSeconds(5));
            assertThat(q.offer("anonymous", "auth.failed", "", "127.0.0.2", "401"))
                    .isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> stored().size() == 2);
            assertThat(stored())
                    .extracting(AuditEntry::at, AuditEntry::target, AuditEntry::source)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(T0.plusSeconds(5), "", "127.0.0.2"),
                            org.assertj.core.groups.Tuple.tuple(T0, "alice/ci", "127.0.0.1"));
            assertThat(q.dropped()).isZero();
        }
    }

    @Test
    void aFullQueueDropsAndCountsAndCloseWritesEverythingQueued() {
        CountDownLatch gate = new CountDownLatch(1);
        AuditQueue q = new AuditQueue(log, 3, heldBack(gate));
        for (int i = 0; i < 3; i++)
            assertThat(q.offer("anonymous", "auth.failed", "t" + i, "", "401")).isTrue();
        assertThat(q.offer("anonymous", "auth.failed", "t3", "", "401")).isFalse();
        assertThat(q.offer("anonymous", "auth.failed", "t4", "", "401")).isFalse();
        assertThat(q.dropped()).isEqualTo(2);
        assertThat(stored()).isEmpty(); // nothing written in the caller's thread

        gate.countDown();
        q.close();
        assertThat(stored()).extracting(AuditEntry::target).containsExactlyInAnyOrder("t0", "t1", "t2");

        // after close, an entry is written by the caller before offer returns
        assertThat(q.offer("anonymous", "auth.failed", "late", "", "401")).isTrue();
        assertThat(stored()).extracting(AuditEntry::target).contains("late");
        q.close(); // idempotent
    }

    @Test
    void aFloodLargerThanOneBatchIsWrittenInFull() {
        int n = AuditQueue.MAX_BATCH * 3 + 7;
        CountDownLatch gate = new CountDownLatch(1);
        try (AuditQueue q = new AuditQueue(log, n, heldBack(gate))) {
            for (int i = 0; i < n; i++)
                assertThat(q.offer("anonymous", "auth.failed", "", "10.0.0." + (i % 250), "401"))
                        .isTrue();
            gate.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> stored().size() == n);
            assertThat(q.dropped()).isZero();
        }
    }

    @Test
    void anInvalidEntryIsLoggedNotThrownAndCapacityMustBePositive() {
        try (AuditQueue q = new AuditQueue(log, 4)) {
            assertThat(q.offer("anonymous", "", "", "", "401")).isFalse();
            assertThat(q.dropped()).isZero();
        }
        assertThatThrownBy(() -> new AuditQueue(log, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity");
    }
}
