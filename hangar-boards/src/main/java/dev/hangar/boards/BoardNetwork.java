package dev.hangar.boards;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * How a board joins the network on first boot: over which link, and how it gets its address.
 *
 * @param link wired ({@link Ethernet}) or Wi-Fi ({@link Wifi})
 * @param addressing {@link Dhcp} or a {@link StaticAddress}
 */
public record BoardNetwork(Link link, Addressing addressing) {
    /** Wired, DHCP: what a board does without any network-config. */
    public static final BoardNetwork DEFAULT = new BoardNetwork(new Ethernet(), new Dhcp());

    public BoardNetwork {
        Objects.requireNonNull(link, "link");
        Objects.requireNonNull(addressing, "addressing");
    }

    /** The link a board's address is configured on. */
    public sealed interface Link permits Ethernet, Wifi {}

    /** The first wired interface, {@code eth0} on Raspberry Pi OS and Ubuntu for Raspberry Pi. */
    public record Ethernet() implements Link {}

    /**
     * The Wi-Fi interface {@code wlan0}, joining one WPA2/WPA3-Personal network.
     *
     * @param ssid the network name
     * @param psk the passphrase; {@link #toString()} does not show it
     * @param country the Wi-Fi regulatory domain (ISO 3166-1 alpha-2, e.g. {@code DE}), which
     *     Raspberry Pi OS needs before it unblocks Wi-Fi; empty for none
     */
    public record Wifi(String ssid, String psk, String country) implements Link {
        public Wifi {
            Objects.requireNonNull(ssid, "ssid");
            Objects.requireNonNull(psk, "psk");
            Objects.requireNonNull(country, "country");
        }

        /** Without a regulatory domain. */
        public Wifi(String ssid, String psk) {
            this(ssid, psk, "");
        }

        @Override
        public String toString() {
            return "Wifi[ssid=" + ssid + ", psk=<hidden>, country=" + country + "]";
        }
    }

    /** How the link gets its address. */
    public sealed interface Addressing permits Dhcp, StaticAddress {}

    /** DHCPv4 (the board is then reached by its mDNS name {@code HOST.local}). */
    public record Dhcp() implements Addressing {}

    /**
     * A fixed address.
     *
     * @param address the board's address and prefix, e.g. {@code 192.168.0.11/24}
     * @param gateway the default route's next hop, inside {@code address}'s subnet
     * @param dns name servers; may be empty
     */
    public record StaticAddress(Cidr address, InetAddress gateway, List<InetAddress> dns) implements Addressing {
        public StaticAddress {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(gateway, "gateway");
            dns = List.copyOf(dns);
            if (!address.contains(gateway)) {
                throw new IllegalArgumentException("--gateway " + gateway.getHostAddress() + " is not in the subnet of "
                        + address + "; give the router's address in that subnet");
            }
        }

        /** @return the same settings for the board {@code n} addresses further up */
        public StaticAddress plus(int n) {
            return new StaticAddress(address.plus(n), gateway, dns);
        }
    }
}
