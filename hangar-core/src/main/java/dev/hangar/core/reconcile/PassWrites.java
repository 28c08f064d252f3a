package dev.hangar.core.reconcile;

import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The store writes of a reconcile pass: a workspace's new state together with its {@code phase}
 * event, in one transaction, so the event log and the row never disagree. Thread-safe (holds no
 * state of its own).
 */
final class PassWrites {
    private final Store store;
    private final Clock clock;

    PassWrites(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * Stores {@code next} if it differs from {@code prev} in more than its update time, with a
     * {@code phase} event when the phase changed.
     *
     * @return the stored workspace (its version bumped), or {@code prev} when nothing was written
     * @throws dev.hangar.core.domain.StaleVersionException when the row changed since {@code prev}
     */
    Workspace save(Workspace prev, Workspace next) {
        // A pass that observed nothing new only touched updatedAt: no write, no version bump.
        if (prev.withPhase(prev.phase(), prev.reason(), next.updatedAt()).equals(next)) return prev;
        return store.inTransaction(tx -> {
            Workspace s = tx.workspaces().update(next);
            if (prev.phase() != next.phase()) appendPhaseEvent(tx, prev, next);
            return s;
        });
    }

    /** Appends {@code "PREV -> NEXT[: reason]"} as a {@code phase} event, inside {@code tx}. */
    void appendPhaseEvent(Store tx, Workspace prev, Workspace next) {
        String why = next.reason().isEmpty() ? "" : ": " + next.reason();
        tx.events().append(event(prev, "phase", prev.phase() + " -> " + next.phase() + why));
    }

    /** @return a system event of {@code w}, timed now (its sequence number is given by the store) */
    WorkspaceEvent event(Workspace w, String type, String message) {
        return event(w.id(), type, message);
    }

    /** @return a system event of the workspace {@code id}, timed now */
    WorkspaceEvent event(String id, String type, String message) {
        return new WorkspaceEvent(0, id, now(), WorkspaceEvent.SYSTEM, type, message);
    }

    /** @return the clock's instant in milliseconds, the precision both stores keep */
    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
