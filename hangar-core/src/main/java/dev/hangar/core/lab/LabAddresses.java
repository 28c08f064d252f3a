package dev.hangar.core.lab;

import dev.hangar.core.domain.ConflictException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lab address plan: {@code labs.subnet} (an IPv4 CIDR of prefix length 8..24, e.g. {@code
 * 10.213.0.0/16}) carved into /24s, one per lab, lowest free first; in a lab's /24 the members get
 * {@code .11}, {@code .12}, ... in spec order (group by group), so a lab holds at most {@value
 * #MAX_MEMBERS} members. {@code .1} to {@code .10} stay free for a gateway or services. Immutable
 * and thread-safe.
 */
public final class LabAddresses {
    /** Host part of the first member's address. */
    public static final int FIRST_HOST = 11;

    /** Most members a /24 holds from {@code .11} to {@code .254}. */
    public static final int MAX_MEMBERS = 254 - FIRST_HOST + 1;

    private static final Pattern CIDR = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");

    private final long base;
    private final int prefix;

    private LabAddresses(long base, int prefix) {
        this.base = base;
        this.prefix = prefix;
    }

    /**
     * @param cidr e.g. {@code 10.213.0.0/16}; host bits must be zero
     * @throws IllegalArgumentException naming the rule when {@code cidr} is not an IPv4 network of
     *     prefix length 8..24
     */
    public static LabAddresses parse(String cidr) {
        Objects.requireNonNull(cidr, "cidr");
        Matcher m = CIDR.matcher(cidr.strip());
        if (!m.matches())
            throw new IllegalArgumentException("an IPv4 network such as 10.213.0.0/16 is needed, got '" + cidr + "'");
        long ip = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) throw new IllegalArgumentException("'" + cidr + "' has an octet above 255");
            ip = (ip << 8) | octet;
        }
        int prefix = Integer.parseInt(m.group(5));
        if (prefix < 8 || prefix > 24)
            throw new IllegalArgumentException(
                    "'" + cidr + "' must have a prefix length of 8..24 (it is carved into one /24 per lab)");
        long mask = (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        if ((ip & ~mask & 0xFFFFFFFFL) != 0)
            throw new IllegalArgumentException(
                    "'" + cidr + "' has host bits set; did you mean " + dotted(ip & mask) + "/" + prefix + "?");
        return new LabAddresses(ip, prefix);
    }

    /** @return how many labs (/24s) the network holds */
    public int capacity() {
        return 1 << (24 - prefix);
    }

    /**
     * @param used subnets other labs hold
     * @return the lowest /24 of the network not in {@code used}, e.g. {@code 10.213.0.0/24}
     * @throws ConflictException with field {@code subnet} when every /24 is taken
     */
    public String nextSubnet(Set<String> used) {
        for (int i = 0; i < capacity(); i++) {
            String s = dotted(base + ((long) i << 8)) + "/24";
            if (!used.contains(s)) return s;
        }
        throw new ConflictException(
                "subnet",
                "every /24 of the lab network " + dotted(base) + "/" + prefix + " is taken (" + capacity()
                        + " labs); delete a lab or configure a larger labs.subnet");
    }

    /**
     * @param subnet a lab's /24, e.g. {@code 10.213.4.0/24}
     * @param count members
     * @return the members' addresses in order, {@code .11} upward
     * @throws IllegalArgumentException when {@code count} is above {@value #MAX_MEMBERS}
     */
    public static List<String> memberAddresses(String subnet, int count) {
        if (count > MAX_MEMBERS)
            throw new IllegalArgumentException("a lab's /24 holds at most " + MAX_MEMBERS + " members");
        String prefix = subnet.substring(0, subnet.lastIndexOf('.') + 1);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(prefix + (FIRST_HOST + i));
        return out;
    }

    private static String dotted(long ip) {
        return ((ip >> 24) & 255) + "." + ((ip >> 16) & 255) + "." + ((ip >> 8) & 255) + "." + (ip & 255);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabAddresses a && a.base == base && a.prefix == prefix;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(base) * 31 + prefix;
    }

    @Override
    public String toString() {
        return dotted(base) + "/" + prefix;
    }
}
