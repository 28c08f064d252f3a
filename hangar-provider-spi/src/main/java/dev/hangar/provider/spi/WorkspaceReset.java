package dev.hangar.provider.spi;

/**
 * Puts a workspace back to a fresh root disk, for {@code hangar reset} and {@code hangar lab reset};
 * offered by providers through {@link WorkspaceProvider#reset()}.
 *
 * <p><b>Contract.</b> Afterwards the workspace has a fresh root disk from its base image and boots as
 * for the first time (cloud-init's first-boot modules run again), while it KEEPS its name, its lab
 * address and NIC ({@link WorkspaceSpec#labNetwork()}) and its SSH host key and certificate, so
 * pinned {@code known_hosts} entries and an Ansible inventory stay valid. Everything written to the
 * old disk is gone. The power state afterwards equals the one before: a running workspace is
 * booted again (the call returns {@link Observation.Starting} without waiting for the boot), a
 * stopped one stays stopped with a fresh disk ({@link Observation.Stopped}).
 *
 * <p><b>Idempotent</b>: calling it again resets again, ending in the same state. <b>Crash-safe</b>: a
 * control plane killed in the middle leaves either the old disk or the new one, never none, and a
 * repeated call completes the reset. A workspace with no disk yet (never started) is left as it is,
 * and the observation is returned: its first start gives it a fresh disk anyway.
 *
 * <p>Thread-safe; calls for one workspace must not overlap with each other or with the provider's
 * other calls for it (the reconciler guarantees it).
 */
public interface WorkspaceReset {
    /**
     * Resets the workspace's disk as the type documentation says.
     *
     * @param listener receives events and phase timings
     * @return the observation after the reset: {@link Observation.Starting} when it was running,
     *     {@link Observation.Stopped} when it was stopped
     * @throws ProviderException if a step failed; {@link ProviderException#permanent()} says whether
     *     to retry. The old disk is then still in place unless the new one already replaced it
     */
    Observation reset(WorkspaceSpec spec, ProviderListener listener);
}
