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
import dev.hangar.testfixtures.WorkspaceRootfs;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the container-engine ITs of the control plane share: the real OpenSSH client through the
 * Hangar gateway with the config {@code hangar config-ssh} writes, waiting for a phase over the
 * REST API, and the engine's leftovers by workspace label. Public for ContainerStartBench (bench/), which
 * measures the same setup.
 */
public final class DockerIts {
    /** The name of the one template {@link #controlPlane} writes. */
    public static final String TEMPLATE = "container-it";

    private DockerIts() {}

    /** Imports the reference workspace rootfs (built from the test image) into the engine as {@code image}. */
    public static void importWorkspaceImage(ContainerEngineInNetns engine, Path tmp, String image)
            throws IOException, InterruptedException {
        try (ContainerImages images = ContainerImages.of(engine.socketUri())) {
            images.importRootfs(
                    WorkspaceRootfs.tarball(
                            Path.of(System.getProperty("user.dir")).getParent(), tmp),
                    image);
        }
    }

    /** @return a new ed25519 client key {@code tmp/keys/id_ed25519} (its directory 0700, no passphrase) */
    public static Path clientKey(Path tmp) throws IOException, InterruptedException {
        Path keys = Files.createDirectory(
                tmp.resolve("keys"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path key = keys.resolve("id_ed25519");
        HostCommands.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice@it", "-f", key.toString()))
                .orThrow("ssh-keygen");
        return key;
    }

    /**
     * Starts a control plane (home {@code tmp/home}) with the docker provider on {@code engine},
     * the SSH gateway on an ephemeral port, and one template {@value #TEMPLATE} on {@code image}.
     */
    public static TestControlPlane controlPlane(Path tmp, ContainerEngineInNetns engine, String image)
            throws IOException {
        return controlPlane(tmp, engine, image, Map.of());
    }

    /**
     * As {@link #controlPlane(Path, ContainerEngineInNetns, String)}, with more docker provider
     * settings ({@code providers.docker.*}, e.g. {@code feature-registries}).
     */
    public static TestControlPlane controlPlane(
            Path tmp, ContainerEngineInNetns engine, String image, Map<String, String> providerSettings)
            throws IOException {
        Map<String, String> settings = new java.util.HashMap<>(providerSettings);
        settings.put("socket", engine.socketUri());
        settings.put("publish-address", engine.publishAddress());
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.createDirectories(home.resolve("templates"));
        Files.writeString(home.resolve("templates/" + TEMPLATE + ".yaml"), """
                name: %s
                description: Reference workspace rootfs imported into the test engine (no registry)
                provider: docker
                image: %s
                defaults: {cpus: 1, memoryMiB: 512, diskGiB: 1}
                """.formatted(TEMPLATE, image));
        return TestControlPlane.builder()
                .home(home)
                .addProviderFactory(new DockerProviderFactory())
                .gateway(new SshGatewayHook())
                .configure(c -> c.withProvider("docker", Map.copyOf(settings)).withGateway(Map.of("listen-port", "0")))
                .start();
    }

    /** Creates the member {@code user} with the public half of {@code clientKey}; @return their API token */
    public static String memberWithKey(TestControlPlane cp, String user, Path clientKey) throws IOException {
        String token = cp.createUser(user, false).token();
        var key = cp.http()
                .post(
                        "/api/v1/users/me/keys",
                        token,
                        body(Map.of(
                                "key",
                                Files.readString(Path.of(clientKey + ".pub")).strip())));
        assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
        return token;
    }

    /**
     * Writes the OpenSSH config {@code hangar config-ssh} would write for {@code user}, into a new
     * 0700 directory {@code dir/sshhome}, pinning the workspace's host key from the API.
     *
     * @return the path of the config file (for {@code ssh -F})
     */
    public static Path sshConfig(
            Path dir, TestControlPlane cp, String user, JsonNode ws, String workspace, Path clientKey)
            throws IOException {
        Path sshHome = Files.createDirectory(
                dir.resolve("sshhome"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        GatewayHook.GatewayInfo gw = cp.server().gateway();
        new SshConfigWriter(sshHome)
                .apply(new SshConfigInput(
                        new GatewayHost(gw.host(), gw.port(), gw.hostKey()),
                        user,
                        clientKey.toAbsolutePath(),
                        List.of(new WorkspaceHostKey(
                                workspace, ws.path("hostKey").asText()))));
        return sshHome.resolve(".ssh/config");
    }

    /**
     * Runs {@code command} with the real {@code ssh} client on {@code WORKSPACE.hangar} (through the
     * gateway), asserting exit 0 within 90 s.
     *
     * @return stdout's lines, each stripped
     */
    static List<String> ssh(Path sshConfig, String workspace, String command) throws IOException, InterruptedException {
        HostCommands.Output o = HostCommands.runSeparately(
                List.of(
                        "ssh",
                        "-F",
                        sshConfig.toString(),
                        "-o",
                        "BatchMode=yes",
                        "-o",
                        "ConnectTimeout=30",
                        workspace + ".hangar",
                        command),
                Duration.ofSeconds(90));
        assertThat(o.exitCode()).as("ssh; stderr: %s", o.stderr()).isZero();
        return o.stdout().strip().lines().map(String::strip).toList();
    }

    /**
     * Polls {@code GET /api/v1/workspaces/NAME} until the phase is {@code phase}; fails at once on
     * Failed, and after {@code timeout} with the last answer.
     *
     * @return the last answer
     */
    static JsonNode awaitPhase(TestHttp http, String token, String workspace, String phase, Duration timeout) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
                JsonNode ws = TestHttp.json(http.get("/api/v1/workspaces/" + workspace, token));
                last.set(ws);
                if (ws.path("phase").asText().equals("Failed")) fail("workspace failed: " + ws);
                return ws.path("phase").asText().equals(phase);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            fail("workspace not " + phase + " after " + timeout + "; last " + last.get());
        }
        return last.get();
    }

    /**
     * @return containers, volumes and images labelled with the workspace's id, one line per
     *     non-empty listing, via the engine's REST API; empty when nothing is left
     */
    static List<String> leftovers(ContainerEngineInNetns engine, String id) throws IOException, InterruptedException {
        String filter = "{\"label\":[\"" + ContainerManifests.WORKSPACE_ID + "=" + id + "\"]}";
        String socket = engine.socketUri().substring("unix://".length());
        List<String> out = new ArrayList<>();
        for (String path : List.of("/containers/json?all=1&filters=", "/volumes?filters=", "/images/json?filters=")) {
            HostCommands.Result r = HostCommands.run(List.of(
                    "curl",
                    "-sf",
                    "--unix-socket",
                    socket,
                    "http://engine" + path + URLEncoder.encode(filter, StandardCharsets.UTF_8)));
            assertThat(r.exitCode()).as(r.output()).isZero();
            String body = r.output().strip();
            if (!body.equals("[]") && !body.contains("\"Volumes\":[]") && !body.contains("\"Volumes\":null"))
                out.add(path + " " + body);
        }
        return out;
    }

    /** @return a JSON object of the string fields */
    static String body(Map<String, String> fields) {
        ObjectNode n = Json.mapper().createObjectNode();
        fields.forEach(n::put);
        return n.toString();
    }

    /** @return seconds since {@code since} ({@link System#nanoTime()}) */
    static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
