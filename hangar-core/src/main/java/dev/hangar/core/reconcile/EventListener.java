package dev.hangar.core.reconcile;

import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.store.Store;
import dev.hangar.provider.spi.ProviderListener;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The {@link ProviderListener} a pass hands to a provider: events go to the workspace's event log
 * (actor {@code system}), phase timings to the metrics and, as {@code timing} events, to the log;
 * {@link #changed()} schedules a pass for the workspace at once. Thread-safe (providers may report
 * from background threads).
 */
final class EventListener implements ProviderListener {
    private final Store store;
    private final Clock clock;
    private final ReconcilerMetrics metrics;
    private final String workspaceId;
    private final String providerType;
    private final Consumer<String> nudge;

    EventListener(
            Store store,
            Clock clock,
            ReconcilerMetrics metrics,
            String workspaceId,
            String providerType,
            Consumer<String> nudge) {
        this.store = store;
        this.clock = clock;
        this.metrics = metrics;
        this.workspaceId = workspaceId;
        this.providerType = providerType;
        this.nudge = nudge;
    }

    @Override
    public void event(String type, String message) {
        store.events()
                .append(new WorkspaceEvent(
                        0,
                        workspaceId,
                        clock.instant().truncatedTo(ChronoUnit.MILLIS),
                        WorkspaceEvent.SYSTEM,
                        type,
                        message));
    }

    @Override
    public void phaseTiming(String phase, Duration duration) {
        metrics.phaseTiming(providerType, phase, duration);
        event("timing", String.format(Locale.ROOT, "%s took %.1f s", phase, duration.toMillis() / 1000.0));
    }

    /** Runs the workspace's next pass now, not at its next poll (sshd answered, the VM exited). */
    @Override
    public void changed() {
        nudge.accept(workspaceId);
    }
}
