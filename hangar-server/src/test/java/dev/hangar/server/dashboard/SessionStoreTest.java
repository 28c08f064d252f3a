package dev.hangar.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Session ids, expiry (idle and absolute) and sign-out, on a clock the test moves. */
class SessionStoreTest {
    /** A clock the test moves by hand. */
    private static final class MovingClock extends Clock {
        private Instant now = Instant.parse("2026-12-03T10:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void idsAreRandomAndOnlyTheirHashesAreKept() {
        SessionStore store = new SessionStore(new MovingClock());
        SessionStore.Created a = store.create("sess-a");
        SessionStore.Created b = store.create("sess-a");
        assertThat(a.id()).isNotEqualTo(b.id()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(a.session().csrf()).isNotEqualTo(b.session().csrf()).isNotEqualTo(a.id());
        assertThat(store.find(a.id()).map(SessionStore.Session::user)).contains("sess-a");
        assertThat(store.find(a.id() + "x")).isEmpty();
        assertThat(store.find("")).isEmpty();
    }

    @Test
    void anIdleSessionExpiresAndUseKeepsItAliveUntilTheAbsoluteLimit() {
        MovingClock clock = new MovingClock();
        SessionStore store = new SessionStore(clock);
        SessionStore.Created idle = store.create("sess-idle");
        SessionStore.Created busy = store.create("sess-busy");
        clock.advance(SessionStore.IDLE.minusMinutes(1));
        assertThat(store.find(busy.id())).isPresent();
        clock.advance(Duration.ofMinutes(1));
        assertThat(store.find(idle.id())).isEmpty();
        assertThat(store.find(busy.id())).isPresent();
        // used every few hours, it still ends ABSOLUTE after sign-in
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofHours(4));
            store.find(busy.id());
        }
        assertThat(store.find(busy.id())).isEmpty();
        store.sweep();
        assertThat(store.size()).isZero();
    }

    @Test
    void removeEndsASessionAndIsIdempotent() {
        SessionStore store = new SessionStore(new MovingClock());
        SessionStore.Created s = store.create("sess-out");
        store.remove(s.id());
        store.remove(s.id());
        assertThat(store.find(s.id())).isEmpty();
    }
}
