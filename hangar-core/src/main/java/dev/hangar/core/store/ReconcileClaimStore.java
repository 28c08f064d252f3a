package dev.hangar.core.store;

import java.time.Instant;

/**
 * Reconcile claims: which control-plane replica may run a reconcile pass for a workspace now
 * (fencing for two or more replicas, docs/adr/0013-leader-election-and-reconcile-claims.md). A
 * claim has a holder (the replica's identity), an epoch (the leadership term it was taken in; a
 * higher epoch wins over a lower one at once) and an expiry (a crashed holder's claim lapses).
 *
 * <p>Each call is one atomic statement, so two replicas racing for one workspace never both get
 * it. Thread-safe.
 */
public interface ReconcileClaimStore {

    /**
     * Takes or renews the claim on {@code workspaceId} for {@code holder}. It succeeds when nobody
     * holds it, when {@code holder} holds it already with an epoch not above {@code epoch}, when the
     * current claim expired at or before {@code now}, or when the current claim's epoch is below
     * {@code epoch} (a newer leadership term takes over at once). The workspace need not exist.
     *
     * @param holder the claiming replica's identity, not blank
     * @param epoch the leadership term of the claim, 0 or more (0 without leader election)
     * @param now the current time (the caller's clock)
     * @param expires when the claim lapses unless renewed, after {@code now}
     * @return true when {@code holder} holds the claim afterwards; false when another holder does
     * @throws IllegalArgumentException when {@code holder} is blank, {@code epoch} negative or
     *     {@code expires} not after {@code now}
     */
    boolean claim(String workspaceId, String holder, long epoch, Instant now, Instant expires);

    /**
     * Gives up {@code holder}'s claim on {@code workspaceId}. Idempotent: a claim held by another
     * holder, or none, is left alone.
     */
    void release(String workspaceId, String holder);

    /** A store for one process only: every claim succeeds (for in-memory test stores). */
    ReconcileClaimStore UNSHARED = new ReconcileClaimStore() {
        @Override
        public boolean claim(String workspaceId, String holder, long epoch, Instant now, Instant expires) {
            return true;
        }

        @Override
        public void release(String workspaceId, String holder) {}
    };
}
