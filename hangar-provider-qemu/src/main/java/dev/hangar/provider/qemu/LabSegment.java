package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.LabNetwork;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.vm.LabNic;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a lab member VM joins its lab's layer-2 segment: a second virtio NIC on a QEMU {@code
 * -netdev socket,mcast=GROUP:PORT,localaddr=127.0.0.1} backend. Every QEMU of the segment sends
 * each Ethernet frame as one UDP datagram to the multicast group and receives the others' frames
 * from it: a hub of any size, without a daemon and without root.
 *
 * <p><b>Why multicast on loopback.</b> Measured on the project's Debian 12 hosts (QEMU 7.2, docs/lab-network.md):
 * joining and sending to a group on 127.0.0.1 works for an unprivileged user even though {@code lo}
 * lacks the {@code MULTICAST} flag; {@code localaddr=127.0.0.1} sets {@code IP_MULTICAST_IF} and
 * the default TTL of 1 keeps the datagrams on the host, so the host's own network is never part of
 * the segment. The alternatives: {@code -netdev stream} and unix/inet {@code dgram} connect exactly
 * two VMs (a lab of three needs a switch); {@code vde} needs a {@code vde_switch} daemon per segment
 * (package vde2) that someone must start, watch and stop; tap and bridge need root. Multicast also
 * works with QEMU older than 7.2 (Ubuntu 22.04 has 6.2), unlike {@code dgram}. The segment is
 * private to the host, not between the host's users: any local process may join the group.
 *
 * <p>The group and port are derived from the segment id (SHA-256): a group in the organisation-local
 * scope {@code 239.192.0.0/14} (RFC 2365) and a port from {@value #FIRST_PORT} to {@value
 * #LAST_PORT}, below Linux's ephemeral ports so that no wildcard-bound client socket receives lab
 * frames. 31 bits in all: two segments of one host share a group and port with negligible chance.
 *
 * @param mac the lab NIC's MAC address ({@link LabNic#macAddress})
 * @param group the multicast group, e.g. {@code 239.193.12.7}
 * @param port the UDP port
 */
public record LabSegment(String mac, String group, int port) {
    static final int FIRST_PORT = 20000;
    static final int LAST_PORT = 28191;
    /** QEMU's netdev id of the lab NIC. */
    static final String NETDEV_ID = "lab0";

    /** @throws IllegalArgumentException if the port is outside the lab port range */
    public LabSegment {
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(group, "group");
        if (port < FIRST_PORT || port > LAST_PORT) throw new IllegalArgumentException("port " + port);
    }

    /**
     * @param workspaceId the member's workspace id (for its MAC)
     * @param lab the member's lab network; not {@link LabNetwork#NONE}
     * @throws IllegalArgumentException for {@link LabNetwork#NONE}
     */
    public static LabSegment of(String workspaceId, LabNetwork lab) {
        if (lab.isNone()) throw new IllegalArgumentException("not on a lab");
        byte[] h = sha256("hangar-lab-segment:" + lab.segment());
        int bits = ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
        // 18 bits of group in 239.192.0.0/14, 13 bits of port
        int groupBits = bits >>> 14;
        int portBits = bits & 0x1fff;
        String group =
                "239." + (192 + (groupBits >>> 16)) + "." + ((groupBits >>> 8) & 0xff) + "." + (groupBits & 0xff);
        return new LabSegment(LabNic.macAddress(workspaceId), group, FIRST_PORT + portBits);
    }

    /** @return the spec's lab segment, or none */
    public static Optional<LabSegment> of(WorkspaceSpec spec) {
        return spec.labNetwork().isNone()
                ? Optional.<LabSegment>empty()
                : Optional.of(of(spec.id(), spec.labNetwork()));
    }

    /** @return the QEMU arguments of the lab NIC: its netdev and its virtio-net device */
    public List<String> args() {
        return List.of(
                "-netdev",
                "socket,id=" + NETDEV_ID + ",mcast=" + group + ":" + port + ",localaddr=127.0.0.1",
                "-device",
                "virtio-net-pci,netdev=" + NETDEV_ID + ",mac=" + mac);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
