package dev.hangar.boards;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An interface address with its prefix length, as in {@code 192.168.0.11/24} (RFC 4632 notation;
 * IPv6 too). The address need not be the network address: it is the host's own.
 *
 * @param address the host address
 * @param prefix the prefix length, 0..32 (IPv4) or 0..128 (IPv6)
 */
public record Cidr(InetAddress address, int prefix) {
    public Cidr {
        Objects.requireNonNull(address, "address");
        if (prefix < 0 || prefix > bits(address)) {
            throw new IllegalArgumentException(
                    "prefix /" + prefix + " is out of range for " + address.getHostAddress());
        }
    }

    /** @return the number of address bits: 32 or 128 */
    static int bits(InetAddress a) {
        return a instanceof Inet4Address ? 32 : 128;
    }

    /** @return whether {@code other} is in this address's subnet */
    public boolean contains(InetAddress other) {
        if (bits(other) != bits(address)) return false;
        int shift = bits(address) - prefix;
        return new BigInteger(1, address.getAddress())
                .shiftRight(shift)
                .equals(new BigInteger(1, other.getAddress()).shiftRight(shift));
    }

    /**
     * @return the address {@code n} above this one with the same prefix, e.g. {@code
     *     192.168.0.11/24} plus 2 is {@code 192.168.0.13/24}
     * @throws IllegalArgumentException if that address leaves the subnet (or is its IPv4 broadcast
     *     address)
     */
    public Cidr plus(int n) {
        BigInteger next = new BigInteger(1, address.getAddress()).add(BigInteger.valueOf(n));
        int bytes = bits(address) / 8;
        byte[] raw = next.toByteArray();
        byte[] fixed = new byte[bytes];
        int copy = Math.min(raw.length, bytes);
        System.arraycopy(raw, raw.length - copy, fixed, bytes - copy, copy);
        InetAddress a;
        try {
            a = InetAddress.getByAddress(fixed);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        BigInteger hostMask = BigInteger.ONE.shiftLeft(bits(address) - prefix).subtract(BigInteger.ONE);
        boolean broadcast =
                a instanceof Inet4Address && prefix < 31 && next.and(hostMask).equals(hostMask);
        if (next.bitLength() > bits(address) || !contains(a) || broadcast) {
            throw new IllegalArgumentException("address " + this + " plus " + n + " leaves the subnet /" + prefix
                    + "; start lower or use fewer boards");
        }
        return new Cidr(a, prefix);
    }

    /** @return the address without the prefix, e.g. {@code 192.168.0.11} */
    public String host() {
        return address.getHostAddress();
    }

    /** @return the CIDR notation, e.g. {@code 192.168.0.11/24} */
    @Override
    public String toString() {
        return host() + "/" + prefix;
    }
}
