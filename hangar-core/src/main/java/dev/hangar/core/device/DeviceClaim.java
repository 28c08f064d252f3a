package dev.hangar.core.device;

import java.time.Instant;
import java.util.Objects;

/**
 * A host PCI device held by a workspace (issue #19, local VM passthrough).
 *
 * @param address the PCI address, e.g. {@code 0000:01:00.0}
 * @param deviceName the device name it was claimed as, e.g. {@code nvidia.com/gpu}
 * @param workspaceId the holding workspace's id
 * @param claimedAt when it was claimed (millisecond precision as stored)
 */
public record DeviceClaim(String address, String deviceName, String workspaceId, Instant claimedAt) {
    public DeviceClaim {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(deviceName, "deviceName");
        Objects.requireNonNull(workspaceId, "workspaceId");
        Objects.requireNonNull(claimedAt, "claimedAt");
    }
}
