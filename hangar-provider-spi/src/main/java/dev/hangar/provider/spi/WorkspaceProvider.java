package dev.hangar.provider.spi;

import java.util.List;
import java.util.Optional;

/**
 * Runs workspaces of one kind (today local QEMU VMs and Kubernetes Pods).
 *
 * <p><b>Idempotency.</b> Every method may be called any number of times with the same spec, from
 * any state, including after the control plane crashed half way through an earlier call. Calls
 * return quickly (seconds): long work such as booting continues in the background and shows in
 * later {@link #observe} results.
 *
 * <p><b>When each method is called</b> (docs/adr/0009-observe-before-apply.md). For a workspace
 * that should exist, every reconcile pass calls {@link #observe} first. It then calls {@link
 * #apply} when the observation is not the desired power state ({@link Observation.Running} for
 * RUNNING, {@link Observation.Stopped} for STOPPED), and once more on the first pass that sees the
 * desired state; a workspace that stays in its desired state is only observed, on every periodic
 * resync. So {@code observe} alone must report progress (Starting → Running once sshd answers
 * with the pinned key) and a crash of a running workspace ({@link Observation.Failed}). For a
 * workspace to be deleted, every pass calls {@link #delete} until it returns {@link
 * Observation.Absent}. {@link #console} and {@link #consoleLog} are called by the API, at any time.
 *
 * <p><b>Thread-safety.</b> Implementations must be thread-safe. The reconciler never runs two
 * calls for the same workspace id at once, but runs calls for different workspaces concurrently
 * on virtual threads.
 *
 * <p><b>Data.</b> Only {@link #delete} may remove a workspace's persistent disk or volume.
 */
public interface WorkspaceProvider extends AutoCloseable {

    /** @return the provider type this instance serves, e.g. {@code qemu} */
    String type();

    /**
     * Reports what exists for the workspace now, without changing anything. Called at the start of
     * every reconcile pass (except while deleting), so it must be cheap and must see progress and
     * crashes on its own.
     *
     * @throws ProviderException if the state cannot be read
     */
    Observation observe(WorkspaceSpec spec);

    /**
     * Makes the workspace's resources exist and moves its compute towards {@code desired}. Called
     * after {@link #observe} when what it saw is not {@code desired} (including while Starting or
     * Stopping), and once when it first sees {@code desired} reached.
     *
     * @param desired {@link PowerState#RUNNING} to start (creating disk and seed first if needed),
     *     {@link PowerState#STOPPED} to stop while keeping the disk
     * @param listener receives events and phase timings
     * @return the observation after this call's changes
     * @throws ProviderException if a step failed; {@link ProviderException#permanent()} says
     *     whether to retry
     */
    Observation apply(WorkspaceSpec spec, PowerState desired, ProviderListener listener);

    /**
     * Stops the workspace if running and removes every resource that belongs to it, including its
     * disk, and nothing else.
     *
     * @return {@link Observation.Absent} once nothing is left, else the observation of the
     *     removal in progress
     * @throws ProviderException if a step failed
     */
    Observation delete(WorkspaceSpec spec, ProviderListener listener);

    /**
     * The workspace's interactive serial console ({@code hangar console}), if this provider has one.
     *
     * <p>Default: empty, for providers whose workspaces have no console reachable from the control
     * plane (Pods); the API then tells users to use {@code hangar ssh}. Read-only and quick (no I/O
     * beyond looking at files); it does not check that the compute runs: connecting to the
     * returned socket fails while it is stopped. Thread-safe.
     *
     * @return where to connect, or empty when this provider has no serial console
     */
    default Optional<ConsoleEndpoint> console(WorkspaceSpec spec) {
        return Optional.empty();
    }

    /**
     * The unix socket a running workspace's guest reaches as USB/IP's server, when this provider
     * carries USB/IP into the guest without the guest's sshd (ADR 0019: a local VM's {@code
     * guestfwd} to {@code 10.0.2.100:3240}). The control plane listens on it while the owner's
     * {@code hangar usb attach} holds the forward on the SSH gateway, and relays each connection
     * into that session.
     *
     * <p>Default: empty (Pods, KubeVirt, containers, and VMs launched without the forward): the CLI
     * then uses {@code ssh -R} into the workspace. Present only while the compute that has the
     * forward runs. Takes the id rather than a spec because the gateway asks on every forward
     * request and needs nothing else. Read-only and quick (files only). Thread-safe.
     *
     * @param workspaceId the workspace's id ({@link WorkspaceSpec#id()})
     * @return the socket's absolute path (at most 107 bytes), or empty when the guest has no such
     *     forward now
     */
    default Optional<java.nio.file.Path> usbipGuestSocket(String workspaceId) {
        return Optional.empty();
    }

    /**
     * The suspend of a workspace's next stop ({@code hangar stop --suspend}), if this provider can
     * save a running workspace's memory; see {@link WorkspaceSuspend}.
     *
     * <p>Default: empty, for providers that can only shut down (Pods, containers); the API then
     * refuses {@code --suspend}, naming the kinds that can.
     *
     * @return the suspend request, or empty when this provider cannot suspend
     */
    default Optional<WorkspaceSuspend> suspend() {
        return Optional.empty();
    }

    /**
     * The end of what the guest wrote to its serial console, across boots, including while the
     * workspace is stopped or after it crashed.
     *
     * <p>Default: empty (no console). Thread-safe; read-only.
     *
     * @param lines at most this many lines, the last ones; at least 1
     * @return the lines, oldest first, without terminal escape sequences and control characters
     *     (an empty list when nothing was logged yet), or empty when this provider has no serial
     *     console
     * @throws ConsoleLogUnavailableException when it has a console but no log to give now (its compute
     *     does not run and the log does not outlive it) or on this installation at all
     */
    default Optional<List<String>> consoleLog(WorkspaceSpec spec, int lines) {
        return Optional.empty();
    }

    /**
     * The capability to open a shell in a running workspace ({@link WorkspaceTerminal}), for kinds
     * whose workspaces have no {@link #console serial console} (Pods, through the Kubernetes exec
     * API); the console WebSocket and the dashboard's console page serve it like a serial console.
     *
     * <p>Default: empty, for providers without one; where {@link #console} is empty too, the API and
     * the dashboard say that this kind has neither and point to {@code hangar ssh}. Returns the same
     * instance on every call; thread-safe.
     *
     * @return the provider's terminal, or empty
     */
    default Optional<WorkspaceTerminal> terminal() {
        return Optional.empty();
    }

    /**
     * The base images this provider boots workspaces from, if it has any the control plane manages
     * ({@code hangar image ...}).
     *
     * <p>Default: empty, for providers whose images live elsewhere (a container registry).
     * Returns the same instance on every call; thread-safe.
     *
     * @return the provider's image catalog and cache, or empty
     */
    default Optional<WorkspaceImages> images() {
        return Optional.empty();
    }

    /**
     * The capability to load container images onto the nodes that run this provider's workspaces
     * ({@code hangar image load}), if it has nodes with a container runtime; see {@link NodeImages}.
     *
     * <p>Default: empty, for providers without such nodes (local VMs, containers on this host); the
     * API then answers that no provider can load images. Returns the same instance on every call;
     * thread-safe.
     *
     * @return the provider's node image loader, or empty
     */
    default Optional<NodeImages> nodeImages() {
        return Optional.empty();
    }

    /**
     * Builds the objects this provider would create, for a dry run, if it runs workspaces as
     * Kubernetes objects.
     *
     * <p>Default: empty, for providers whose workspaces are not Kubernetes objects (local VMs,
     * containers); the API then answers that a dry run lists Kubernetes objects only. Returns the
     * same instance on every call; thread-safe.
     *
     * @return the provider's manifest renderer, or empty
     */
    default Optional<ManifestRenderer> manifests() {
        return Optional.empty();
    }

    /**
     * The host devices this provider passes through to workspaces (issue #19), if it has any; see
     * {@link HostDevices}.
     *
     * <p>Default: empty, for providers whose devices are not host-local (a cluster schedules them).
     * Returns the same instance on every call; thread-safe.
     *
     * @return the provider's host devices, or empty
     */
    default Optional<HostDevices> hostDevices() {
        return Optional.empty();
    }

    /**
     * The capability to reset a workspace to a fresh disk ({@code hangar reset}), if this provider
     * has it; see {@link WorkspaceReset} for the contract.
     *
     * <p>Default: empty, for providers that cannot reset; the API then answers that the workspace's
     * provider cannot reset it. Returns the same instance on every call; thread-safe.
     *
     * @return the provider's reset, or empty
     */
    default Optional<WorkspaceReset> reset() {
        return Optional.empty();
    }

    /**
     * Releases the provider's own resources (threads, clients). Running workspaces are left
     * running: a restarted control plane adopts them again.
     */
    @Override
    default void close() {}
}
