package dev.hangar.core.store;

import dev.hangar.core.device.DeviceClaim;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Which workspace holds which host PCI device (migration V11, issue #19): one row per PCI address,
 * so no two workspaces ever hold one device; a workspace's rows go with it (foreign key with
 * cascade). Thread-safe. Use it through {@link dev.hangar.core.device.DeviceClaims}, inside the
 * transaction that creates the workspace.
 */
public interface DeviceClaimStore {

    /**
     * Claims a device for a workspace unless someone holds it. Never fails on a held address: on
     * PostgreSQL a concurrent uncommitted claim of the same address makes this wait for that
     * transaction, then answer {@code false} if it committed.
     *
     * @param address the PCI address, e.g. {@code 0000:01:00.0}
     * @param deviceName the device name it serves, e.g. {@code nvidia.com/gpu}
     * @param workspaceId the claiming workspace
     * @param at the claim time (stored to the millisecond)
     * @return true when this call claimed it, false when the address was already held (by anyone,
     *     including this workspace)
     * @throws dev.hangar.core.domain.NotFoundException when the workspace does not exist
     */
    boolean claim(String address, String deviceName, String workspaceId, Instant at);

    /** @return the claim of that address, if held */
    Optional<DeviceClaim> find(String address);

    /** @return the workspace's claims, ordered by address */
    List<DeviceClaim> ofWorkspace(String workspaceId);

    /** @return every claim, ordered by address */
    List<DeviceClaim> list();

    /**
     * Releases all of a workspace's claims. Idempotent. (Deleting the workspace releases them too.)
     *
     * @return how many were released
     */
    int release(String workspaceId);
}
