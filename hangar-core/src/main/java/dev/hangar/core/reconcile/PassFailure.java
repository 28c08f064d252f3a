package dev.hangar.core.reconcile;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.StaleVersionException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Records a failed reconcile pass on its workspace: the reason, an {@code error} event and the
 * failure count, and decides when to try again (see {@link ReconcilePass}'s "Failures"). Re-reads
 * the row and tries again (3 times) when the user changed it meanwhile. Thread-safe.
 */
final class PassFailure {
    private static final int SAVE_ATTEMPTS = 3;

    private final Store store;
    private final PassWrites writes;
    private final Clock clock;
    private final WorkspaceReconciler.Settings settings;
    private final ReconcilerMetrics metrics;

    PassFailure(
            Store store,
            PassWrites writes,
            Clock clock,
            WorkspaceReconciler.Settings settings,
            ReconcilerMetrics metrics) {
        this.store = store;
        this.writes = writes;
        this.clock = clock;
        this.settings = settings;
        this.metrics = metrics;
    }

    /**
     * @param started when the failed pass started (for the pass duration metric)
     * @param message the provider's or the exception's message; blank becomes "unknown error"
     * @param permanent true for a failure no retry can fix: the workspace goes Failed at once
     * @return when to run the next pass (the backoff for this failure count); empty when the
     *     workspace went Failed or no longer exists
     */
    Optional<Duration> record(String id, String providerType, Instant started, String message, boolean permanent) {
        String msg = message == null || message.isBlank() ? "unknown error" : message;
        for (int attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
            Optional<Workspace> cur = store.workspaces().find(id);
            if (cur.isEmpty()) return Optional.empty();
            Workspace w = cur.get();
            int failures = w.failures() + 1;
            // The bound is for converging: a provider that cannot even be read (an API outage)
            // must not fail a workspace that is recorded at its desired state, nor stop a delete.
            boolean atDesired = (w.desired() == DesiredState.RUNNING && w.phase() == Phase.Running)
                    || (w.desired() == DesiredState.STOPPED && w.phase() == Phase.Stopped);
            boolean exhausted = !permanent
                    && failures >= settings.maxAttempts()
                    && w.desired() != DesiredState.DELETED
                    && !atDesired;
            String reason = exhausted ? "gave up after " + failures + " attempts: " + msg : msg;
            Workspace next = w.withPhase(permanent || exhausted ? Phase.Failed : w.phase(), reason, writes.now())
                    .withFailures(failures);
            String event = permanent
                    ? "failed: " + msg
                    : exhausted
                            ? "failed after " + failures + " attempts: " + msg
                            : "will retry (attempt " + failures + "): " + msg;
            try {
                store.inTransaction(tx -> {
                    tx.workspaces().update(next);
                    tx.events().append(writes.event(id, "error", event));
                    if (w.phase() != next.phase()) writes.appendPhaseEvent(tx, w, next);
                    return null;
                });
            } catch (StaleVersionException e) {
                continue;
            } catch (NotFoundException e) {
                return Optional.empty();
            }
            metrics.pass(
                    providerType,
                    permanent || exhausted ? "failed" : "retry",
                    Duration.between(started, clock.instant()));
            if (permanent || exhausted) return Optional.empty();
            return Optional.of(settings.backoff(failures));
        }
        metrics.pass(providerType, "retry", Duration.between(started, clock.instant()));
        return Optional.of(settings.baseBackoff());
    }
}
