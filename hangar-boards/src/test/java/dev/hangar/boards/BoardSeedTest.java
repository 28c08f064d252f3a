package dev.hangar.boards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.nocloud.NoCloudFiles;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every board seed passes the real cloud-init 22.4's schema check, and its network-config goes
 * through cloud-init's own network parser (net-convert) to the netplan cloud-init would write.
 */
class BoardSeedTest {
    @TempDir
    Path dir;

    private String key;

    @BeforeEach
    void key() throws Exception {
        key = Files.readString(CloudInitTools.newPublicKey(dir, "board-key")).strip();
    }

    private Board board(BoardNetwork network) {
        return new Board("bee42-crew-01-001", "pirate", List.of(key), network);
    }

    private static BoardNetwork.StaticAddress fixed() {
        return new BoardNetwork.StaticAddress(
                new Cidr(InetAddress.ofLiteral("192.168.0.11"), 24),
                InetAddress.ofLiteral("192.168.0.1"),
                List.of(InetAddress.ofLiteral("192.168.0.1"), InetAddress.ofLiteral("9.9.9.9")));
    }

    @Test
    void wiredDhcpBoard() throws Exception {
        NoCloudFiles f = BoardSeed.render(board(BoardNetwork.DEFAULT));

        assertThat(f.userData()).startsWith("#cloud-config\n");
        CloudInitTools.assertValidCloudConfig(dir, "user-data", f.userData());
        JsonNode u = CloudInitTools.tree(f.userData());
        assertThat(u.get("hostname").asText()).isEqualTo("bee42-crew-01-001");
        assertThat(u.get("ssh_pwauth").asBoolean(true)).isFalse();
        JsonNode user = u.get("users").get(0);
        assertThat(user.get("name").asText()).isEqualTo("pirate");
        assertThat(user.get("lock_passwd").asBoolean()).isTrue();
        assertThat(user.get("ssh_authorized_keys").get(0).asText()).isEqualTo(key);
        assertThat(f.userData().lines()).as("the key is not folded").contains("  - " + key);
        assertThat(u.get("packages").get(0).asText()).as("mDNS for HOST.local").isEqualTo("avahi-daemon");

        JsonNode m = CloudInitTools.tree(f.metaData());
        assertThat(m.get("local-hostname").asText()).isEqualTo("bee42-crew-01-001");
        assertThat(m.get("instance-id").asText()).matches("bee42-crew-01-001-[0-9a-f]{12}");

        String netplan = CloudInitTools.netConvertToNetplan(dir, f.networkConfig());
        JsonNode eth0 = CloudInitTools.tree(netplan).at("/network/ethernets/eth0");
        assertThat(eth0.get("dhcp4").asBoolean()).as(netplan).isTrue();
    }

    @Test
    void wifiWithStaticAddressKeepsThePassphraseAsAString() throws Exception {
        // all digits: a YAML writer that does not quote it would make it a number
        BoardNetwork net = new BoardNetwork(new BoardNetwork.Wifi("bee42 crew", "12345678", "DE"), fixed());
        NoCloudFiles f = BoardSeed.render(board(net));

        CloudInitTools.assertValidCloudConfig(dir, "user-data", f.userData());
        assertThat(CloudInitTools.tree(f.userData()).has("packages")).isFalse();
        JsonNode wlan0 = CloudInitTools.tree(f.networkConfig()).at("/network/wifis/wlan0");
        assertThat(wlan0.at("/access-points/bee42 crew/password").isTextual()).isTrue();
        assertThat(wlan0.at("/access-points/bee42 crew/password").asText()).isEqualTo("12345678");

        String netplan = CloudInitTools.netConvertToNetplan(dir, f.networkConfig());
        JsonNode converted = CloudInitTools.tree(netplan).at("/network/wifis/wlan0");
        assertThat(converted.at("/addresses/0").asText()).as(netplan).isEqualTo("192.168.0.11/24");
        assertThat(converted.at("/access-points/bee42 crew/password").asText()).isEqualTo("12345678");
        assertThat(converted.at("/regulatory-domain").asText()).isEqualTo("DE");
        assertThat(netplan).contains("192.168.0.1", "9.9.9.9");
        assertThat(CloudInitTools.tree(netplan)
                        .at("/network/ethernets/eth0/dhcp4")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void wiredStaticAddressHasRouteAndNameServers() throws Exception {
        NoCloudFiles f = BoardSeed.render(board(new BoardNetwork(new BoardNetwork.Ethernet(), fixed())));
        String netplan = CloudInitTools.netConvertToNetplan(dir, f.networkConfig());
        JsonNode eth0 = CloudInitTools.tree(netplan).at("/network/ethernets/eth0");
        assertThat(eth0.at("/addresses/0").asText()).as(netplan).isEqualTo("192.168.0.11/24");
        assertThat(netplan).contains("via: 192.168.0.1").contains("9.9.9.9");
        assertThat(CloudInitTools.tree(netplan).at("/network/wifis").isMissingNode())
                .isTrue();
    }

    @Test
    void instanceIdChangesWithTheSettingsAndOnlyWithThem() {
        String a = BoardSeed.render(board(BoardNetwork.DEFAULT)).metaData();
        String again = BoardSeed.render(board(BoardNetwork.DEFAULT)).metaData();
        String other = BoardSeed.render(board(new BoardNetwork(new BoardNetwork.Ethernet(), fixed())))
                .metaData();
        assertThat(again).isEqualTo(a);
        assertThat(other).isNotEqualTo(a);
    }

    @Test
    void thePassphraseIsNotInAnyToString() {
        Board b = board(new BoardNetwork(new BoardNetwork.Wifi("net", "s3cr3t-passphrase"), new BoardNetwork.Dhcp()));
        assertThat(b.toString()).doesNotContain("s3cr3t-passphrase").contains("psk=<hidden>");
        assertThat(BoardSeed.render(b).networkConfig()).doesNotContain("regulatory-domain");
    }
}
