package dev.hangar.provider.spi;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The host devices a provider can pass through to a workspace, one workspace at a time (issue #19:
 * local VMs' PCI passthrough). The provider knows which devices the admin allowed and how to hand
 * one to a VM; the control plane owns who holds which device (claims in its store, taken in the
 * transaction that creates the workspace) and tells the provider through {@link #useClaims}.
 *
 * <p>Thread-safe.
 */
public interface HostDevices {
    /**
     * @return device name ({@link DeviceRequest#name()}, e.g. {@code nvidia.com/gpu}) to the host
     *     addresses that serve it (e.g. PCI {@code 0000:01:00.0}), in the order they should be
     *     handed out; empty when the admin allowed none. Fixed when the provider was created.
     */
    Map<String, List<String>> allowed();

    /**
     * Tells the provider where each workspace's claimed addresses come from; it asks at every
     * start of a workspace. Until called, no workspace gets a device. Idempotent (the last call wins).
     *
     * @param claims workspace id ({@link WorkspaceSpec#id()}) to the addresses it holds (empty for
     *     none); must be thread-safe and must not throw for an unknown id
     */
    void useClaims(Function<String, List<String>> claims);
}
