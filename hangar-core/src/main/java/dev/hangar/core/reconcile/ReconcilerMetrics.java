package dev.hangar.core.reconcile;

import java.time.Duration;

/**
 * Where the reconciler reports figures; the server backs it with Micrometer (Prometheus).
 * Implementations must be thread-safe and fast.
 */
public interface ReconcilerMetrics {
    /** Drops everything. */
    ReconcilerMetrics NONE = new ReconcilerMetrics() {
        @Override
        public void phaseTiming(String providerType, String phase, Duration duration) {}

        @Override
        public void pass(String providerType, String outcome, Duration duration) {}
    };

    /**
     * A provisioning phase (image, disk, seed, boot, ssh-ready) took {@code duration}.
     */
    void phaseTiming(String providerType, String phase, Duration duration);

    /**
     * One reconcile pass ended.
     *
     * @param outcome {@code ok}, {@code retry} (transient error) or {@code failed} (permanent)
     */
    void pass(String providerType, String outcome, Duration duration);
}
