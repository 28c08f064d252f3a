package dev.hangar.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The reconcile-claim part of the store contract (migration V15: fencing between replicas), run by
 * {@link StoreContractTest} on SQLite and on PostgreSQL.
 */
interface ReconcileClaimStoreContract {
    Instant CLAIM_T0 = Instant.parse("2026-12-03T12:00:00Z");
    Duration CLAIM_TTL = Duration.ofMinutes(2);

    /** @return the fresh store of the running test */
    JdbiStore claimStore();

    @Test
    default void aClaimExcludesOtherHoldersUntilReleasedOrExpiredAndIsReentrantForItsHolder() {
        var claims = claimStore().claims();
        String ws = "claim-ws-1";
        assertThat(claims.claim(ws, "replica-a", 3, CLAIM_T0, CLAIM_T0.plus(CLAIM_TTL)))
                .isTrue();
        assertThat(claims.claim(
                        ws,
                        "replica-b",
                        3,
                        CLAIM_T0.plusSeconds(1),
                        CLAIM_T0.plusSeconds(1).plus(CLAIM_TTL)))
                .as("same epoch, not expired: another holder is refused")
                .isFalse();
        assertThat(claims.claim(
                        ws,
                        "replica-a",
                        3,
                        CLAIM_T0.plusSeconds(2),
                        CLAIM_T0.plusSeconds(2).plus(CLAIM_TTL)))
                .as("the holder renews its own claim")
                .isTrue();
        assertThat(claims.claim(
                        ws,
                        "replica-b",
                        2,
                        CLAIM_T0.plusSeconds(3),
                        CLAIM_T0.plusSeconds(3).plus(CLAIM_TTL)))
                .as("a lower epoch never takes over")
                .isFalse();

        claims.release(ws, "replica-b"); // not the holder: no effect
        assertThat(claims.claim(
                        ws,
                        "replica-b",
                        3,
                        CLAIM_T0.plusSeconds(4),
                        CLAIM_T0.plusSeconds(4).plus(CLAIM_TTL)))
                .isFalse();
        claims.release(ws, "replica-a");
        claims.release(ws, "replica-a"); // idempotent
        assertThat(claims.claim(
                        ws,
                        "replica-b",
                        3,
                        CLAIM_T0.plusSeconds(5),
                        CLAIM_T0.plusSeconds(5).plus(CLAIM_TTL)))
                .as("released: free for anyone")
                .isTrue();

        Instant lapsed = CLAIM_T0.plusSeconds(5).plus(CLAIM_TTL);
        assertThat(claims.claim(ws, "replica-a", 3, lapsed.minusMillis(1), lapsed.plus(CLAIM_TTL)))
                .as("one millisecond before expiry it still holds")
                .isFalse();
        assertThat(claims.claim(ws, "replica-a", 3, lapsed, lapsed.plus(CLAIM_TTL)))
                .as("expired: a crashed holder's claim lapses")
                .isTrue();
    }

    @Test
    default void aNewerEpochTakesOverAtOnceAndTheOldTermCannotTakeItBack() {
        var claims = claimStore().claims();
        String ws = "claim-ws-2";
        assertThat(claims.claim(ws, "old-leader", 1, CLAIM_T0, CLAIM_T0.plus(CLAIM_TTL)))
                .isTrue();
        assertThat(claims.claim(
                        ws,
                        "new-leader",
                        2,
                        CLAIM_T0.plusSeconds(1),
                        CLAIM_T0.plusSeconds(1).plus(CLAIM_TTL)))
                .isTrue();
        assertThat(claims.claim(
                        ws,
                        "old-leader",
                        1,
                        CLAIM_T0.plusSeconds(2),
                        CLAIM_T0.plusSeconds(2).plus(CLAIM_TTL)))
                .isFalse();
        // the same identity in a stale term cannot renew over its own newer claim's epoch either
        assertThat(claims.claim(
                        ws,
                        "new-leader",
                        1,
                        CLAIM_T0.plusSeconds(3),
                        CLAIM_T0.plusSeconds(3).plus(CLAIM_TTL)))
                .isFalse();
        assertThatThrownBy(() -> claims.claim(ws, " ", 1, CLAIM_T0, CLAIM_T0.plus(CLAIM_TTL)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> claims.claim(ws, "x", -1, CLAIM_T0, CLAIM_T0.plus(CLAIM_TTL)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> claims.claim(ws, "x", 1, CLAIM_T0, CLAIM_T0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    default void ofManyHoldersRacingForOneWorkspaceExactlyOneWins() throws Exception {
        var claims = claimStore().claims();
        int racers = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(racers)) {
            for (int i = 0; i < racers; i++) {
                String holder = "racer-" + i;
                Callable<Boolean> race = () -> {
                    go.await();
                    return claims.claim("claim-ws-race", holder, 5, CLAIM_T0, CLAIM_T0.plus(CLAIM_TTL));
                };
                results.add(pool.submit(race));
            }
            go.countDown();
            int won = 0;
            for (Future<Boolean> f : results) if (f.get()) won++;
            assertThat(won).isEqualTo(1);
        }
    }
}
