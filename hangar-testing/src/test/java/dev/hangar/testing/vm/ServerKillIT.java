package dev.hangar.testing.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.api.Json;
import dev.hangar.testfixtures.LeftoverQemuSweep;
import dev.hangar.testfixtures.TestImage;
import dev.hangar.testing.TestHttp;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of the control plane itself, with the REAL server ({@code dev.hangar.server.Main} in its
 * own JVM, configured through {@code $HANGAR_HOME/server.yaml}), REAL QEMU ({@code -accel tcg})
 * and the REAL OpenSSH client, driven over real HTTP:
 *
 * <ol>
 *   <li>create a workspace and kill -9 the server the moment its overlay exists (disk, seed or QEMU
 *       launch in progress); restart on the same home: the workspace converges to Running with
 *       exactly one QEMU process (the detached one is adopted, not launched twice) and no
 *       half-written file;
 *   <li>ssh in and write a marker; stop and kill -9 the server once the graceful shutdown has begun
 *       (QMP {@code system_powerdown}); restart: it converges to Stopped with no QEMU process, no
 *       runtime file and the overlay kept;
 *   <li>start (second and last boot), read the marker back, delete: no QEMU process, workspace
 *       directory or database row is left.
 * </ol>
 */
class ServerKillIT {
    // TCG boots take 50-90 s on an idle 2-core machine; at a load average of 20-30 (other builds and
    // VMs) one boot took more than 10 minutes.
    private static final Duration BOOT = Duration.ofMinutes(20);

    @TempDir
    Path tmp;

    /** Stops QEMU processes that a killed earlier run of a VM test left behind (never another's). */
    @BeforeAll
    static void sweepLeftoverVms() {
        LeftoverQemuSweep.forTestVms().sweep();
    }

    @Test
    void killNineDuringProvisioningAndDuringStopConverges() throws Exception {
        Path image = TestImage.path();
        Path clientKey = LocalVm.clientKey(tmp);
        Path keys = clientKey.getParent();

        Path home = LocalVm.home("hk");
        Files.writeString(home.resolve("server.yaml"), """
                listen: 127.0.0.1:0
                templates: {builtin: false}
                reconciler: {resync-interval: 5s}
                providers:
                  qemu: {accelerator: tcg, ssh-probe-timeout-seconds: "5"}
                gateway: {listen-port: "0"}
                """);
        ServerProcess server = new ServerProcess(home);
        boolean passed = false;
        try (server) {
            server.start();
            String token = server.adminToken();
            TestHttp http = server.http();
            assertCreated(http.post(
                    "/api/v1/images/import", token, body(Map.of("path", image.toString(), "name", "test-debian"))));
            assertCreated(http.post(
                    "/api/v1/users/me/keys",
                    token,
                    body(Map.of(
                            "key",
                            Files.readString(keys.resolve("id_ed25519.pub")).strip()))));

            // 1. kill -9 during provisioning
            JsonNode created = assertCreated(
                    http.post("/api/v1/workspaces", token, body(Map.of("name", "dev", "template", "vm"))));
            String id = created.path("id").asText();
            Path wsDir = home.resolve("providers/qemu/workspaces").resolve(id);
            await().atMost(Duration.ofMinutes(2))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10))
                    .alias("overlay of the new workspace exists")
                    .until(() -> Files.exists(wsDir.resolve("overlay.qcow2")));
            server.kill9();
            List<String> atKill = listing(wsDir);
            System.out.println("ServerKillIT: killed during provisioning; workspace files then: " + atKill);

            server.start();
            http = server.http();
            JsonNode ws = awaitPhase(http, token, "Running");
            List<ProcessHandle> vms = LocalVm.qemuProcesses(wsDir);
            assertThat(vms).as("exactly one QEMU for the workspace").hasSize(1);
            assertThat(Files.readString(wsDir.resolve("qemu.pid")).strip())
                    .isEqualTo(Long.toString(vms.getFirst().pid()));
            assertNoHalfWrittenFiles(wsDir);
            List<JsonNode> events = events(http, token);
            assertThat(ofType(events, "vm-started"))
                    .as("QEMU launched at most once (a VM launched before the kill is adopted)")
                    .hasSizeLessThanOrEqualTo(1);
            assertThat(ofType(events, "error")).as("no failed pass").isEmpty();

            System.out.println("ServerKillIT: phase 1 passed (Running after the kill, one QEMU, pid "
                    + vms.getFirst().pid() + ", vm-started events "
                    + ofType(events, "vm-started").size() + ")");
            Path knownHosts = keys.resolve("known_hosts");
            String marker = "hangar-" + System.nanoTime();
            LocalVm.ssh(clientKey, knownHosts, wsDir, ws, "echo " + marker + " > ~/persist.txt && sync");

            // 2. kill -9 during a graceful stop
            assertThat(http.post("/api/v1/workspaces/dev/stop", token, "").statusCode())
                    .isEqualTo(202);
            await().atMost(Duration.ofMinutes(2))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10))
                    .alias("the provider began the graceful shutdown")
                    .until(() -> Files.exists(wsDir.resolve("powerdown-requested-at")));
            boolean vmAliveAtKill = !LocalVm.qemuProcesses(wsDir).isEmpty();
            server.kill9();
            System.out.println("ServerKillIT: killed during stop; QEMU still running then: " + vmAliveAtKill
                    + "; files: " + listing(wsDir));

            server.start();
            http = server.http();
            awaitPhase(http, token, "Stopped");
            assertThat(LocalVm.qemuProcesses(wsDir)).isEmpty();
            assertThat(wsDir.resolve("overlay.qcow2")).exists();
            for (String runtime : List.of("qemu.pid", "qmp.sock", "console.sock", "powerdown-requested-at")) {
                assertThat(wsDir.resolve(runtime))
                        .as("runtime file of a stopped VM")
                        .doesNotExist();
            }
            assertNoHalfWrittenFiles(wsDir);
            System.out.println("ServerKillIT: phase 2 passed (Stopped after the kill, no QEMU, overlay kept)");

            // 3. the disk survived: boot it again and read the marker back
            assertThat(http.post("/api/v1/workspaces/dev/start", token, "").statusCode())
                    .isEqualTo(202);
            ws = awaitPhase(http, token, "Running");
            assertThat(LocalVm.qemuProcesses(wsDir)).hasSize(1);
            assertThat(LocalVm.ssh(clientKey, knownHosts, wsDir, ws, "cat ~/persist.txt"))
                    .isEqualTo(marker);

            // 4. delete leaves nothing of the workspace
            assertThat(http.delete("/api/v1/workspaces/dev", token).statusCode())
                    .isEqualTo(202);
            TestHttp h = http;
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> h.get("/api/v1/workspaces/dev", token).statusCode() == 404);
            assertThat(LocalVm.qemuProcesses(wsDir)).isEmpty();
            assertThat(wsDir).doesNotExist();
            server.stop();
            assertThat(workspaceRows(home, id)).as("rows of workspace " + id).isZero();
            assertThat(home.resolve("providers/qemu/images/test-debian/root.raw"))
                    .exists();
            passed = true;
        } finally {
            // A failed run must not leave a VM behind: QEMU is detached from the server on purpose.
            // server.close() (try-with-resources) already killed every process with the home on its
            // command line; this removes the files.
            server.close();
            if (!passed) keepLogs(home);
            LocalVm.deleteTree(home);
        }
    }

    /** Copies the server logs and serial consoles of a failed run to target/ for the post-mortem. */
    private static void keepLogs(Path home) throws IOException {
        Path into = Path.of("target", "server-kill-it-" + System.currentTimeMillis());
        try (Stream<Path> files = Files.walk(home)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".log") || name.endsWith("state") || name.equals("events.txt")) {
                    Path to = into.resolve(home.relativize(f));
                    Files.createDirectories(to.getParent());
                    Files.copy(f, to);
                }
            }
        }
        System.out.println("ServerKillIT: logs of the failed run kept in " + into.toAbsolutePath());
    }

    private static JsonNode assertCreated(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return TestHttp.json(r);
    }

    /** Leftovers of a step the kill cut short: temporary files are renamed into place or removed. */
    private static void assertNoHalfWrittenFiles(Path wsDir) throws IOException {
        assertThat(listing(wsDir)).noneMatch(f -> f.endsWith(".tmp"));
    }

    private static List<String> listing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<JsonNode> events(TestHttp http, String token) {
        List<JsonNode> out = new ArrayList<>();
        TestHttp.json(http.get("/api/v1/workspaces/dev/events", token)).forEach(out::add);
        return out;
    }

    private static List<String> ofType(List<JsonNode> events, String type) {
        return events.stream()
                .filter(e -> e.path("type").asText().equals(type))
                .map(e -> e.path("message").asText())
                .toList();
    }

    /** Reads the server's SQLite database directly (the server is stopped): rows naming the workspace. */
    private static long workspaceRows(Path home, String id) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + home.resolve("hangar.db"));
                PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM workspaces WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static JsonNode awaitPhase(TestHttp http, String token, String phase) {
        JsonNode[] last = {null};
        try {
            await().atMost(BOOT)
                    .pollInterval(Duration.ofSeconds(1))
                    .alias("workspace dev reaches " + phase)
                    .until(() -> {
                        last[0] = TestHttp.json(http.get("/api/v1/workspaces/dev", token));
                        String now = last[0].path("phase").asText();
                        if (now.equals("Failed")) throw new AssertionError("workspace failed: " + last[0]);
                        return now.equals(phase);
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "workspace dev did not reach " + phase + " within " + BOOT + "; last seen: " + last[0]
                            + "; events: " + events(http, token),
                    e);
        }
        return last[0];
    }

    private static String body(Map<String, String> fields) {
        ObjectNode n = Json.mapper().createObjectNode();
        fields.forEach(n::put);
        return n.toString();
    }
}
