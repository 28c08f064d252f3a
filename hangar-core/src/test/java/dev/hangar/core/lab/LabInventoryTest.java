package dev.hangar.core.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab inventory in every format against golden files ({@code
 * src/test/resources/dev/hangar/core/lab/inventory.*}; rewrite them with {@code
 * -Dgolden.update=true} and review the diff), and the INI and {@code --list} forms read by Debian's
 * real {@code ansible-inventory} (skipped, saying so, only where it is not installed; CI installs
 * ansible-core).
 */
class LabInventoryTest {
    private static final Path GOLDEN = Path.of("src/test/resources/dev/hangar/core/lab");
    private static final String SSH_CONFIG = "/home/alice/.ssh/hangar/config";

    /** A lab shaped like seed 002's cluster: one master, two nodes, lab and group vars. */
    static Lab lab() {
        Map<String, String> labVars = new LinkedHashMap<>();
        labVars.put("fqdn_master", "cluster-1-master-1.hangar");
        labVars.put("network_address_master", "10.213.4.11");
        labVars.put("kube_version", "1.31");
        labVars.put("motd", "it's a lab: \"be nice\"");
        LabSpec spec = new LabSpec(
                "cluster-1",
                "debian-12",
                labVars,
                List.of(
                        new LabGroup("master", 1, "", 2, 4096, 0, "", Map.of("node_role", "control-plane")),
                        new LabGroup("nodes", 2, "", 0, 0, 0, "", Map.of("node_role", "worker", "pods", "110"))));
        return new Lab(
                "8d3c4f2e-1111-4a5b-9c6d-0123456789ab",
                "alice",
                spec,
                "10.213.4.0/24",
                Instant.parse("2026-12-03T10:00:00Z"),
                List.of(
                        new LabMember("master", 1, "cluster-1-master-1", "id-1", "10.213.4.11", ""),
                        new LabMember("nodes", 1, "cluster-1-nodes-1", "id-2", "10.213.4.12", ""),
                        new LabMember("nodes", 2, "cluster-1-nodes-2", "id-3", "10.213.4.13", "")));
    }

    @Test
    void iniMatchesItsGoldenFile() throws IOException {
        assertGolden("inventory.ini", LabInventory.render(lab(), LabInventory.Format.INI, SSH_CONFIG));
    }

    @Test
    void yamlMatchesItsGoldenFile() throws IOException {
        assertGolden("inventory.yaml", LabInventory.render(lab(), LabInventory.Format.YAML, SSH_CONFIG));
    }

    @Test
    void jsonMatchesItsGoldenFile() throws IOException {
        assertGolden("inventory.json", LabInventory.render(lab(), LabInventory.Format.JSON, SSH_CONFIG));
    }

    @Test
    void dynamicListMatchesItsGoldenFile() throws IOException {
        assertGolden("inventory-list.json", LabInventory.render(lab(), LabInventory.Format.LIST, SSH_CONFIG));
    }

    @Test
    void hostKeyCheckingIsNeverTurnedOff() {
        for (LabInventory.Format f : LabInventory.Format.values()) {
            String out = LabInventory.render(lab(), f, SSH_CONFIG);
            assertThat(out).contains("-F " + SSH_CONFIG).doesNotContainIgnoringCase("StrictHostKeyChecking");
        }
    }

    @Test
    void iniValuesAreQuotedOnlyWhenAnsibleWouldReadThemOtherwise() {
        assertThat(LabInventory.iniValue("10.213.4.11")).isEqualTo("10.213.4.11");
        assertThat(LabInventory.iniValue("-F /x/config")).isEqualTo("'-F /x/config'");
        assertThat(LabInventory.iniValue("110")).isEqualTo("'110'");
        assertThat(LabInventory.iniValue("true")).isEqualTo("'true'");
        assertThat(LabInventory.iniValue("it's")).isEqualTo("'it\\'s'");
    }

    @Test
    void realAnsibleInventoryReadsTheIniAndTheDynamicList(@TempDir Path dir) throws Exception {
        assumeTrue(
                onPath("ansible-inventory"),
                "ansible-inventory is not installed (apt-get install ansible-core); skipping the real-Ansible check");
        Path ini = dir.resolve("lab.ini");
        Files.writeString(ini, LabInventory.render(lab(), LabInventory.Format.INI, SSH_CONFIG));
        Path script = dir.resolve("lab-inventory.sh");
        Path listJson = dir.resolve("list.json");
        Files.writeString(listJson, LabInventory.render(lab(), LabInventory.Format.LIST, SSH_CONFIG));
        Files.writeString(script, "#!/bin/sh\ncat '" + listJson + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Path yaml = dir.resolve("lab.yaml");
        Files.writeString(yaml, LabInventory.render(lab(), LabInventory.Format.YAML, SSH_CONFIG));

        String expectedGraph = String.join(
                "\n",
                "@all:",
                "  |--@ungrouped:",
                "  |--@cluster-1:",
                "  |  |--@master:",
                "  |  |  |--cluster-1-master-1.hangar",
                "  |  |--@nodes:",
                "  |  |  |--cluster-1-nodes-1.hangar",
                "  |  |  |--cluster-1-nodes-2.hangar");
        for (Path source : List.of(ini, script, yaml)) {
            assertThat(ansible(dir, "ansible-inventory", "-i", source.toString(), "--graph"))
                    .as("graph of %s", source.getFileName())
                    .isEqualTo(expectedGraph);
            JsonNode list =
                    new ObjectMapper().readTree(ansible(dir, "ansible-inventory", "-i", source.toString(), "--list"));
            JsonNode master = list.get("_meta").get("hostvars").get("cluster-1-master-1.hangar");
            assertThat(master.get("lab_address").asText()).as("%s", source).isEqualTo("10.213.4.11");
            assertThat(master.get("ansible_user").asText()).isEqualTo("alice");
            assertThat(master.get("ansible_ssh_common_args").asText()).isEqualTo("-F " + SSH_CONFIG);
            assertThat(master.get("network_address_master").asText()).isEqualTo("10.213.4.11");
            assertThat(master.get("motd").asText()).isEqualTo("it's a lab: \"be nice\"");
            assertThat(master.get("node_role").asText()).isEqualTo("control-plane");
            JsonNode node = list.get("_meta").get("hostvars").get("cluster-1-nodes-2.hangar");
            assertThat(node.get("node_role").asText()).isEqualTo("worker");
            assertThat(node.get("pods").asText()).isEqualTo("110");
            assertThat(node.get("lab_address").asText()).isEqualTo("10.213.4.13");
        }
    }

    private static String ansible(Path dir, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("ANSIBLE_LOCAL_TEMP", dir.resolve("tmp").toString());
        pb.environment().put("ANSIBLE_HOME", dir.resolve("ansible-home").toString());
        pb.environment().put("ANSIBLE_INVENTORY_UNPARSED_FAILED", "true");
        pb.redirectError(dir.resolve("stderr.txt").toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue())
                .withFailMessage(() -> String.join(" ", cmd) + " failed: " + read(dir.resolve("stderr.txt")))
                .isZero();
        return out.strip();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) return true;
        }
        return false;
    }

    private static void assertGolden(String name, String actual) throws IOException {
        Path file = GOLDEN.resolve(name);
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, actual);
        }
        assertThat(file)
                .as("golden file %s (write it with -Dgolden.update=true)", file)
                .exists();
        assertThat(actual).isEqualTo(Files.readString(file));
    }
}
