package dev.hangar.provider.spi;

/**
 * Makes the next stop of a workspace a suspend, for {@code hangar stop --suspend}; offered by
 * providers that can save a running workspace's memory and device state through {@link
 * WorkspaceProvider#suspend()} (local QEMU VMs).
 *
 * <p><b>Contract.</b> After {@link #suspendOnNextStop}, the provider's next {@code apply(STOPPED)}
 * that finds the compute running saves its memory and device state beside its disk and ends the
 * compute, instead of shutting the guest down; the following {@code apply(RUNNING)} resumes from that
 * state (a state that does not restore boots the disk instead, never losing it). The request is
 * persisted by the provider (it survives a restart of the control plane) and used up by that stop;
 * a start before the stop drops it. A template can ask for it on every stop with the provider's own
 * setting ({@code stop: suspend} for qemu).
 *
 * <p><b>Idempotent</b>; quick (writes a small file); a workspace with no resources yet is left as
 * it is. Thread-safe.
 */
public interface WorkspaceSuspend {
    /**
     * Records that the workspace's next stop suspends it.
     *
     * @throws ProviderException if the request cannot be recorded
     */
    void suspendOnNextStop(WorkspaceSpec spec);
}
