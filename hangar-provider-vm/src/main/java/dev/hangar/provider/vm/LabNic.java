package dev.hangar.provider.vm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The names and MAC addresses of a lab member VM's two NICs, shared by the provider that creates
 * the NICs and by {@link CloudInitNetworkConfig}, which configures them by MAC. Pure; thread-safe.
 *
 * <p>The uplink (the first NIC, the provider's own networking, e.g. QEMU's user-mode network) keeps
 * DHCP; the lab NIC is renamed {@value #LAB_INTERFACE} in the guest and gets the member's static
 * lab address.
 */
public final class LabNic {
    /** The guest's name for the lab NIC (cloud-init {@code set-name}). */
    public static final String LAB_INTERFACE = "lab0";

    /** The guest's name for the uplink NIC (cloud-init {@code set-name}). */
    public static final String UPLINK_INTERFACE = "eth0";

    private LabNic() {}

    /**
     * The lab NIC's MAC address: {@code 52:54:01} (a locally administered unicast prefix, next to
     * QEMU's {@code 52:54:00}) and three bytes of SHA-256 over the workspace id. Deterministic, so
     * the NIC keeps its MAC across restarts and resets, and never equal to an uplink MAC in
     * {@code 52:54:00:...}.
     *
     * @param workspaceId the workspace's immutable id
     * @return the MAC address, lower-case hex pairs separated by colons, e.g. {@code 52:54:01:3f:a0:17}
     */
    public static String macAddress(String workspaceId) {
        byte[] hash = sha256("hangar-lab-nic:" + workspaceId);
        return "52:54:01:" + HexFormat.ofDelimiter(":").formatHex(hash, 0, 3);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
