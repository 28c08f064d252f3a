package dev.hangar.cli;

import dev.hangar.boards.BoardNetwork;
import dev.hangar.boards.Inputs;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The first-boot settings of {@code hangar board user-data} and {@code hangar board flash}: the
 * user, the SSH keys and the network. One declaration for both commands ({@code @Mixin}). Picocli
 * sets the fields; not thread-safe.
 */
final class BoardOptions {
    @Option(
            names = "--user",
            required = true,
            paramLabel = "USER",
            description = "The login user created on first boot (passwordless sudo, password locked).")
    String user;

    @Option(
            names = "--key",
            required = true,
            paramLabel = "FILE",
            description = "OpenSSH public key file for the user (repeatable), e.g. ~/.ssh/id_ed25519.pub.")
    List<Path> keys;

    @Option(names = "--wifi-ssid", paramLabel = "SSID", description = "Join this Wi-Fi network (with --wifi-psk-file).")
    String wifiSsid;

    @Option(
            names = "--wifi-psk-file",
            paramLabel = "FILE",
            description = "File holding the Wi-Fi passphrase on one line. Never given as a value, never printed.")
    Path wifiPskFile;

    @Option(
            names = "--wifi-country",
            paramLabel = "CC",
            description = "Wi-Fi regulatory domain, e.g. DE (Raspberry Pi OS keeps Wi-Fi off without one).")
    String wifiCountry;

    @Option(
            names = "--address",
            paramLabel = "CIDR",
            description = "Static address with prefix, e.g. 192.168.0.11/24 (needs --gateway); default DHCP."
                    + " With several boards, the first board's; the next ones count up.")
    String address;

    @Option(names = "--gateway", paramLabel = "IP", description = "Default gateway of the static address.")
    String gateway;

    @Option(names = "--dns", paramLabel = "IP", description = "Name server of the static address (repeatable).")
    List<String> dns = new ArrayList<>();

    /** @return the validated user name */
    String user() {
        return LocalInput.check(() -> Inputs.userName("--user", user));
    }

    /** @return the public keys of every {@code --key} file, validated */
    List<String> authorizedKeys() {
        List<String> all = new ArrayList<>();
        for (Path k : keys) all.addAll(LocalInput.check(() -> Inputs.publicKeys("--key", k)));
        return all;
    }

    /** @return the network of the first board, validated */
    BoardNetwork network() {
        if ((wifiSsid == null) != (wifiPskFile == null)) {
            throw LocalInput.usage("--wifi-ssid and --wifi-psk-file go together: give both, or neither for a cable");
        }
        if (wifiCountry != null && wifiSsid == null) {
            throw LocalInput.usage("--wifi-country goes with --wifi-ssid and --wifi-psk-file");
        }
        if (address == null && (gateway != null || !dns.isEmpty())) {
            throw LocalInput.usage("--gateway and --dns set up a static address: give --address CIDR too");
        }
        if (address != null && gateway == null) {
            throw LocalInput.usage("--address needs --gateway IP (the router's address in that subnet)");
        }
        BoardNetwork.Link link = wifiSsid == null
                ? new BoardNetwork.Ethernet()
                : LocalInput.check(() -> new BoardNetwork.Wifi(
                        Inputs.wifiSsid("--wifi-ssid", wifiSsid),
                        Inputs.wifiPsk("--wifi-psk-file", wifiPskFile),
                        wifiCountry == null ? "" : Inputs.wifiCountry("--wifi-country", wifiCountry)));
        return new BoardNetwork(link, addressing(address, gateway, dns));
    }

    /** @return DHCP when {@code address} is null, else the validated static address */
    static BoardNetwork.Addressing addressing(String address, String gateway, List<String> dns) {
        if (address == null) return new BoardNetwork.Dhcp();
        return LocalInput.check(() -> {
            List<InetAddress> servers = new ArrayList<>();
            for (String d : dns) servers.add(Inputs.ipAddress("--dns", d));
            return new BoardNetwork.StaticAddress(
                    Inputs.cidr("--address", address), Inputs.ipAddress("--gateway", gateway), servers);
        });
    }
}
