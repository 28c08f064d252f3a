package dev.hangar.testfixtures;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A UTC clock that only moves when a test moves it ({@link #advance}), for an injected clock (the
 * server's, the core's services', the CLI's): token expiry, audit retention, idle auto-stop and the
 * like are tested without waiting. Thread-safe. The one test clock of the project.
 */
public final class TestClock extends Clock {
    private final AtomicReference<Instant> now;

    /** @param start the clock's first reading */
    public TestClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** A clock standing at 2026-12-03T10:00:00Z. */
    public TestClock() {
        this(Instant.parse("2026-12-03T10:00:00Z"));
    }

    /** Moves the clock forward (or back, for a negative {@code d}). */
    public void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now.get();
    }
}
