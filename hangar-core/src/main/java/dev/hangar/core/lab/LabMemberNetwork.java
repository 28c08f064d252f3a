package dev.hangar.core.lab;

import java.util.Map;
import java.util.Objects;

/**
 * What a provider needs to put one lab member on its lab's private segment (issue #13, item 2):
 * the value {@link LabService#memberNetwork} hands over, to be turned into the provider SPI's
 * {@code LabNetwork} of the member's {@code WorkspaceSpec}.
 *
 * @param segmentId the lab's id: members with the same segment id share one layer-2 segment
 * @param addressCidr the member's static address with the lab's prefix, e.g. {@code 10.213.0.11/24}
 * @param hosts every member's workspace name mapped to its address (for /etc/hosts), in spec order
 */
public record LabMemberNetwork(String segmentId, String addressCidr, Map<String, String> hosts) {
    public LabMemberNetwork {
        Objects.requireNonNull(segmentId, "segmentId");
        Objects.requireNonNull(addressCidr, "addressCidr");
        hosts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(hosts));
    }
}
