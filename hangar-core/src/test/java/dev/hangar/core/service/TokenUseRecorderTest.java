package dev.hangar.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hangar.core.domain.Role;
import dev.hangar.core.store.InMemoryStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Last-used times written off the request path: collapsed, guarded, flushed on close. */
class TokenUseRecorderTest {
    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    private static final Duration MINUTE = UserService.LAST_USED_GRANULARITY;

    private final InMemoryStore store = new InMemoryStore();
    private final UserService users = new UserService(store, Clock.fixed(T0, ZoneOffset.UTC));

    private String tokenId(String user) {
        users.create(user, Role.MEMBER);
        return users.issueToken(user, "t").stored().id();
    }

    private Optional<Instant> lastUsed(String id) {
        return store.users().findToken(id).orElseThrow().lastUsedAt();
    }

    @Test
    void aBackgroundRecorderWritesTheLatestUseOfEachTokenSoonAfter() {
        String a = tokenId("use-alice");
        String b = tokenId("use-bob");
        try (TokenUseRecorder r = TokenUseRecorder.background(store, MINUTE)) {
            r.record(a, T0);
            r.record(b, T0.plusSeconds(1));
            r.record(a, T0.plus(Duration.ofMinutes(5)));
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(lastUsed(a)).contains(T0.plus(Duration.ofMinutes(5))));
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(lastUsed(b)).contains(T0.plusSeconds(1)));
            // a late, older use never moves the time back (the store's guard)
            r.record(a, T0.plusSeconds(30));
            r.flush();
            assertThat(lastUsed(a)).contains(T0.plus(Duration.ofMinutes(5)));
        }
    }

    @Test
    void closeWritesWhatIsNotedAndLaterUsesAreWrittenAtOnce() {
        String a = tokenId("use-carol");
        TokenUseRecorder r = TokenUseRecorder.background(store, MINUTE);
        r.record(a, T0);
        r.close();
        assertThat(lastUsed(a)).contains(T0);
        r.record(a, T0.plus(Duration.ofMinutes(2)));
        assertThat(lastUsed(a)).contains(T0.plus(Duration.ofMinutes(2)));
        r.close(); // idempotent
    }

    @Test
    void aDeletedTokenIsNoFailure() {
        String a = tokenId("use-dave");
        store.users().removeToken(a);
        try (TokenUseRecorder r = TokenUseRecorder.background(store, MINUTE)) {
            r.record(a, T0);
            r.flush();
        }
        assertThat(store.users().findToken(a)).isEmpty();
    }

    @Test
    void theDirectRecorderWritesBeforeRecordReturns() {
        String a = tokenId("use-erin");
        TokenUseRecorder.direct(store, MINUTE).record(a, T0);
        assertThat(lastUsed(a)).contains(T0);
    }
}
