package dev.hangar.testing.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import dev.hangar.testing.dashboard.Chromium;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/**
 * The main job through the control plane with REAL QEMU ({@code -accel tcg}; KVM here only runs
 * PVM guests) and the REAL OpenSSH client: import the test image through the API, create a
 * workspace, wait for Running (sshd answered with the pinned host key), ssh in and write a file,
 * kill -9 QEMU (the workspace goes Failed with the serial log's last lines; start recovers it),
 * stop, start, read the file back; then through the SSH gateway with the config {@code hangar
 * config-ssh} writes: ssh, scp both ways and {@code ssh -R} (served by the workspace's sshd,
 * loopback only); delete, and check that no QEMU process, workspace directory (overlay, seed,
 * pidfile, sockets) or row is left. Three boots in all.
 *
 * <p>The first sessions go straight to the VM's loopback port forward with the pinned host key as
 * the only entry in known_hosts; the later ones use ProxyJump through the Hangar gateway.
 */
class LocalVmWorkspaceIT {
    // TCG boots take 50-90 s on an idle 2-core machine and several minutes under heavy load.
    private static final Duration BOOT = Duration.ofMinutes(10);

    @TempDir
    Path tmp;

    /** Stops QEMU processes that a killed earlier run of a VM test left behind (never another's). */
    @BeforeAll
    static void sweepLeftoverVms() {
        LeftoverQemuSweep.forTestVms().sweep();
    }

    @Test
    void createSshStopStartCrashRecoverDelete() throws Exception {
        Path image = TestImage.path();
        Path clientKey = LocalVm.clientKey(tmp);
        Path keys = clientKey.getParent();

        Path home = LocalVm.home("hv");
        try (TestControlPlane cp = LocalVm.controlPlane(home, Map.of()).start()) {
            TestHttp http = cp.http();
            String token = cp.adminToken();

            HttpResponse<String> imported = http.post(
                    "/api/v1/images/import", token, body(Map.of("path", image.toString(), "name", "test-debian")));
            assertThat(imported.statusCode()).as(imported.body()).isEqualTo(201);
            HttpResponse<String> key = http.post(
                    "/api/v1/users/me/keys",
                    token,
                    body(Map.of(
                            "key",
                            Files.readString(keys.resolve("id_ed25519.pub")).strip())));
            assertThat(key.statusCode()).as(key.body()).isEqualTo(201);

            Instant t0 = Instant.now();
            HttpResponse<String> created =
                    http.post("/api/v1/workspaces", token, body(Map.of("name", "dev", "template", "vm")));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode ws = awaitPhase(http, token, "Running");
            Duration firstBoot = Duration.between(t0, Instant.now());
            String id = ws.path("id").asText();
            Path wsDir = home.resolve("providers/qemu/workspaces").resolve(id);
            Path knownHosts = keys.resolve("known_hosts");

            String marker = "hangar-" + System.nanoTime();
            LocalVm.ssh(clientKey, knownHosts, wsDir, ws, "echo " + marker + " > ~/persist.txt && sync");

            // QEMU crash: kill -9 the VM; the workspace goes Failed with the serial log's tail.
            long pid =
                    Long.parseLong(Files.readString(wsDir.resolve("qemu.pid")).strip());
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            // The reconciler notices at its next pass (resync) and records Failed with the serial
            // log's last lines; it then leaves the workspace alone (no relaunch loop) until a start.
            JsonNode failed = awaitPhase(http, token, "Failed");
            assertThat(failed.path("reason").asText())
                    .contains("exited unexpectedly", "serial console", "hangar start");
            assertThat(LocalVm.qemuProcesses(wsDir)).isEmpty();
            boolean crashEvent = false;
            for (JsonNode e : TestHttp.json(http.get("/api/v1/workspaces/dev/events", token))) {
                crashEvent |= e.path("type").asText().equals("vm-crashed");
            }
            assertThat(crashEvent).as("vm-crashed event").isTrue();
            assertThat(http.post("/api/v1/workspaces/dev/start", token, "").statusCode())
                    .isEqualTo(202);
            ws = awaitPhase(http, token, "Running");
            assertThat(LocalVm.ssh(clientKey, knownHosts, wsDir, ws, "cat ~/persist.txt"))
                    .isEqualTo(marker);

            // stop keeps the disk; start boots it again
            assertThat(http.post("/api/v1/workspaces/dev/stop", token, "").statusCode())
                    .isEqualTo(202);
            awaitPhase(http, token, "Stopped");
            assertThat(LocalVm.qemuProcesses(wsDir)).isEmpty();
            assertThat(wsDir.resolve("overlay.qcow2")).exists();
            Instant t1 = Instant.now();
            assertThat(http.post("/api/v1/workspaces/dev/start", token, "").statusCode())
                    .isEqualTo(202);
            ws = awaitPhase(http, token, "Running");
            Duration secondBoot = Duration.between(t1, Instant.now());
            assertThat(LocalVm.ssh(clientKey, knownHosts, wsDir, ws, "cat ~/persist.txt"))
                    .isEqualTo(marker);

            // The same read through the SSH gateway, as users connect: plain OpenSSH with the
            // config that `hangar config-ssh` writes (ProxyJump, pinned keys, strict checking).
            Path sshHome = Files.createDirectory(
                    tmp.resolve("sshhome"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            GatewayHook.GatewayInfo gw = cp.server().gateway();
            new SshConfigWriter(sshHome)
                    .apply(new SshConfigInput(
                            new GatewayHost(gw.host(), gw.port(), gw.hostKey()),
                            ws.path("owner").asText(),
                            clientKey.toAbsolutePath(),
                            List.of(new WorkspaceHostKey(
                                    "dev", ws.path("hostKey").asText()))));
            String viaGateway = output(List.of(
                            "ssh",
                            "-F",
                            sshHome.resolve(".ssh/config").toString(),
                            "-o",
                            "BatchMode=yes",
                            "dev.hangar",
                            "cat ~/persist.txt"))
                    .strip();
            assertThat(viaGateway).isEqualTo(marker);
            String sshConfig = sshHome.resolve(".ssh/config").toString();

            // scp both ways through the gateway, byte for byte (1 MiB of random data).
            byte[] payload = new byte[1 << 20];
            new java.util.Random(42).nextBytes(payload);
            Path up = tmp.resolve("up.bin");
            Path down = tmp.resolve("down.bin");
            Files.write(up, payload);
            output(List.of("scp", "-F", sshConfig, "-o", "BatchMode=yes", up.toString(), "dev.hangar:up.bin"));
            output(List.of("scp", "-F", sshConfig, "-o", "BatchMode=yes", "dev.hangar:up.bin", down.toString()));
            assertThat(Files.readAllBytes(down)).isEqualTo(payload);

            // ssh -R through the gateway: the workspace's own sshd serves the remote forward (the
            // USB/IP tunnel relies on it). It must listen on the workspace's loopback only.
            try (java.net.ServerSocket pcSide =
                    new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                String greeting = "hello-from-pc-" + System.nanoTime();
                Thread.ofVirtual().start(() -> {
                    try (java.net.Socket s = pcSide.accept()) {
                        s.getOutputStream().write((greeting + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    } catch (IOException ignored) {
                        // the assertion on the remote output reports a missing greeting
                    }
                });
                String remote = output(List.of(
                        "ssh",
                        "-F",
                        sshConfig,
                        "-o",
                        "BatchMode=yes",
                        "-o",
                        "ExitOnForwardFailure=yes",
                        "-R",
                        "127.0.0.1:47123:127.0.0.1:" + pcSide.getLocalPort(),
                        "dev.hangar",
                        "ss -Hltn 'sport = :47123'; exec 3<>/dev/tcp/127.0.0.1/47123 && head -n 1 <&3"));
                List<String> lines = remote.strip().lines().toList();
                assertThat(lines).last().isEqualTo(greeting);
                List<String> listeners = lines.subList(0, lines.size() - 1);
                assertThat(listeners)
                        .as("listening sockets for the remote forward")
                        .isNotEmpty();
                assertThat(listeners).allSatisfy(l -> assertThat(l).containsAnyOf("127.0.0.1:47123", "[::1]:47123"));
            }
            // The gateway records the connection when the channel closes, just after ssh exits.
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .alias("ssh-connection event for the gateway hop")
                    .until(() -> {
                        for (JsonNode e : TestHttp.json(http.get("/api/v1/workspaces/dev/events", token))) {
                            if (e.path("type").asText().equals("ssh-connection")
                                    && e.path("message").asText().contains("relayed")) return true;
                        }
                        return false;
                    });

            // The dashboard's browser console on this real VM: xterm.js in Chromium shows the
            // guest's getty, which answers Enter with its login: prompt (no extra boot for this).
            try (Chromium chromium = Chromium.start(Files.createDirectory(tmp.resolve("chromium")))) {
                Instant c0 = Instant.now();
                chromium.signIn(cp.baseUri(), token);
                chromium.driver()
                        .get(cp.baseUri()
                                .resolve("/ui/workspaces/" + ws.path("owner").asText() + "/dev/console")
                                .toString());
                chromium.waitFor(() -> chromium.driver()
                        .findElement(By.id("console-status"))
                        .getAttribute("data-state")
                        .equals("connected"));
                chromium.driver()
                        .findElement(By.cssSelector("#terminal .xterm-helper-textarea"))
                        .sendKeys(Keys.ENTER);
                await().atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofMillis(500))
                        .alias("the guest's login: prompt in xterm.js")
                        .until(() -> chromium.terminalText().contains("login:"));
                chromium.shot("console-real-vm-login-prompt");
                System.out.printf(
                        "LocalVmWorkspaceIT: browser console sign-in -> login: prompt %d ms%n",
                        Duration.between(c0, Instant.now()).toMillis());
                chromium.driver().get("about:blank"); // detach before the delete below
            }

            // delete stops the VM and removes everything of the workspace, nothing else
            assertThat(http.delete("/api/v1/workspaces/dev", token).statusCode())
                    .isEqualTo(202);
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> http.get("/api/v1/workspaces/dev", token).statusCode() == 404);
            assertThat(LocalVm.qemuProcesses(wsDir)).isEmpty();
            assertThat(wsDir).doesNotExist();
            assertThat(cp.server().store().workspaces().find(id)).isEmpty();
            assertThat(home.resolve("providers/qemu/images/test-debian/root.raw"))
                    .exists();
            System.out.printf(
                    "LocalVmWorkspaceIT: create -> Running %d ms, start -> Running %d ms%n",
                    firstBoot.toMillis(), secondBoot.toMillis());
        } finally {
            // A failed run must not leave a VM behind: QEMU is detached from the server on purpose.
            ProcessHandle.allProcesses()
                    .filter(h -> h.info().commandLine().orElse("").contains(home.toString()))
                    .filter(h -> h.info().command().orElse("").contains("qemu-system"))
                    .forEach(ProcessHandle::destroyForcibly);
            LocalVm.deleteTree(home);
        }
    }

    private static JsonNode awaitPhase(TestHttp http, String token, String phase) {
        JsonNode[] last = {null};
        try {
            awaitPhase(http, token, phase, last);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // say where it got stuck: the workspace as last seen and its newest events
            throw new AssertionError(
                    "workspace dev did not reach " + phase + " within " + BOOT + "; last seen: " + last[0]
                            + "; events: "
                            + http.get("/api/v1/workspaces/dev/events?limit=20", token)
                                    .body(),
                    e);
        }
        return last[0];
    }

    private static void awaitPhase(TestHttp http, String token, String phase, JsonNode[] last) {
        await().atMost(BOOT)
                .pollInterval(Duration.ofSeconds(1))
                .alias("workspace dev reaches " + phase)
                .until(() -> {
                    last[0] = TestHttp.json(http.get("/api/v1/workspaces/dev", token));
                    String now = last[0].path("phase").asText();
                    if (!phase.equals("Failed") && now.equals("Failed"))
                        throw new AssertionError("workspace failed: " + last[0]);
                    return now.equals(phase);
                });
    }

    private static String body(Map<String, String> fields) {
        ObjectNode n = Json.mapper().createObjectNode();
        fields.forEach(n::put);
        return n.toString();
    }

    /** Runs {@code cmd} (stdin closed), asserts exit 0, returns its stdout; stderr goes to the test log. */
    private static String output(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd)).isZero();
        return out;
    }
}
