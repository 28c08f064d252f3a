package dev.hangar.provider.spi;

import java.net.Inet4Address;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A workspace's place on a lab's private network: the layer-2 segment its second NIC joins, its
 * static address there, and every member's name and address (for {@code /etc/hosts}).
 *
 * <p>A plain value, immutable and thread-safe. {@link #NONE} (an empty segment) means the workspace
 * is on no lab and gets no lab NIC; every other value names a segment. How a segment is realised is
 * the provider's business (the qemu provider: a loopback multicast group, docs/lab-network.md); the
 * host's own network is never bridged onto it.
 *
 * @param segment an opaque id of the lab's layer-2 segment: members with the same segment share
 *     it, members of different segments never see each other's frames. Empty only for {@link
 *     #NONE}; otherwise at most 253 printable ASCII characters without spaces
 * @param address this member's static IPv4 address with its prefix length (CIDR notation,
 *     RFC 4632), e.g. {@code 10.213.4.11/24}, prefix 1 to 32; empty only for {@link #NONE}
 * @param hosts every member's host name (this member's too) to its lab IPv4 address without a
 *     prefix, e.g. {@code lab-master-1 -> 10.213.4.11}; names are DNS names (RFC 1123 labels
 *     joined by dots, at most 253 characters); iterated in name order. Empty only for {@link
 *     #NONE}
 */
public record LabNetwork(String segment, String address, Map<String, String> hosts) {
    /** Not on a lab: no lab NIC, no static address, no lab hosts. */
    public static final LabNetwork NONE = new LabNetwork("", "", Map.of());

    private static final Pattern SEGMENT = Pattern.compile("[!-~]{1,253}");
    private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    /**
     * @throws NullPointerException if a component, a host name or an address is null
     * @throws IllegalArgumentException if the segment is empty while the address or hosts are not
     *     (or the other way round), the segment has spaces or control characters, the address is not
     *     IPv4 CIDR, a host name is not a DNS name or a host address is not a dotted-quad IPv4
     *     address; the message names the offending value
     */
    public LabNetwork {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(hosts, "hosts");
        TreeMap<String, String> sorted = new TreeMap<>();
        hosts.forEach((name, ip) -> sorted.put(
                Objects.requireNonNull(name, "host name"), Objects.requireNonNull(ip, "address of " + name)));
        if (segment.isEmpty()) {
            if (!address.isEmpty() || !sorted.isEmpty())
                throw new IllegalArgumentException(
                        "a lab network without a segment must have no address and no hosts" + " (use LabNetwork.NONE)");
        } else {
            if (!SEGMENT.matcher(segment).matches())
                throw new IllegalArgumentException(
                        "lab segment '" + segment + "' must be 1 to 253 printable ASCII characters without spaces");
            parseCidr(address);
            if (sorted.isEmpty()) throw new IllegalArgumentException("lab hosts must name at least this member");
            sorted.forEach((name, ip) -> {
                if (!HOST_NAME.matcher(name).matches())
                    throw new IllegalArgumentException("lab host name '" + name + "' is not a DNS name (RFC 1123)");
                parseIpv4(ip, "lab address of host " + name);
            });
        }
        hosts = Collections.unmodifiableMap(sorted);
    }

    /** @return {@code true} for {@link #NONE}: the workspace is on no lab */
    public boolean isNone() {
        return segment.isEmpty();
    }

    /**
     * @return this member's address without the prefix, e.g. {@code 10.213.4.11}
     * @throws IllegalStateException for {@link #NONE}
     */
    public String ip() {
        requireLab();
        return address.substring(0, address.indexOf('/'));
    }

    /**
     * @return the prefix length of {@link #address()}, 1 to 32
     * @throws IllegalStateException for {@link #NONE}
     */
    public int prefixLength() {
        requireLab();
        return Integer.parseInt(address.substring(address.indexOf('/') + 1));
    }

    private void requireLab() {
        if (isNone()) throw new IllegalStateException("LabNetwork.NONE has no address");
    }

    private static void parseCidr(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0)
            throw new IllegalArgumentException(
                    "lab address '" + cidr + "' must be IPv4 CIDR such as 10.213.4.11/24 (the prefix is missing)");
        parseIpv4(cidr.substring(0, slash), "lab address '" + cidr + "'");
        String prefix = cidr.substring(slash + 1);
        int bits;
        try {
            bits = prefix.matches("\\d{1,2}") ? Integer.parseInt(prefix) : -1;
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (bits < 1 || bits > 32)
            throw new IllegalArgumentException(
                    "lab address '" + cidr + "' must have a prefix length from 1 to 32, got '" + prefix + "'");
    }

    private static void parseIpv4(String ip, String what) {
        if (!DOTTED_QUAD.matcher(ip).matches())
            throw new IllegalArgumentException(what + ": '" + ip + "' is not a dotted-quad IPv4 address");
        try {
            Inet4Address.ofLiteral(ip); // no name lookup; rejects octets above 255
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": '" + ip + "' is not an IPv4 address", e);
        }
    }
}
