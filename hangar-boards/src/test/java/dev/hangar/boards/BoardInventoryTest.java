package dev.hangar.boards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hangar.testfixtures.HostCommands;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 002's inventory shape, as text and as Debian's real ansible-core reads it ({@code
 * ansible-inventory -i FILE --list}).
 */
class BoardInventoryTest {
    @TempDir
    Path dir;

    private static List<BoardInventory.Host> fixed(int n) {
        Cidr first = new Cidr(InetAddress.ofLiteral("192.168.0.11"), 24);
        List<BoardInventory.Host> hosts = new ArrayList<>();
        for (int i = 0; i < n; i++) hosts.add(BoardInventory.Host.at("bee42-crew-01-00" + (i + 1), first.plus(i)));
        return hosts;
    }

    @Test
    void staticAddressesInSeed002Shape() throws Exception {
        String ini = BoardInventory.ini("cluster-1", 1, fixed(3), "pirate");

        assertThat(ini).isEqualTo("""
                [cluster-1-master]
                bee42-crew-01-001 ansible_host=192.168.0.11

                [cluster-1-nodes]
                bee42-crew-01-002 ansible_host=192.168.0.12
                bee42-crew-01-003 ansible_host=192.168.0.13

                [cluster-1:children]
                cluster-1-master
                cluster-1-nodes

                [cluster-1:vars]
                ansible_user=pirate
                fqdn_master="bee42-crew-01-001.local"
                network_address_master="192.168.0.11"

                [master:children]
                cluster-1-master

                [nodes:children]
                cluster-1-nodes
                """);
        JsonNode list = ansibleList(ini);
        assertThat(texts(list.at("/cluster-1/children")))
                .containsExactlyInAnyOrder("cluster-1-master", "cluster-1-nodes");
        assertThat(texts(list.at("/cluster-1-master/hosts"))).containsExactly("bee42-crew-01-001");
        assertThat(texts(list.at("/cluster-1-nodes/hosts"))).containsExactly("bee42-crew-01-002", "bee42-crew-01-003");
        assertThat(texts(list.at("/master/children"))).containsExactly("cluster-1-master");
        assertThat(texts(list.at("/nodes/children"))).containsExactly("cluster-1-nodes");
        JsonNode node2 = list.at("/_meta/hostvars/bee42-crew-01-002");
        assertThat(node2.get("ansible_host").asText()).isEqualTo("192.168.0.12");
        assertThat(node2.get("ansible_user").asText()).isEqualTo("pirate");
        assertThat(node2.get("fqdn_master").asText()).isEqualTo("bee42-crew-01-001.local");
        assertThat(node2.get("network_address_master").asText()).isEqualTo("192.168.0.11");
    }

    @Test
    void dhcpBoardsAreReachedAtTheirLocalNames() throws Exception {
        List<BoardInventory.Host> hosts = List.of(
                BoardInventory.Host.mdns("pi-1"), BoardInventory.Host.mdns("pi-2"), BoardInventory.Host.mdns("pi-3"));
        String ini = BoardInventory.ini("lab", 2, hosts, "ubuntu");

        JsonNode list = ansibleList(ini);
        assertThat(texts(list.at("/lab-master/hosts"))).containsExactly("pi-1", "pi-2");
        assertThat(texts(list.at("/lab-nodes/hosts"))).containsExactly("pi-3");
        JsonNode pi3 = list.at("/_meta/hostvars/pi-3");
        assertThat(pi3.get("ansible_host").asText()).isEqualTo("pi-3.local");
        assertThat(pi3.get("fqdn_master").asText()).isEqualTo("pi-1.local");
        assertThat(pi3.has("network_address_master")).as("unknown with DHCP").isFalse();
    }

    @Test
    void mastersMustBeBetweenOneAndAllBoards() {
        assertThatThrownBy(() -> BoardInventory.ini("c", 0, fixed(2), "u"))
                .hasMessage("--masters 0 is out of range: give 1 to 2 (the number of boards)");
        assertThatThrownBy(() -> BoardInventory.ini("c", 3, fixed(2), "u"))
                .hasMessage("--masters 3 is out of range: give 1 to 2 (the number of boards)");
    }

    private JsonNode ansibleList(String ini) throws Exception {
        Path file = dir.resolve("cluster");
        Files.writeString(file, ini);
        String out = HostCommands.run(List.of("ansible-inventory", "-i", file.toString(), "--list"))
                .orThrow("ansible-inventory --list")
                .output();
        // warnings (e.g. about '-' in group names) go before the JSON when stderr is merged
        return new ObjectMapper().readTree(out.substring(out.indexOf('{')));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
