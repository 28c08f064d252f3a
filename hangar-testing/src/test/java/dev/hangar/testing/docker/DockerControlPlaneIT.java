package dev.hangar.testing.docker;

import static dev.hangar.testing.docker.DockerIts.awaitPhase;
import static dev.hangar.testing.docker.DockerIts.body;
import static dev.hangar.testing.docker.DockerIts.clientKey;
import static dev.hangar.testing.docker.DockerIts.controlPlane;
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
import dev.hangar.testfixtures.WorkspaceRootfs;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container workspace through the whole control plane: the real Hangar server ({@link
 * TestControlPlane} with the docker provider and the SSH gateway) against a real dockerd started in
 * its own network namespace ({@link ContainerEngineInNetns}), the reference workspace rootfs imported
 * (never pulled), and the real OpenSSH client with the config {@code hangar config-ssh} writes
 * (ProxyJump through the gateway, pinned host keys, strict checking). The image gets into the engine
 * through {@code hangar image import --provider docker} and shows in {@code hangar image list}. Create over the REST API,
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
            Path clientKey = clientKey(tmp);
            try (TestControlPlane cp = controlPlane(tmp, engine, image)) {
                TestHttp http = cp.http();
                String token = memberWithKey(cp, USER, clientKey);
                importAndListWithCli(cp, image);

                long t1 = System.nanoTime();
                HttpResponse<String> created = http.post(
                        "/api/v1/workspaces", token, body(Map.of("name", workspace, "template", "container-it")));
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                JsonNode ws = awaitPhase(http, token, workspace, "Running", PHASE_TIMEOUT);
                String id = ws.path("id").asText();
                Path sshConfig = sshConfig(tmp, cp, USER, ws, workspace, clientKey);
                String marker = "kept " + UUID.randomUUID();
                assertThat(ssh(sshConfig, workspace, "printf '%s' '" + marker + "' > \"$HOME/proof.txt\" && id -un"))
                        .containsExactly(USER);
                report("create -> first ssh command via the gateway %.1f s", seconds(t1));

                assertThat(http.post("/api/v1/workspaces/" + workspace + "/stop", token, "")
                                .statusCode())
                        .isEqualTo(202);
                awaitPhase(http, token, workspace, "Stopped", PHASE_TIMEOUT);
                assertThat(http.post("/api/v1/workspaces/" + workspace + "/start", token, "")
                                .statusCode())
                        .isEqualTo(202);
                awaitPhase(http, token, workspace, "Running", PHASE_TIMEOUT);
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

    /**
     * {@code hangar image import ROOTFS.tar --name IMAGE --provider docker} puts the template's image
     * into the engine (the workspace below runs from it); {@code hangar image list} shows it as the
     * docker provider's; a directory, a malformed name and a pull of an absent image are refused
     * with what to do.
     */
    private void importAndListWithCli(TestControlPlane cp, String image) throws Exception {
        Path rootfs =
                WorkspaceRootfs.tarball(Path.of(System.getProperty("user.dir")).getParent(), tmp);
        CliHarness cli = new CliHarness(tmp.resolve("cli"))
                .env("HANGAR_URL", cp.baseUri().toString())
                .env("HANGAR_TOKEN", cp.adminToken());
        long t = System.nanoTime();
        CliHarness.Result imported =
                cli.run("image", "import", rootfs.toString(), "--name", image, "--provider", "docker");
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("image " + image + " (docker): cached");
        report("hangar image import of the rootfs tarball %.1f s", seconds(t));

        CliHarness.Result list = cli.run("image", "list");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern(java.util.regex.Pattern.quote(image) + " +docker +cached ");

        CliHarness.Result again = cli.run("image", "import", rootfs.toString(), "--name", image);
        assertThat(again.code()).as("already there").isEqualTo(5);
        CliHarness.Result dir = cli.run("image", "import", tmp.toString(), "--name", "localhost/x:1");
        assertThat(dir.code()).as(dir.err()).isEqualTo(6);
        assertThat(dir.err()).contains("is a directory", "rootfs tarball");
        CliHarness.Result badName = cli.run("image", "import", rootfs.toString(), "--name", "Bad Name");
        assertThat(badName.code()).as(badName.err()).isEqualTo(6);
        assertThat(badName.err()).contains("not a container image reference");
        CliHarness.Result pull = cli.run("image", "pull", "localhost/absent:1", "--no-wait");
        assertThat(pull.code()).as(pull.err()).isNotZero();
        assertThat(pull.err()).contains("does not pull container images", "hangar image import");
    }

    private static void report(String format, Object... args) {
        System.out.printf("[docker-it] " + format + "%n", args);
    }
}
