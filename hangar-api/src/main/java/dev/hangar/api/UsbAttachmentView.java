package dev.hangar.api;

import java.time.Instant;

/**
 * A USB device forwarded into a workspace.
 *
 * @param busid bus id on the PC, e.g. {@code 1-3}
 * @param vidPid vendor and product, lower-case hex, e.g. {@code 0483:3748}
 * @param usbipd the usbipd the CLI connects to, {@code HOST:PORT} as seen from the PC
 * @param actor who attached it
 * @param since when (ISO-8601)
 * @param tunnel how {@code hangar usb attach} reaches the workspace now: {@code gateway} (a local
 *     VM's guest connects to {@code 10.0.2.100:3240}, which the SSH gateway bridges to the
 *     attach's {@code ssh -R <ws>.usbip:3240:...} session; ADR 0019) or {@code ssh} ({@code ssh
 *     -R} into the workspace's sshd); {@code null} from a server older than this field, meaning
 *     {@code ssh}
 */
public record UsbAttachmentView(
        String busid, String vidPid, String usbipd, String actor, Instant since, String tunnel) {
    /** {@link #tunnel()} of a workspace whose guest reaches USB/IP through the gateway. */
    public static final String TUNNEL_GATEWAY = "gateway";

    /** @return true when the workspace offers the gateway tunnel */
    public boolean viaGateway() {
        return TUNNEL_GATEWAY.equals(tunnel);
    }
}
