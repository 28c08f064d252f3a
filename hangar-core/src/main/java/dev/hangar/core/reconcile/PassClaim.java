package dev.hangar.core.reconcile;

import dev.hangar.core.store.Store;
import java.time.Clock;
import java.time.Instant;

/**
 * A pass's claim on its workspace under a {@link ReconcileFence}
 * (docs/adr/0013-leader-election-and-reconcile-claims.md): taken before the pass reads the
 * workspace, renewed by {@link #check} right before each provider call that changes something, and
 * released at the end. Thread-safe (the store's claim upsert is one guarded statement).
 */
final class PassClaim {
    private final Store store;
    private final Clock clock;
    private final ReconcileFence fence;

    PassClaim(Store store, Clock clock, ReconcileFence fence) {
        this.store = store;
        this.clock = clock;
        this.fence = fence;
    }

    /** @return true while this replica may reconcile at all (it leads, or needs no leader) */
    boolean active() {
        return fence.active().getAsBoolean();
    }

    /** @return true when this replica now holds the claim on {@code id} (taken or renewed) */
    boolean claim(String id) {
        Instant now = clock.instant();
        return store.claims().claim(id, fence.holder(), fence.epoch().getAsLong(), now, now.plus(fence.claimTtl()));
    }

    /**
     * Renews the claim right before a provider call that changes something.
     *
     * @throws Fenced when this replica stopped leading or another replica claimed the workspace
     */
    void check(String id) {
        if (!active()) throw new Fenced("this replica no longer leads");
        if (!claim(id)) throw new Fenced("another replica claimed the workspace");
    }

    /**
     * Releases the claim on {@code id} held by this replica.
     *
     * @throws RuntimeException from the store; the claim then lapses after the fence's TTL
     */
    void release(String id) {
        store.claims().release(id, fence.holder());
    }

    /** The pass must not go on: it makes no further provider call and saves nothing more. */
    static final class Fenced extends RuntimeException {
        Fenced(String message) {
            super(message, null, false, false);
        }
    }
}
