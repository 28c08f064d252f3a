package dev.hangar.provider.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.ssh.TestKeys;
import dev.hangar.testfixtures.ContainerEngineInNetns;
import dev.hangar.testfixtures.ContainerEngineInNetns.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The provider on real engines (dockerd and Podman's Docker-compatible service, each started in its
 * own network namespace by {@link ContainerEngineInNetns}): a workspace from the reference image
 * (tools/k8s/workspace-image.sh, loaded into the engine, never pulled) is created, reached with the
 * real OpenSSH client under strict host key checking against the pinned key, stopped and started
 * with its HOME kept, and deleted leaving no container, volume or key directory. Also: privileged
 * refused without the admin setting. Prints the wall time per engine and create-to-ssh seconds.
 */
class DockerWorkspaceIT {
    private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(Engine.class)
    void workspaceLifecycle(Engine kind) throws Exception {
        long t0 = System.nanoTime();
        // the engine first: it skips the test where root or the engine is missing
        try (ContainerEngineInNetns engine = ContainerEngineInNetns.start(kind, Path.of("/tmp/hgc"))) {
            Path rootfs = dev.hangar.testfixtures.WorkspaceRootfs.tarball(REPO, tmp);
            Path data = Files.createDirectories(tmp.resolve("data"));
            DockerProvider provider = (DockerProvider) new DockerProviderFactory()
                    .create(new ProviderContext(
                            data,
                            Map.of("socket", engine.socketUri(), "publish-address", engine.publishAddress()),
                            Clock.systemUTC()));
            try (provider) {
                ContainerImages images = ContainerImages.of(engine.socketUri());
                DockerClient docker = images.client();
                String image = "localhost/hangar/imported-" + kind.name().toLowerCase() + ":it";
                long importStart = System.nanoTime();
                assertThat(images.importRootfs(rootfs, image)).startsWith("sha256:");
                double importSeconds = (System.nanoTime() - importStart) / 1e9;
                Path keys = Files.createDirectory(
                        tmp.resolve("keys"),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                Path user = TestKeys.generate(keys, "user");
                SshHostKey hostKey = TestKeys.hostKey(TestKeys.generate(keys, "host"));
                String name = "it-" + kind.name().toLowerCase() + "-"
                        + UUID.randomUUID().toString().substring(0, 6);
                WorkspaceSpec spec = new WorkspaceSpec(
                        UUID.randomUUID().toString(),
                        name,
                        "alice",
                        "container",
                        new Resources(1, 512, 1),
                        image,
                        "alice",
                        List.of(Files.readString(Path.of(user + ".pub")).strip()),
                        hostKey,
                        TestKeys.certificate(hostKey, name),
                        CloudInitConfig.EMPTY,
                        Map.of());

                // privileged is refused without allow-privileged, and creates nothing
                WorkspaceSpec privileged = withSettings(spec, Map.of("privileged", "true"));
                assertThatThrownBy(() -> provider.apply(privileged, PowerState.RUNNING, ProviderListener.NONE))
                        .isInstanceOf(ProviderException.class)
                        .hasMessageContaining("providers.docker.allow-privileged")
                        .matches(e -> ((ProviderException) e).permanent());
                assertThat(provider.observe(spec)).isInstanceOf(Observation.Absent.class);

                // leftovers of a pass that crashed between create and start: a never-started container
                // of the workspace's name (from an older spec) and an init container; apply adopts or
                // removes them by label and ends with exactly one container
                Map<String, String> labels = ContainerManifests.labels(spec);
                docker.createContainerCmd(image)
                        .withName(ContainerManifests.containerName(spec.id()))
                        .withEntrypoint("/bin/true")
                        .withLabels(labels)
                        .exec();
                Map<String, String> initLabels = new java.util.HashMap<>(labels);
                initLabels.put("dev.hangar.role", "init");
                docker.createContainerCmd(image)
                        .withName(ContainerManifests.containerName(spec.id()) + "-init")
                        .withEntrypoint("/bin/true")
                        .withLabels(initLabels)
                        .exec();
                assertThat(provider.observe(spec)).isInstanceOf(Observation.Stopped.class);

                long created = System.nanoTime();
                // the owner's secrets arrive on a tmpfs at /var/secrets (issue #15, item 7)
                provider.apply(
                        spec.withSecrets(List.of(new dev.hangar.provider.spi.SecretFile(
                                "it-token", "docker-it-value-1".getBytes(java.nio.charset.StandardCharsets.UTF_8)))),
                        PowerState.RUNNING,
                        ProviderListener.NONE);
                Observation.Running running = awaitRunning(provider, spec);
                assertThat(running.ssh().host()).isEqualTo(engine.publishAddress());
                Path knownHosts = tmp.resolve("known_hosts");
                Files.writeString(
                        knownHosts,
                        "[" + running.ssh().host() + "]:" + running.ssh().port() + " " + hostKey.publicKey() + "\n");
                assertThat(ssh(running, user, knownHosts, "echo kept-$((6*7)) > ~/note && id -un && echo $HOME"))
                        .contains("alice")
                        .contains("/storage/home/alice");
                double createToSsh = (System.nanoTime() - created) / 1e9;
                assertThat(ssh(
                                running,
                                user,
                                knownHosts,
                                "cat /var/secrets/it-token; echo; stat -c '%a %U' /var/secrets/it-token /var/secrets;"
                                        + " grep -c ' /var/secrets tmpfs ' /proc/mounts"))
                        .isEqualTo("docker-it-value-1\n400 alice\n700 alice\n1");

                // apply again: nothing changes (same container)
                assertThat(containerIds(docker, spec)).hasSize(1);
                String containerId = containerIds(docker, spec).getFirst();
                provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
                assertThat(containerIds(docker, spec)).containsExactly(containerId);

                provider.apply(spec, PowerState.STOPPED, ProviderListener.NONE);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> provider.observe(spec) instanceof Observation.Stopped);

                provider.apply(
                        spec.withSecrets(List.of(new dev.hangar.provider.spi.SecretFile(
                                "it-token", "docker-it-value-2".getBytes(java.nio.charset.StandardCharsets.UTF_8)))),
                        PowerState.RUNNING,
                        ProviderListener.NONE);
                Observation.Running again = awaitRunning(provider, spec);
                Files.writeString(
                        knownHosts,
                        "[" + again.ssh().host() + "]:" + again.ssh().port() + " " + hostKey.publicKey() + "\n");
                assertThat(ssh(again, user, knownHosts, "cat ~/note")).isEqualTo("kept-42");
                // the new value after the restart; the old tmpfs content is gone
                assertThat(ssh(again, user, knownHosts, "cat /var/secrets/it-token"))
                        .isEqualTo("docker-it-value-2");

                // a restarted provider adopts the running container by its label
                try (DockerProvider adopted = (DockerProvider) new DockerProviderFactory()
                        .create(new ProviderContext(
                                data,
                                Map.of("socket", engine.socketUri(), "publish-address", engine.publishAddress()),
                                Clock.systemUTC()))) {
                    assertThat(adopted.observe(spec)).isInstanceOf(Observation.Running.class);
                }

                await().atMost(Duration.ofSeconds(60))
                        .until(() -> provider.delete(spec, ProviderListener.NONE) instanceof Observation.Absent);
                assertThat(containerIds(docker, spec)).isEmpty();
                assertThat(docker.listVolumesCmd()
                                .withFilter("label", List.of(ContainerManifests.WORKSPACE_ID + "=" + spec.id()))
                                .exec()
                                .getVolumes())
                        .isNullOrEmpty();
                assertThat(data.resolve("workspaces").resolve(spec.id())).doesNotExist();
                assertThat(provider.observe(spec)).isInstanceOf(Observation.Absent.class);
                System.out.printf(
                        "DockerWorkspaceIT %s: rootfs import %.1f s, create-to-ssh %.2f s, wall %.1f s%n",
                        kind, importSeconds, createToSsh, (System.nanoTime() - t0) / 1e9);
                images.close();
            }
        }
    }

    private static Observation.Running awaitRunning(DockerProvider provider, WorkspaceSpec spec) {
        List<Observation> seen = new ArrayList<>();
        return (Observation.Running) await("workspace running")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> {
                            Observation o = provider.observe(spec);
                            seen.add(o);
                            if (o instanceof Observation.Failed f) throw new AssertionError("failed: " + f.reason());
                            return o;
                        },
                        o -> o instanceof Observation.Running);
    }

    private static List<String> containerIds(DockerClient docker, WorkspaceSpec spec) {
        return docker
                .listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(ContainerManifests.WORKSPACE_ID, spec.id()))
                .exec()
                .stream()
                .map(c -> c.getId())
                .toList();
    }

    private static WorkspaceSpec withSettings(WorkspaceSpec s, Map<String, String> settings) {
        return new WorkspaceSpec(
                s.id(),
                s.name(),
                s.owner(),
                s.template(),
                s.resources(),
                s.image(),
                s.sshUser(),
                s.authorizedKeys(),
                s.hostKey(),
                s.hostCertificate(),
                s.cloudInit(),
                settings);
    }

    /** Runs {@code command} with the real ssh client, strict host key checking, no user config. */
    private static String ssh(Observation.Running r, Path key, Path knownHosts, String command)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        "ssh",
                        "-F",
                        "/dev/null",
                        "-i",
                        key.toString(),
                        "-p",
                        Integer.toString(r.ssh().port()),
                        "-o",
                        "BatchMode=yes",
                        "-o",
                        "IdentitiesOnly=yes",
                        "-o",
                        "StrictHostKeyChecking=yes",
                        "-o",
                        "UserKnownHostsFile=" + knownHosts,
                        "-o",
                        "GlobalKnownHostsFile=/dev/null",
                        "-o",
                        "HostKeyAlgorithms=ssh-ed25519",
                        "-o",
                        "ConnectTimeout=10",
                        "alice@" + r.ssh().host(),
                        command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        String err = new String(p.getErrorStream().readAllBytes()).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("ssh exit; stderr: %s", err).isZero();
        return out;
    }
}
