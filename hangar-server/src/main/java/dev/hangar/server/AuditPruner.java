package dev.hangar.server;

import dev.hangar.core.audit.AuditLog;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls {@link AuditLog#prune()} once at start and then every {@link #INTERVAL}, on one daemon
 * thread. What is old is decided by the audit log's clock, so tests move their clock and call
 * {@code prune()} themselves instead of waiting for this schedule. A failing prune is logged and
 * tried again at the next tick. {@link #close()} stops the schedule (idempotent).
 */
final class AuditPruner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditPruner.class);

    /** How often old entries are deleted. */
    static final Duration INTERVAL = Duration.ofHours(1);

    private final ScheduledExecutorService timer;

    AuditPruner(AuditLog audit) {
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("audit-prune").daemon().factory());
        timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        audit.prune();
                    } catch (RuntimeException e) {
                        LOG.warn("audit log prune failed (tried again in {}): {}", INTERVAL, e.toString());
                    }
                },
                0,
                INTERVAL.toSeconds(),
                TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
