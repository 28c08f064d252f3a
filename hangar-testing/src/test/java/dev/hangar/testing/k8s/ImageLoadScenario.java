package dev.hangar.testing.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hangar.cli.CliHarness;
import dev.hangar.provider.kubernetes.KubernetesProviderFactory;
import dev.hangar.provider.spi.NodeImages;
import dev.hangar.server.ImageLoadSettings;
import dev.hangar.testing.TestControlPlane;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Issue #17 item 4 on the real cluster of {@link KubernetesWorkspaceIT} (reused: no second
 * cluster): {@code hangar image load} through the real CLI, server and kubernetes provider, as the
 * {@code hangar-server} ServiceAccount with {@code deploy/components/image-load}'s RBAC. The archive
 * is the cluster's pause image (one static binary, about 0.7 MiB: CI's time is short; the copy
 * goes through the port-forward receiver, ADR 0015, and the check fails if it fell back to exec
 * chunks) under a new name (its manifest.json rewritten),
 * so the name is not on the node before. The loader Pod runs the workspace image with the host's {@code ctr} (the node is this
 * host) and the cluster's containerd socket. Then a Pod runs the loaded name with {@code
 * imagePullPolicy: IfNotPresent} (no registry exists: it runs only if the load worked), a second load
 * is skipped as already present, and no loader Pod is left.
 */
final class ImageLoadScenario {
    static final String NAME = "localhost/hangar/image-load-it:1";
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final KubernetesClient admin;
    private final String loaderNamespace;
    private final String runNamespace;
    private final Consumer<String> report;

    /**
     * @param loaderNamespace where the loader Pods go (exists already)
     * @param runNamespace a namespace this scenario creates for the Pod that runs the loaded image, and deletes
     */
    ImageLoadScenario(KubernetesClient admin, String loaderNamespace, String runNamespace, Consumer<String> report) {
        this.admin = admin;
        this.loaderNamespace = loaderNamespace;
        this.runNamespace = runNamespace;
        this.report = report;
    }

    /**
     * @param dir an empty directory (control plane home, CLI home, the archive)
     * @param serverKubeconfig the hangar-server ServiceAccount's kubeconfig
     * @param imageArchive the docker-archive to load under {@link #NAME} (the pause image's)
     * @param loaderImage the workspace image's name (on the node since up.sh)
     * @param socket the node's containerd socket
     */
    void run(Path dir, Path serverKubeconfig, Path imageArchive, String loaderImage, String socket) throws Exception {
        Path archive = retag(imageArchive, dir.resolve("image-load-it.tar"), NAME);
        try (TestControlPlane cp = TestControlPlane.builder()
                .home(Files.createDirectories(dir.resolve("home")))
                .addProviderFactory(new KubernetesProviderFactory())
                .configure(c -> c.withProvider(
                                "kubernetes",
                                Map.of("namespace", "hangar-workspaces", "kubeconfig", serverKubeconfig.toString()))
                        .withImageLoad(new ImageLoadSettings(
                                true, new NodeImages.Settings(loaderNamespace, loaderImage, "/usr/bin/ctr", socket))))
                .start()) {
            CliHarness cli = new CliHarness(dir.resolve("cli"))
                    .env("HANGAR_URL", cp.baseUri().toString())
                    .env("HANGAR_TOKEN", cp.adminToken());

            CliHarness.Result first = cli.run("image", "load", archive.toString());
            assertThat(first.code()).as(first.out() + first.err()).isZero();
            assertThat(first.err()).contains(NAME, "uploading", "verifying", "importing");
            // The fast copy (port-forward to the receiver) worked: no fallback to exec chunks.
            assertThat(first.err()).doesNotContain("exec instead");
            Matcher m = Pattern.compile("node (\\S+): loaded in ([0-9.]+) s \\(([0-9.]+) MiB, ([0-9.]+) MiB/s\\)")
                    .matcher(first.out());
            assertThat(m.find()).as(first.out()).isTrue();
            report.accept(String.format(
                    Locale.ROOT,
                    "image load of %s MiB onto node %s: %s s, %s MiB/s (CLI to containerd, through the server)",
                    m.group(3),
                    m.group(1),
                    m.group(2),
                    m.group(4)));
            assertThat(loaderPods()).as("loader Pods deleted").isZero();

            runsWithIfNotPresent();

            long t0 = System.nanoTime();
            CliHarness.Result again = cli.run("image", "load", archive.toString());
            assertThat(again.code()).as(again.out() + again.err()).isZero();
            assertThat(again.out()).contains("skipped, already present").doesNotContain("loaded in");
            report.accept(String.format(
                    Locale.ROOT, "second load of the same archive: skipped in %.1f s", (System.nanoTime() - t0) / 1e9));
            assertThat(loaderPods()).as("loader Pods deleted").isZero();
        } finally {
            admin.namespaces().withName(runNamespace).delete();
        }
    }

    /** A Pod of the loaded name with IfNotPresent: there is no registry, so it runs only from the node. */
    private void runsWithIfNotPresent() {
        admin.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(runNamespace)
                        .endMetadata()
                        .build())
                .serverSideApply();
        await().atMost(Duration.ofMinutes(1))
                .until(() -> admin.serviceAccounts()
                                .inNamespace(runNamespace)
                                .withName("default")
                                .get()
                        != null);
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withName("loaded")
                .withNamespace(runNamespace)
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("c")
                .withImage(NAME)
                .withImagePullPolicy("IfNotPresent")
                .endContainer()
                .endSpec()
                .build();
        admin.pods().inNamespace(runNamespace).resource(pod).create();
        // The image's entrypoint is /pause, which runs until it is stopped: a running container is
        // the proof (a missing image would leave it waiting in ErrImagePull).
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
            Pod p = admin.pods().inNamespace(runNamespace).withName("loaded").get();
            String phase = p.getStatus() == null ? "" : p.getStatus().getPhase();
            assertThat(phase).as("pod status %s", p.getStatus()).isNotEqualTo("Failed");
            return p.getStatus() != null
                    && p.getStatus().getContainerStatuses().stream()
                            .anyMatch(c -> c.getState() != null && c.getState().getRunning() != null);
        });
    }

    private int loaderPods() {
        return admin.pods()
                .inNamespace(loaderNamespace)
                .withLabel("hangar.dev/role", "image-loader")
                .list()
                .getItems()
                .size();
    }

    /** Copies a docker-archive with its manifest.json naming {@code name} instead (same image, new name). */
    static Path retag(Path source, Path target, String name) throws IOException {
        try (InputStream in = Files.newInputStream(source);
                TarArchiveInputStream tar = new TarArchiveInputStream(in);
                OutputStream out = Files.newOutputStream(target);
                TarArchiveOutputStream copy = new TarArchiveOutputStream(out)) {
            copy.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            copy.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.getName().equals("repositories")) continue;
                if (e.getName().equals("manifest.json")) {
                    String manifest = new String(tar.readAllBytes(), StandardCharsets.UTF_8)
                            .replaceFirst("\"RepoTags\": *\\[[^]]*]", "\"RepoTags\": [\"" + name + "\"]");
                    byte[] bytes = manifest.getBytes(StandardCharsets.UTF_8);
                    TarArchiveEntry m = new TarArchiveEntry("manifest.json");
                    m.setSize(bytes.length);
                    copy.putArchiveEntry(m);
                    copy.write(bytes);
                } else {
                    copy.putArchiveEntry(e);
                    tar.transferTo(copy);
                }
                copy.closeArchiveEntry();
            }
        }
        return target;
    }
}
