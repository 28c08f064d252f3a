package dev.hangar.testing.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.api.Json;
import dev.hangar.cli.sshconfig.GatewayHost;
import dev.hangar.cli.sshconfig.SshConfigInput;
import dev.hangar.cli.sshconfig.SshConfigWriter;
import dev.hangar.cli.sshconfig.WorkspaceHostKey;
import dev.hangar.provider.docker.ContainerImages;
import dev.hangar.provider.docker.ContainerManifests;
import dev.hangar.provider.docker.DockerProviderFactory;
import dev.hangar.server.GatewayHook;
import dev.hangar.server.SshGatewayHook;
import dev.hangar.testfixtures.ContainerEngineInNetns;
import dev.hangar.testfixtures.HostCommands;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container workspace through the whole control plane: the real Hangar server ({@link
 * TestControlPlane} with the docker provider and the SSH gateway) against a real dockerd started in
 * its own network namespace ({@link ContainerEngineInNetns}), the reference workspace rootfs imported
 * (never pulled), and the real OpenSSH client with the config {@code hangar config-ssh} writes
 * (ProxyJump through the gateway, pinned host keys, strict checking). Create over the REST API,
 * write a file in HOME, stop, start, read it back, delete; no container or volume is left. Prints
 * {@code [docker-it]} timings (reported, not asserted). Podman is covered at the provider level
 * (hangar-provider-docker's DockerWorkspaceIT).
 */
class DockerControlPlaneIT {
    private static final String USER = "alice";
    private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path tmp;

    @Test
    void containerWorkspaceThroughControlPlaneAndGateway() throws Exception {
        long t0 = System.nanoTime();
        String workspace = "ct-" + UUID.randomUUID().toString().substring(0, 8);
        try (ContainerEngineInNetns engine =
                ContainerEngineInNetns.start(ContainerEngineInNetns.Engine.DOCKER, Path.of("/tmp/hgc"))) {
            String image = "localhost/hangar/workspace:cp-it";
            try (ContainerImages images = ContainerImages.of(engine.socketUri())) {
                images.importRootfs(
                        dev.hangar.testfixtures.WorkspaceRootfs.tarball(
                                Path.of(System.getProperty("user.dir")).getParent(), tmp),
                        image);
            }
            Path keys = Files.createDirectory(
                    tmp.resolve("keys"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path clientKey = keys.resolve("id_ed25519");
            HostCommands.run(List.of(
                            "ssh-keygen",
                            "-q",
                            "-t",
                            "ed25519",
                            "-N",
                            "",
                            "-C",
                            "alice@it",
                            "-f",
                            clientKey.toString()))
                    .orThrow("ssh-keygen");
            Path home = Files.createDirectories(tmp.resolve("home"));
            Files.createDirectories(home.resolve("templates"));
            Files.writeString(home.resolve("templates/container-it.yaml"), """
                    name: container-it
                    description: Reference workspace rootfs imported into the test engine (no registry)
                    provider: docker
                    image: %s
                    defaults: {cpus: 1, memoryMiB: 512, diskGiB: 1}
                    """.formatted(image));
            try (TestControlPlane cp = TestControlPlane.builder()
                    .home(home)
                    .addProviderFactory(new DockerProviderFactory())
                    .gateway(new SshGatewayHook())
                    .configure(c -> c.withProvider(
                                    "docker",
                                    Map.of("socket", engine.socketUri(), "publish-address", engine.publishAddress()))
                            .withGateway(Map.of("listen-port", "0")))
                    .start()) {
                TestHttp http = cp.http();
                String token = cp.createUser(USER, false).token();
                HttpResponse<String> key = http.post(
                        "/api/v1/users/me/keys",
                        token,
                        body(Map.of(
                                "key",
                                Files.readString(keys.resolve("id_ed25519.pub")).strip())));
                assertThat(key.statusCode()).as(key.body()).isEqualTo(201);

                long t1 = System.nanoTime();
                HttpResponse<String> created = http.post(
                        "/api/v1/workspaces", token, body(Map.of("name", workspace, "template", "container-it")));
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                JsonNode ws = awaitPhase(http, token, workspace, "Running");
                String id = ws.path("id").asText();
                Path sshConfig = sshConfig(cp, ws, workspace, clientKey);
                String marker = "kept " + UUID.randomUUID();
                assertThat(ssh(sshConfig, workspace, "printf '%s' '" + marker + "' > \"$HOME/proof.txt\" && id -un"))
                        .containsExactly(USER);
                report("create -> first ssh command via the gateway %.1f s", seconds(t1));

                assertThat(http.post("/api/v1/workspaces/" + workspace + "/stop", token, "")
                                .statusCode())
                        .isEqualTo(202);
                awaitPhase(http, token, workspace, "Stopped");
                assertThat(http.post("/api/v1/workspaces/" + workspace + "/start", token, "")
                                .statusCode())
                        .isEqualTo(202);
                awaitPhase(http, token, workspace, "Running");
                assertThat(ssh(sshConfig, workspace, "cat \"$HOME/proof.txt\"")).containsExactly(marker);

                assertThat(http.delete("/api/v1/workspaces/" + workspace, token).statusCode())
                        .isEqualTo(202);
                await().atMost(PHASE_TIMEOUT)
                        .pollInterval(Duration.ofMillis(500))
                        .alias("workspace row removed")
                        .until(() -> http.get("/api/v1/workspaces/" + workspace, token)
                                        .statusCode()
                                == 404);
                assertThat(cp.server().store().workspaces().find(id)).isEmpty();
                assertThat(leftovers(engine, id))
                        .as("containers and volumes labelled " + id)
                        .isEmpty();
            }
        }
        report("wall %.1f s", seconds(t0));
    }

    /** @return {@code docker ps -a} and {@code docker volume ls} lines with the workspace's label, via the engine's REST API */
    private static List<String> leftovers(ContainerEngineInNetns engine, String id)
            throws IOException, InterruptedException {
        String filter = "{\"label\":[\"" + ContainerManifests.WORKSPACE_ID + "=" + id + "\"]}";
        String socket = engine.socketUri().substring("unix://".length());
        List<String> out = new java.util.ArrayList<>();
        for (String path : List.of("/containers/json?all=1&filters=", "/volumes?filters=")) {
            HostCommands.Result r = HostCommands.run(List.of(
                    "curl",
                    "-sf",
                    "--unix-socket",
                    socket,
                    "http://engine" + path + java.net.URLEncoder.encode(filter, StandardCharsets.UTF_8)));
            assertThat(r.exitCode()).as(r.output()).isZero();
            String body = r.output().strip();
            if (!body.equals("[]") && !body.contains("\"Volumes\":[]") && !body.contains("\"Volumes\":null"))
                out.add(body);
        }
        return out;
    }

    private Path sshConfig(TestControlPlane cp, JsonNode ws, String workspace, Path clientKey) throws IOException {
        Path sshHome = Files.createDirectory(
                tmp.resolve("sshhome"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        GatewayHook.GatewayInfo gw = cp.server().gateway();
        new SshConfigWriter(sshHome)
                .apply(new SshConfigInput(
                        new GatewayHost(gw.host(), gw.port(), gw.hostKey()),
                        USER,
                        clientKey.toAbsolutePath(),
                        List.of(new WorkspaceHostKey(
                                workspace, ws.path("hostKey").asText()))));
        return sshHome.resolve(".ssh/config");
    }

    private static List<String> ssh(Path sshConfig, String workspace, String command)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        "ssh",
                        "-F",
                        sshConfig.toString(),
                        "-o",
                        "BatchMode=yes",
                        "-o",
                        "ConnectTimeout=30",
                        workspace + ".hangar",
                        command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("ssh; stderr: %s", err).isZero();
        return out.strip().lines().toList();
    }

    private static JsonNode awaitPhase(TestHttp http, String token, String workspace, String phase) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        try {
            await().atMost(PHASE_TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() -> {
                JsonNode ws = TestHttp.json(http.get("/api/v1/workspaces/" + workspace, token));
                last.set(ws);
                if (ws.path("phase").asText().equals("Failed")) fail("workspace failed: " + ws);
                return ws.path("phase").asText().equals(phase);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            fail("workspace not " + phase + " after " + PHASE_TIMEOUT + "; last " + last.get());
        }
        return last.get();
    }

    private static String body(Map<String, String> fields) {
        ObjectNode n = Json.mapper().createObjectNode();
        fields.forEach(n::put);
        return n.toString();
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void report(String format, Object... args) {
        System.out.printf("[docker-it] " + format + "%n", args);
    }
}
