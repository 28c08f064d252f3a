package dev.hangar.boards;

import dev.hangar.nocloud.NoCloudFiles;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a board's cloud-init NoCloud files as Raspberry Pi OS (with cloud-init) and Ubuntu Server
 * for Raspberry Pi read them from the boot partition: {@code user-data} ({@code #cloud-config}),
 * {@code meta-data} and {@code network-config} (network config version 2, the netplan format,
 * under a top-level {@code network:} key as both images ship it). Pure: same input, same text.
 * Thread-safe.
 *
 * <p>user-data: the hostname (and {@code manage_etc_hosts}), one user with passwordless sudo, a
 * locked password and the SSH keys, {@code ssh_pwauth: false}, {@code disable_root: true}; with
 * DHCP also the package {@code avahi-daemon}, so the board answers to {@code HOST.local}.
 *
 * <p>meta-data: {@code local-hostname} and an {@code instance-id} made of the host name and a hash
 * of the other two files, so cloud-init treats changed settings as a new instance and applies them.
 *
 * <p>network-config: {@code eth0} with DHCP (optional, so boot does not wait for a cable); with
 * Wi-Fi, {@code wlan0} joining the network with the passphrase (and netplan's {@code
 * regulatory-domain} when a country is given); a static address goes on the Wi-Fi
 * link when there is one, else on {@code eth0}, with a default route and name servers.
 */
public final class BoardSeed {
    private BoardSeed() {}

    /** @return the three files for {@code board} */
    public static NoCloudFiles render(Board board) {
        String userData = userData(board);
        String networkConfig = networkConfig(board.network());
        return new NoCloudFiles(userData, metaData(board.hostname(), userData + networkConfig), networkConfig);
    }

    private static String userData(Board board) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("hostname", board.hostname());
        doc.put("manage_etc_hosts", true);
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("name", board.user());
        user.put("shell", "/bin/bash");
        user.put("sudo", "ALL=(ALL) NOPASSWD:ALL");
        user.put("lock_passwd", true);
        user.put("ssh_authorized_keys", board.authorizedKeys());
        doc.put("users", List.of(user));
        doc.put("ssh_pwauth", false);
        doc.put("disable_root", true);
        if (board.network().addressing() instanceof BoardNetwork.Dhcp) doc.put("packages", List.of("avahi-daemon"));
        return "#cloud-config\n" + Yaml.write(doc);
    }

    private static String metaData(String hostname, String content) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("instance-id", hostname + "-" + sha256(content).substring(0, 12));
        doc.put("local-hostname", hostname);
        return Yaml.write(doc);
    }

    private static String networkConfig(BoardNetwork network) {
        Map<String, Object> net = new LinkedHashMap<>();
        net.put("version", 2);
        boolean wifi = network.link() instanceof BoardNetwork.Wifi;
        Map<String, Object> eth0 = wifi ? dhcp() : addressing(network.addressing());
        net.put("ethernets", Map.of("eth0", eth0));
        if (network.link() instanceof BoardNetwork.Wifi w) {
            Map<String, Object> wlan0 = addressing(network.addressing());
            if (!w.country().isEmpty()) wlan0.put("regulatory-domain", w.country());
            Map<String, Object> accessPoint = new LinkedHashMap<>();
            accessPoint.put("password", w.psk());
            wlan0.put("access-points", Map.of(w.ssid(), accessPoint));
            net.put("wifis", Map.of("wlan0", wlan0));
        }
        return Yaml.write(Map.of("network", net));
    }

    private static Map<String, Object> dhcp() {
        Map<String, Object> iface = new LinkedHashMap<>();
        iface.put("dhcp4", true);
        iface.put("optional", true);
        return iface;
    }

    private static Map<String, Object> addressing(BoardNetwork.Addressing addressing) {
        if (!(addressing instanceof BoardNetwork.StaticAddress s)) return dhcp();
        Map<String, Object> iface = new LinkedHashMap<>();
        iface.put("dhcp4", false);
        iface.put("optional", true);
        iface.put("addresses", List.of(s.address().toString()));
        Map<String, Object> route = new LinkedHashMap<>();
        route.put("to", s.gateway() instanceof Inet4Address ? "0.0.0.0/0" : "::/0");
        route.put("via", s.gateway().getHostAddress());
        iface.put("routes", List.of(route));
        if (!s.dns().isEmpty()) {
            iface.put(
                    "nameservers",
                    Map.of(
                            "addresses",
                            s.dns().stream().map(InetAddress::getHostAddress).toList()));
        }
        return iface;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
