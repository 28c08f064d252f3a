package dev.hangar.testing.docker;

import static dev.hangar.testing.docker.DockerIts.awaitPhase;
import static dev.hangar.testing.docker.DockerIts.body;
import static dev.hangar.testing.docker.DockerIts.clientKey;
import static dev.hangar.testing.docker.DockerIts.controlPlane;
import static dev.hangar.testing.docker.DockerIts.importWorkspaceImage;
import static dev.hangar.testing.docker.DockerIts.leftovers;
import static dev.hangar.testing.docker.DockerIts.memberWithKey;
import static dev.hangar.testing.docker.DockerIts.seconds;
import static dev.hangar.testing.docker.DockerIts.ssh;
import static dev.hangar.testing.docker.DockerIts.sshConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.CliHarness;
import dev.hangar.testfixtures.ContainerEngineInNetns;
import dev.hangar.testfixtures.LocalRegistry;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A devcontainer workspace ({@code hangar create --devcontainer DIR}, DIR uploaded by the real CLI
 * as a tar archive; one with a symbolic link pointing out of it is refused) through the whole control
 * plane against a real engine in its own network namespace, once on dockerd and once on Podman's
 * Docker-compatible service, nothing pulled: the devcontainer's
 * {@code build} is a Dockerfile FROM the imported reference workspace image, with a build arg; a
 * local feature's install.sh writes a marker from its option; {@code containerEnv} is set on the
 * container; {@code remoteEnv} reaches SSH sessions; {@code postCreateCommand} writes a file in
 * HOME, {@code postStartCommand} appends a line at every start. Reached with the real OpenSSH client
 * through the gateway (config as {@code hangar config-ssh} writes it). Stop and start run
 * postStartCommand again and postCreateCommand not. Delete leaves no container, volume or image
 * labelled with the workspace. Also: a missing folder is a 422 naming {@code devcontainer}.
 */
class DevcontainerControlPlaneIT {
    private static final String USER = "alice";
    private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(5);

    @TempDir
    Path tmp;

    /** The engine of the running case, for the printed timings. */
    private ContainerEngineInNetns.Engine kind;

    @ParameterizedTest
    @EnumSource(ContainerEngineInNetns.Engine.class)
    void devcontainerWithBuildFeatureEnvAndLifecycleCommands(ContainerEngineInNetns.Engine kind) throws Exception {
        this.kind = kind;
        long t0 = System.nanoTime();
        String workspace = "dc-" + UUID.randomUUID().toString().substring(0, 8);
        try (ContainerEngineInNetns engine = ContainerEngineInNetns.start(kind, Path.of("/tmp/hgc"));
                LocalRegistry registry = LocalRegistry.start(tmp);
                // dockerd pulls from a registry on its own loopback in plain HTTP; Podman would need
                // it in registries.conf as insecure, so the pull case runs on dockerd only
                LocalRegistry engineRegistry = kind == ContainerEngineInNetns.Engine.DOCKER
                        ? LocalRegistry.startInNetns(tmp, engine.netns())
                        : null) {
            String image = "localhost/hangar/workspace:dc-it";
            importWorkspaceImage(engine, tmp, image);
            String feature = publishFeature(registry);
            Path folder = devcontainerFolder(image, feature);
            Path clientKey = clientKey(tmp);
            int deadPort = deadPort();
            try (TestControlPlane cp = controlPlane(
                    tmp,
                    engine,
                    image,
                    Map.of(
                            "feature-registries",
                            registry.host() + ",registry.hangar.invalid,127.0.0.1:" + deadPort,
                            "pull-registries",
                            engineRegistry == null ? "" : engineRegistry.host()))) {
                TestHttp http = cp.http();
                String token = memberWithKey(cp, USER, clientKey);

                HttpResponse<String> missing = http.post(
                        "/api/v1/workspaces",
                        token,
                        body(Map.of(
                                "name",
                                workspace,
                                "template",
                                "container-it",
                                "devcontainer",
                                tmp.resolve("nowhere").toString())));
                assertThat(missing.statusCode()).as(missing.body()).isEqualTo(422);
                assertThat(missing.body()).contains("devcontainer").contains("does not exist");

                // the folder is on the CLI's machine: the CLI uploads it as a tar archive
                CliHarness cli = new CliHarness(tmp.resolve("cli"))
                        .env("HANGAR_URL", cp.baseUri().toString())
                        .env("HANGAR_TOKEN", token);
                Path escaping = folder("escaping", "{\"image\": \"" + image + "\"}", "");
                Files.createSymbolicLink(escaping.resolve("etc"), Path.of("../../../../etc"));
                CliHarness.Result refused =
                        cli.run("create", "esc", "--template", "container-it", "--devcontainer", escaping.toString());
                assertThat(refused.code()).as(refused.err()).isEqualTo(6);
                assertThat(refused.err())
                        .contains("symbolic link 'etc' -> '../../../../etc' points outside the folder");

                long t1 = System.nanoTime();
                CliHarness.Result created =
                        cli.run("create", workspace, "--template", "container-it", "--devcontainer", folder.toString());
                assertThat(created.code()).as(created.err()).isZero();
                JsonNode ws = awaitPhase(http, token, workspace, "Running", PHASE_TIMEOUT);
                try (var uploads =
                        Files.list(cp.home().resolve("devcontainer-uploads").resolve(USER))) {
                    assertThat(uploads.toList())
                            .as("the server's own copy of the folder; nothing left by the refused one")
                            .hasSize(1);
                }
                String id = ws.path("id").asText();
                assertThat(ws.path("forwardPorts").toString()).isEqualTo("[\"localhost:8080\"]");
                Path sshConfig = sshConfig(tmp, cp, USER, ws, workspace, clientKey);
                List<String> seen = ssh(
                        sshConfig,
                        workspace,
                        "cat /etc/hangar-it-build /etc/hangar-it-feature /etc/hangar-it-registry-feature"
                                + " \"$HOME/post-create.txt\";"
                                + " echo \"container=$HANGAR_IT_CONTAINER_ENV\";"
                                + " echo \"remote=$HANGAR_IT_REMOTE_ENV\"; wc -l < \"$HOME/post-start.txt\"; id -un");
                assertThat(seen)
                        .as("build arg, local feature, registry feature (installed after the local one it names),"
                                + " postCreateCommand, containerEnv, remoteEnv, postStart count, user")
                        .containsExactly(
                                "built-with-arg",
                                "feature-option-given",
                                "registry-feature-option-given after marker",
                                "created in /workspaces/" + folder.getFileName(),
                                "container=from-container-env",
                                "remote=from-remote-env",
                                "1",
                                USER);
                report(
                        "create (build + feature + sshd stage) -> first ssh command via the gateway %.1f s",
                        seconds(t1));
                List<String> events = events(http, token, workspace);
                assertThat(events)
                        .anySatisfy(e -> assertThat(e)
                                .startsWith("devcontainer-unsupported ")
                                .contains("customizations"))
                        .anySatisfy(e ->
                                assertThat(e).startsWith("devcontainer-build ").containsIgnoringCase("step"))
                        .anySatisfy(
                                e -> assertThat(e).startsWith("post-create ").contains("postCreateCommand done"))
                        .anySatisfy(e -> assertThat(e)
                                .startsWith("devcontainer-feature ")
                                .contains("fetched feature " + feature));

                assertThat(http.post("/api/v1/workspaces/" + workspace + "/stop", token, "")
                                .statusCode())
                        .isEqualTo(202);
                awaitPhase(http, token, workspace, "Stopped", PHASE_TIMEOUT);
                assertThat(http.post("/api/v1/workspaces/" + workspace + "/start", token, "")
                                .statusCode())
                        .isEqualTo(202);
                awaitPhase(http, token, workspace, "Running", PHASE_TIMEOUT);
                assertThat(ssh(sshConfig, workspace, "wc -l < \"$HOME/post-start.txt\"; cat \"$HOME/post-create.txt\""))
                        .as("postStartCommand ran again, postCreateCommand did not")
                        .containsExactly("2", "created in /workspaces/" + folder.getFileName());

                assertThat(http.delete("/api/v1/workspaces/" + workspace, token).statusCode())
                        .isEqualTo(202);
                await().atMost(PHASE_TIMEOUT)
                        .pollInterval(Duration.ofMillis(500))
                        .alias("workspace row removed")
                        .until(() -> http.get("/api/v1/workspaces/" + workspace, token)
                                        .statusCode()
                                == 404);
                assertThat(leftovers(engine, id))
                        .as("containers, volumes and images labelled " + id)
                        .isEmpty();

                // bad input: each a clear reason on a Failed workspace, and nothing left after delete
                long t2 = System.nanoTime();
                failsWith(
                        http,
                        token,
                        engine,
                        folder("bad-json", "{\n  \"image\": \"" + image + "\"\n  \"x\": 1\n}", ""),
                        ".devcontainer/devcontainer.json:3:3: invalid JSON");
                failsWith(
                        http,
                        token,
                        engine,
                        folder(
                                "bad-build",
                                """
                                {"build": {"dockerfile": "Dockerfile"}}
                                """,
                                "FROM " + image + "\nRUN echo boom-line-one && echo boom-line-two && exit 3\n"),
                        "boom-line-two");
                failsWith(
                        http,
                        token,
                        engine,
                        folder("bad-hook", """
                                {"image": "%s", "postCreateCommand": "echo oops-line; exit 4"}
                                """.formatted(image), ""),
                        "postCreateCommand failed (exit 4): oops-line");
                report("three bad-input workspaces to Failed and deleted %.1f s", seconds(t2));

                // offline: a registry that does not resolve, one where nothing listens; the reason
                // names the feature, the registry and the cause, and says what to do
                long t3 = System.nanoTime();
                failsWith(
                        http,
                        token,
                        engine,
                        folder(
                                "offline-dns",
                                "{\"image\": \"" + image
                                        + "\", \"features\": {\"registry.hangar.invalid/f/node:1\": {}}}",
                                ""),
                        "feature 'registry.hangar.invalid/f/node:1' from registry registry.hangar.invalid: the host"
                                + " registry.hangar.invalid does not resolve");
                String dead = "127.0.0.1:" + deadPort + "/f/node:1";
                failsWith(
                        http,
                        token,
                        engine,
                        folder(
                                "offline-port",
                                "{\"image\": \"" + image + "\", \"features\": {\"" + dead + "\": {}}}",
                                ""),
                        "feature '" + dead + "' from registry 127.0.0.1:" + deadPort + ": nothing answers");
                report("two offline-registry workspaces to Failed and deleted %.1f s", seconds(t3));

                // images: pulled only from pull-registries; any other is refused naming the setting
                failsWith(
                        http,
                        token,
                        engine,
                        folder("not-pullable", "{\"image\": \"127.0.0.1:" + deadPort + "/hangar-it/ws:1\"}", ""),
                        "Hangar does not pull from 127.0.0.1:" + deadPort + ": import or build it first, or have an"
                                + " administrator list the registry in providers.docker.pull-registries");
                if (engineRegistry != null) pullsFromAListedRegistry(http, token, engine, engineRegistry, image);
                try (var walk = Files.walk(cp.home())) {
                    assertThat(walk.filter(p -> p.getFileName().toString().startsWith("features-"))
                                    .toList())
                            .as("the folders registry features were fetched into are removed after each build")
                            .isEmpty();
                }
            }
        }
        report("wall %.1f s", seconds(t0));
    }

    /** A folder with .devcontainer/devcontainer.json and, when not empty, a Dockerfile. */
    private Path folder(String name, String json, String dockerfile) throws IOException {
        Path dc = Files.createDirectories(tmp.resolve(name).resolve(".devcontainer"));
        Files.writeString(dc.resolve("devcontainer.json"), json);
        if (!dockerfile.isEmpty()) Files.writeString(dc.resolve("Dockerfile"), dockerfile);
        return dc.getParent();
    }

    /** Creates a workspace from {@code folder}, expects Failed with {@code reason} in its reason, deletes it. */
    private static void failsWith(
            TestHttp http, String token, ContainerEngineInNetns engine, Path folder, String reason) throws Exception {
        String name = "bad-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = http.post(
                "/api/v1/workspaces",
                token,
                body(Map.of("name", name, "template", "container-it", "devcontainer", folder.toString())));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(PHASE_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .alias(name + " Failed")
                .until(() -> {
                    last.set(TestHttp.json(http.get("/api/v1/workspaces/" + name, token)));
                    return last.get().path("phase").asText().equals("Failed");
                });
        assertThat(last.get().path("reason").asText()).as(folder.toString()).contains(reason);
        String id = last.get().path("id").asText();
        assertThat(http.delete("/api/v1/workspaces/" + name, token).statusCode())
                .isEqualTo(202);
        await().atMost(PHASE_TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> http.get("/api/v1/workspaces/" + name, token).statusCode() == 404);
        assertThat(leftovers(engine, id)).as("left by " + name).isEmpty();
    }

    /**
     * Publishes a feature to {@code registry} whose install.sh writes its option to a file, after
     * checking that the local feature {@code ./marker} ran before it (its installsAfter names it).
     *
     * @return the feature's reference
     */
    private static String publishFeature(LocalRegistry registry) throws IOException, InterruptedException {
        registry.pushFeature(
                "hangar-it/features/greeter",
                "1",
                Map.of(
                        "devcontainer-feature.json",
                        """
                {"id": "greeter", "version": "1.0.0", "installsAfter": ["./marker"],
                 "options": {"greeting": {"type": "string", "default": "registry-default"}}}
                """,
                        "install.sh",
                        "#!/bin/sh\nset -e\nafter=$(test -f /etc/hangar-it-feature && echo marker || echo nothing)\n"
                                + "echo \"$GREETING after $after\" > /etc/hangar-it-registry-feature\n"));
        return registry.host() + "/hangar-it/features/greeter:1";
    }

    /** @return a loopback port where nothing listens (bound, then closed) */
    private static int deadPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A project folder with .devcontainer/{devcontainer.json, Dockerfile, marker/} and a registry feature. */
    private Path devcontainerFolder(String image, String registryFeature) throws IOException {
        Path folder = tmp.resolve("project");
        Path dc = Files.createDirectories(folder.resolve(".devcontainer"));
        Files.writeString(dc.resolve("devcontainer.json"), """
                // JSON with comments and trailing commas, as editors write it
                {
                  "name": "hangar-it",
                  "build": { "dockerfile": "Dockerfile", "args": { "GREETING": "built-with-arg" }, },
                  "containerEnv": { "HANGAR_IT_CONTAINER_ENV": "from-container-env" },
                  "remoteEnv": { "HANGAR_IT_REMOTE_ENV": "from-remote-env" },
                  "features": {
                    "%s": { "greeting": "registry-feature-option-given" },
                    "./marker": { "message": "feature-option-given" },
                  },
                  /* runs once, as the container user, in the workspace folder */
                  "postCreateCommand": "echo \\"created in $(pwd)\\" > \\"$HOME/post-create.txt\\"",
                  "postStartCommand": ["sh", "-c", "date +%%s >> \\"$HOME/post-start.txt\\""],
                  "forwardPorts": [8080],
                  "customizations": { "vscode": { "extensions": [] } },
                }
                """.formatted(registryFeature));
        Files.writeString(dc.resolve("Dockerfile"), """
                FROM %s
                ARG GREETING=unset
                RUN echo "$GREETING" > /etc/hangar-it-build
                """.formatted(image));
        Path feature = Files.createDirectories(dc.resolve("marker"));
        Files.writeString(feature.resolve("devcontainer-feature.json"), """
                {"id": "marker", "version": "1.0.0",
                 "options": {"message": {"type": "string", "default": "feature-default"}}}
                """);
        Files.writeString(
                feature.resolve("install.sh"), "#!/bin/sh\nset -e\necho \"$MESSAGE\" > /etc/hangar-it-feature\n");
        return folder;
    }

    private static List<String> events(TestHttp http, String token, String workspace) throws Exception {
        JsonNode events = TestHttp.json(http.get("/api/v1/workspaces/" + workspace + "/events?limit=500", token));
        List<String> out = new ArrayList<>();
        events.forEach(
                e -> out.add(e.path("type").asText() + " " + e.path("message").asText()));
        return out;
    }

    /**
     * Pushes the imported image to {@code registry} (inside the engine's namespace) through the
     * engine, drops that name from the engine, then builds a devcontainer whose {@code image} is that
     * name: the provider has the engine pull it (pull-registries lists the registry) and the
     * workspace runs.
     */
    private void pullsFromAListedRegistry(
            TestHttp http, String token, ContainerEngineInNetns engine, LocalRegistry registry, String image)
            throws Exception {
        long t0 = System.nanoTime();
        String repository = registry.host() + "/hangar-it/pulled";
        engineCall(engine, "POST", "/images/" + image + "/tag?repo=" + repository + "&tag=1", "");
        String pushed = engineCall(engine, "POST", "/images/" + repository + "/push?tag=1", "X-Registry-Auth: e30=");
        assertThat(pushed).as("push through the engine").doesNotContain("errorDetail");
        engineCall(engine, "DELETE", "/images/" + repository + ":1", "");
        assertThat(engineCall(engine, "GET", "/images/json", "")).doesNotContain(repository);
        report("pushed the workspace image to the engine's registry %.1f s", seconds(t0));

        String name = "pull-" + UUID.randomUUID().toString().substring(0, 8);
        Path folder = folder(name, "{\"image\": \"" + repository + ":1\"}", "");
        long t1 = System.nanoTime();
        HttpResponse<String> created = http.post(
                "/api/v1/workspaces",
                token,
                body(Map.of("name", name, "template", "container-it", "devcontainer", folder.toString())));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode ws = awaitPhase(http, token, name, "Running", PHASE_TIMEOUT);
        report("devcontainer image pulled from a pull-registries registry -> Running %.1f s", seconds(t1));
        assertThat(events(http, token, name)).contains("image-pull pulled " + repository + ":1");
        assertThat(engineCall(engine, "GET", "/images/json", "")).contains(repository + ":1");
        assertThat(http.delete("/api/v1/workspaces/" + name, token).statusCode())
                .isEqualTo(202);
        await().atMost(PHASE_TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> http.get("/api/v1/workspaces/" + name, token).statusCode() == 404);
        assertThat(leftovers(engine, ws.path("id").asText())).isEmpty();
    }

    /** @return the body of a call on the engine's REST API (curl; up to 5 minutes, for a push) */
    private static String engineCall(ContainerEngineInNetns engine, String method, String path, String header)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                "curl",
                "-sS",
                "-f",
                "-X",
                method,
                "--unix-socket",
                engine.socketUri().substring("unix://".length())));
        if (!header.isEmpty()) cmd.addAll(List.of("-H", header));
        cmd.add("http://engine" + path);
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(method + " " + path + ": " + out).isZero();
        return out;
    }

    private void report(String format, Object... args) {
        System.out.printf("[devcontainer-it " + kind.name().toLowerCase() + "] " + format + "%n", args);
    }
}
