package dev.hangar.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A UTC clock that moves only when a test moves it, for the server ({@link
 * TestControlPlane.Builder#clock}) and the CLI: tests of time-driven behaviour advance it instead of
 * waiting. Thread-safe.
 */
public final class HandClock extends Clock {
    private final AtomicReference<Instant> now;

    /** A clock standing at {@code start}. */
    public HandClock(Instant start) {
        now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
    }

    /** A clock standing at 2026-12-03T10:00:00Z. */
    public HandClock() {
        this(Instant.parse("2026-12-03T10:00:00Z"));
    }

    /** Moves the clock forward by {@code d} (not negative). */
    public void advance(Duration d) {
        if (d.isNegative()) throw new IllegalArgumentException("a hand clock only moves forward: " + d);
        now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
