package dev.hangar.testing.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.api.Json;
import dev.hangar.cli.sshconfig.GatewayHost;
import dev.hangar.cli.sshconfig.SshConfigInput;
import dev.hangar.cli.sshconfig.SshConfigWriter;
import dev.hangar.cli.sshconfig.WorkspaceHostKey;
import dev.hangar.server.GatewayHook;
import dev.hangar.testfixtures.LeftoverQemuSweep;
import dev.hangar.testfixtures.TestImage;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import java.io.File;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lab through the control plane with REAL QEMU ({@code -accel tcg}) and Debian's REAL Ansible
 * (issue #13): {@code POST /api/v1/labs} with two VMs (master=1, nodes=1, booted concurrently), the
 * inventory {@code hangar lab inventory} renders, reached over the Hangar SSH gateway with the config
 * {@code hangar config-ssh} writes (host keys pinned, strict checking): {@code ansible-inventory
 * --graph} shows the groups, {@code ansible all -m ping} succeeds for both; through Ansible the lab
 * NIC ({@code lab0}, the lab addresses), {@code /etc/hosts}, ping between the members by name and by
 * address, and the uplink's DHCP address. Then a marker file written by Ansible on both, {@code POST
 * .../reset?member=MASTER}: the master's marker is gone, cloud-init ran a first boot again, the
 * node's marker is kept, Ansible still connects without host-key prompts and the members still
 * reach each other. {@code DELETE} of the lab leaves no QEMU process, workspace directory or row.
 * Three boots in all (two at once, one reset boot). It replaced {@code QemuProviderIT}'s two-VM lab
 * test, covering what that test checked (lab NIC addresses, ping by name, {@code /etc/hosts}, reset
 * to the base image with the host key kept) through the control plane, so CI boots no extra VMs.
 */
class LabAnsibleIT {
    // TCG boots take 50-90 s on an idle 2-core machine and several minutes under heavy load.
    private static final Duration BOOT = Duration.ofMinutes(12);

    @TempDir
    Path tmp;

    /** Stops QEMU processes that a killed earlier run of a VM test left behind (never another's). */
    @BeforeAll
    static void sweepLeftoverVms() {
        LeftoverQemuSweep.forTestVms().sweep();
    }

    @Test
    void ansibleReachesALabOfTwoVmsThroughTheGatewayAndAResetKeepsNamesAddressesAndHostKeys() throws Exception {
        Path image = TestImage.path();
        Path clientKey = LocalVm.clientKey(tmp);
        Path keys = clientKey.getParent();
        String lab = "lab" + UUID.randomUUID().toString().substring(0, 6);
        String master = lab + "-master-1";
        String node = lab + "-nodes-1";

        Path home = LocalVm.home("hl");
        try (TestControlPlane cp =
                LocalVm.controlPlane(home, Map.of("restrict-network", "true")).start()) {
            TestHttp http = cp.http();
            String token = cp.adminToken();
            HttpResponse<String> imported = http.post(
                    "/api/v1/images/import", token, json(Map.of("path", image.toString(), "name", "test-debian")));
            assertThat(imported.statusCode()).as(imported.body()).isEqualTo(201);
            HttpResponse<String> key = http.post(
                    "/api/v1/users/me/keys",
                    token,
                    json(Map.of(
                            "key",
                            Files.readString(keys.resolve("id_ed25519.pub")).strip())));
            assertThat(key.statusCode()).as(key.body()).isEqualTo(201);

            // 1. The lab: both members boot at once.
            Instant t0 = Instant.now();
            HttpResponse<String> created = http.post(
                    "/api/v1/labs",
                    token,
                    json(Map.of(
                            "name",
                            lab,
                            "template",
                            "vm",
                            "groups",
                            List.of(Map.of("name", "master", "count", 1), Map.of("name", "nodes", "count", 1)))));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode ready = awaitLab(http, token, lab, "Ready");
            Duration boot = Duration.between(t0, Instant.now());
            Map<String, String> address = new LinkedHashMap<>();
            for (JsonNode m : ready.path("members"))
                address.put(m.path("name").asText(), m.path("address").asText());
            assertThat(address).containsOnlyKeys(master, node);
            Map<String, JsonNode> ws = new LinkedHashMap<>();
            for (String name : address.keySet()) ws.put(name, workspace(http, token, name));

            // 2. config-ssh's config (gateway + pinned host keys) and the inventory that uses it.
            Path sshHome = Files.createDirectory(
                    tmp.resolve("sshhome"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            GatewayHook.GatewayInfo gw = cp.server().gateway();
            SshConfigWriter writer = new SshConfigWriter(sshHome);
            List<WorkspaceHostKey> hostKeys = new ArrayList<>();
            ws.forEach((name, w) ->
                    hostKeys.add(new WorkspaceHostKey(name, w.path("hostKey").asText())));
            writer.apply(new SshConfigInput(
                    new GatewayHost(gw.host(), gw.port(), gw.hostKey()),
                    ws.get(master).path("owner").asText(),
                    clientKey.toAbsolutePath(),
                    hostKeys));
            String config = writer.hangarConfig().toAbsolutePath().toString();
            HttpResponse<String> inv = http.get(
                    "/api/v1/labs/" + lab + "/inventory?format=ini&sshConfig="
                            + URLEncoder.encode(config, StandardCharsets.UTF_8),
                    token);
            assertThat(inv.statusCode()).as(inv.body()).isEqualTo(200);
            Path inventory = Files.writeString(tmp.resolve("inventory.ini"), inv.body());
            Ansible ansible = new Ansible(inventory, sshHome, tmp);

            assertThat(ansible.run("ansible-inventory", "--graph"))
                    .contains("@" + lab + ":", "@master:", "@nodes:", master + ".hangar", node + ".hangar");
            String ping = ansible.run("ansible", "all", "-m", "ping");
            assertThat(ping).contains(master + ".hangar | SUCCESS", node + ".hangar | SUCCESS");

            // 3. The lab NIC, /etc/hosts and the members reaching each other, through Ansible.
            assertThat(ansible.shell(master, "ip -o route get " + address.get(node)))
                    .contains("dev lab0");
            assertThat(ansible.shell(master, "ip -o -4 addr show lab0")).contains(address.get(master) + "/");
            for (String from : address.keySet()) {
                String hosts = ansible.shell(from, "cat /etc/hosts");
                address.forEach((name, addr) ->
                        assertThat(hosts).containsPattern("(?m)^" + addr.replace(".", "\\.") + "\\s+" + name + "\\b"));
            }
            assertThat(ansible.shell(node, "ip -o -4 addr show eth0")).contains("10.0.2.15/24");
            pings(ansible, node, address.get(master));
            pings(ansible, master, node);
            pings(ansible, node, master);

            // 4. A marker on both, written by Ansible; a reset of the master only.
            ansible.shell(master, "echo before-reset > ~/marker.txt && sync");
            ansible.shell(node, "echo kept > ~/marker.txt && sync");
            String masterId = ws.get(master).path("id").asText();
            Instant t1 = Instant.now();
            HttpResponse<String> reset = http.post("/api/v1/labs/" + lab + "/reset?member=" + master, token, "");
            assertThat(reset.statusCode()).as(reset.body()).isEqualTo(202);
            assertThat(TestHttp.json(reset).size()).isEqualTo(1);
            awaitResetDone(http, token, master);
            Duration resetToRunning = Duration.between(t1, Instant.now());

            // 5. The marker is gone, cloud-init ran a first boot again, the node is untouched, and
            // Ansible still connects with the pinned host keys (no prompt: BatchMode, strict).
            assertThat(ansible.run("ansible", "all", "-m", "ping"))
                    .contains(master + ".hangar | SUCCESS", node + ".hangar | SUCCESS");
            assertThat(ansible.shell(master, "ls ~/marker.txt 2>&1 || echo gone"))
                    .contains("gone");
            assertThat(ansible.shell(master, "cat /var/lib/cloud/data/instance-id"))
                    .contains(masterId + ".reset-1");
            assertThat(ansible.shell(master, "hostname")).contains(master);
            assertThat(ansible.shell(node, "cat ~/marker.txt")).contains("kept");
            pings(ansible, master, node);
            pings(ansible, node, master);
            Duration all = Duration.between(t0, Instant.now());

            // 6. Delete leaves nothing: no QEMU process, no workspace directory, no row.
            assertThat(http.delete("/api/v1/labs/" + lab, token).statusCode()).isEqualTo(202);
            for (JsonNode w : ws.values()) {
                String name = w.path("name").asText();
                await().atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() ->
                                http.get("/api/v1/workspaces/" + name, token).statusCode() == 404);
                Path wsDir = home.resolve("providers/qemu/workspaces")
                        .resolve(w.path("id").asText());
                assertThat(LocalVm.qemuProcesses(wsDir)).isEmpty();
                assertThat(wsDir).doesNotExist();
                assertThat(cp.server().store().workspaces().find(w.path("id").asText()))
                        .isEmpty();
            }
            assertThat(http.get("/api/v1/labs/" + lab, token).statusCode()).isEqualTo(404);
            System.out.printf(
                    "LabAnsibleIT: lab of 2 VMs create -> Ready %d ms, reset of one member -> Running %d ms,"
                            + " create to reset checked %d ms%n",
                    boot.toMillis(), resetToRunning.toMillis(), all.toMillis());
        } finally {
            // A failed run must not leave a VM behind: QEMU is detached from the server on purpose.
            ProcessHandle.allProcesses()
                    .filter(h -> h.info().commandLine().orElse("").contains(home.toString()))
                    .filter(h -> h.info().command().orElse("").contains("qemu-system"))
                    .forEach(ProcessHandle::destroyForcibly);
            LocalVm.deleteTree(home);
        }
    }

    /** Pings {@code target} from {@code from} until it answers (the lab NIC may come up just after sshd), then 5 more. */
    private static void pings(Ansible ansible, String from, String target) throws Exception {
        String out = ansible.shell(
                from,
                "timeout 120 sh -c 'until ping -c1 -W2 " + target + " >/dev/null; do sleep 1; done'"
                        + " && ping -c5 -i0.2 " + target);
        assertThat(out).contains("5 packets transmitted, 5 received");
    }

    private static JsonNode workspace(TestHttp http, String token, String name) {
        HttpResponse<String> r = http.get("/api/v1/workspaces/" + name, token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestHttp.json(r);
    }

    private static JsonNode awaitLab(TestHttp http, String token, String lab, String status) {
        JsonNode[] last = {null};
        try {
            await().atMost(BOOT).pollInterval(Duration.ofSeconds(2)).until(() -> {
                last[0] = TestHttp.json(http.get("/api/v1/labs/" + lab, token));
                if (last[0].path("status").asText().equals("Degraded"))
                    throw new AssertionError("lab degraded: " + last[0]);
                return last[0].path("status").asText().equals(status);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    "lab " + lab + " not " + status + " within " + BOOT + "; last seen: " + last[0], e);
        }
        return last[0];
    }

    /** Waits for {@code reset completed (generation 1)} in the workspace's events and for it to be Running again. */
    private static void awaitResetDone(TestHttp http, String token, String name) {
        JsonNode[] last = {null};
        try {
            await().atMost(BOOT).pollInterval(Duration.ofSeconds(2)).until(() -> {
                last[0] = workspace(http, token, name);
                if (last[0].path("phase").asText().equals("Failed")) throw new AssertionError("failed: " + last[0]);
                boolean completed = false;
                for (JsonNode e : TestHttp.json(http.get("/api/v1/workspaces/" + name + "/events?limit=200", token)))
                    completed |= e.path("message").asText().equals("reset completed (generation 1)");
                return completed && last[0].path("phase").asText().equals("Running");
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    name + " not reset and Running within " + BOOT + "; last seen: " + last[0] + "; events: "
                            + http.get("/api/v1/workspaces/" + name + "/events?limit=30", token)
                                    .body(),
                    e);
        }
    }

    private static String json(Map<String, ?> fields) {
        try {
            return Json.mapper().writeValueAsString(fields);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Debian's real Ansible on {@code inventory}, with its home and temp directories inside the test's
     * and host-key checking ON (the default; the inventory's ssh args name the config-ssh config).
     */
    private record Ansible(Path inventory, Path home, Path tmp) {
        String shell(String member, String command) throws IOException, InterruptedException {
            return run("ansible", member + ".hangar", "-m", "shell", "-a", command);
        }

        String run(String... args) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of(args));
            cmd.addAll(List.of("-i", inventory.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true);
            Map<String, String> env = pb.environment();
            env.put("HOME", home.toString());
            env.put("ANSIBLE_LOCAL_TEMP", tmp.resolve("ansible-local").toString());
            env.put("ANSIBLE_HOST_KEY_CHECKING", "True");
            env.put("ANSIBLE_NOCOLOR", "1");
            env.put("ANSIBLE_TIMEOUT", "60");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(String.join(" ", cmd) + ":\n" + out).isZero();
            return out;
        }
    }
}
