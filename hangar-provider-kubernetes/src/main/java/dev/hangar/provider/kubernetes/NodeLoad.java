package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.NodeImages.ArchiveInfo;
import dev.hangar.provider.spi.NodeImages.NamedImage;
import dev.hangar.provider.spi.NodeImages.NodeProgress;
import dev.hangar.provider.spi.NodeImages.Phase;
import dev.hangar.provider.spi.NodeImages.Settings;
import dev.hangar.provider.spi.ProviderException;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's load of {@code hangar image load} (docs/adr/0015): a loader Pod ({@link
 * ImageLoaderManifests}) on that node; {@code present} to skip a node that has every name at the
 * same config digest; the archive copied into the Pod ({@link ArchiveCopy}); {@code sha256sum}
 * against the digest the caller computed; {@code ctr images import}; {@code present} again to
 * confirm; and, whatever happened, the Pod deleted. {@link #run} never throws: a failure is the
 * last progress. Used by one thread.
 */
final class NodeLoad {
    private static final Logger LOG = LoggerFactory.getLogger(NodeLoad.class);
    private static final Pattern CONFIG_DIGEST =
            Pattern.compile("\"config\"\\s*:\\s*\\{[^}]*\"digest\"\\s*:\\s*\"(sha256:[0-9a-f]{64})\"");
    private static final Set<String> IMAGE_PROBLEMS = Set.of(
            "ErrImageNeverPull",
            "ErrImagePull",
            "ImagePullBackOff",
            "InvalidImageName",
            "CreateContainerError",
            "CreateContainerConfigError",
            "RunContainerError");

    private final String node;
    private final Path archive;
    private final long size;
    private final String sha256;
    private final ArchiveInfo info;
    private final Settings settings;
    private final String pod;
    private final String loadId;
    private final Consumer<NodeProgress> progress;
    private final KubernetesClient client;
    private final Duration startTimeout;
    private final LoaderExec exec;
    private final ArchiveCopy copy;
    private final long t0 = System.nanoTime();

    NodeLoad(
            KubernetesClient client,
            NodeImageLoader.Options options,
            String node,
            Path archive,
            long size,
            String sha256,
            ArchiveInfo info,
            Settings settings,
            String loadId,
            Consumer<NodeProgress> progress) {
        this.node = node;
        this.archive = archive;
        this.size = size;
        this.sha256 = sha256;
        this.info = info;
        this.settings = settings;
        this.loadId = loadId;
        this.pod = ImageLoaderManifests.podName(node, loadId);
        this.progress = progress;
        this.client = client;
        this.startTimeout = options.startTimeout();
        this.exec = new LoaderExec(client, settings.namespace());
        this.copy = new ArchiveCopy(
                exec,
                new LoaderPortForward(client, settings.namespace(), options.stall()),
                options.chunkBytes(),
                options.portForward());
    }

    void run() {
        report(Phase.STARTING, 0, "");
        boolean created = false;
        try {
            requireReady();
            // At least 10 minutes, and 256 KiB/s for the archive: a slower load is cut off.
            long deadline = 600 + size / (256 << 10);
            client.pods()
                    .inNamespace(settings.namespace())
                    .resource(ImageLoaderManifests.pod(settings, node, loadId, deadline))
                    .create();
            created = true;
            awaitRunning();
            probe();
            if (present()) {
                report(Phase.SKIPPED, size, "already present: " + names());
                return;
            }
            copy.copy(pod, node, archive, size, (done, message) -> report(Phase.UPLOADING, done, message));
            report(Phase.VERIFYING, size, "");
            LoaderExec.Result sum = exec.run(pod, "sha256", List.of(), Duration.ofMinutes(5));
            if (!sum.ok() || !sum.output().strip().equals(sha256))
                throw new ProviderException(
                        "the copy on the node has SHA-256 " + sum.output().strip() + ", not " + sha256
                                + "; nothing was imported",
                        false);
            report(Phase.IMPORTING, size, names());
            LoaderExec.Result imported = exec.run(pod, "import", refs(), Duration.ofMinutes(15));
            if (!imported.ok())
                throw new ProviderException(
                        "ctr images import failed: " + imported.output().strip(), false);
            if (!present())
                throw new ProviderException(
                        "after the import, containerd does not list every image complete and unpacked: " + names(),
                        false);
            report(Phase.DONE, size, names());
        } catch (ProviderException e) {
            report(Phase.FAILED, 0, e.getMessage());
        } catch (KubernetesClientException e) {
            report(
                    Phase.FAILED,
                    0,
                    KubernetesProvider.translate("loading onto node " + node, e).getMessage());
        } catch (RuntimeException e) {
            LOG.warn("loading onto node {} failed", node, e);
            report(Phase.FAILED, 0, e.toString());
        } finally {
            if (created) delete();
        }
    }

    private void requireReady() {
        Node n = client.nodes().withName(node).get();
        if (n == null) throw new ProviderException("there is no node " + node, true);
        boolean ready = n.getStatus() != null
                && n.getStatus().getConditions() != null
                && n.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        if (!ready)
            throw new ProviderException(
                    "node " + node + " is not Ready ("
                            + (n.getStatus() == null || n.getStatus().getConditions() == null
                                    ? "no status"
                                    : n.getStatus().getConditions().stream()
                                            .filter(c -> "Ready".equals(c.getType()))
                                            .map(NodeCondition::getMessage)
                                            .findFirst()
                                            .orElse("no Ready condition"))
                            + ")",
                    false);
    }

    private void awaitRunning() {
        long end = System.nanoTime() + startTimeout.toNanos();
        int polls = 0;
        while (true) {
            Pod p = client.pods()
                    .inNamespace(settings.namespace())
                    .withName(pod)
                    .get();
            if (p == null) throw new ProviderException("loader Pod " + pod + " was deleted while starting", false);
            String phase = p.getStatus() == null ? "" : p.getStatus().getPhase();
            List<ContainerStatus> statuses =
                    p.getStatus() == null || p.getStatus().getContainerStatuses() == null
                            ? List.of()
                            : p.getStatus().getContainerStatuses();
            for (ContainerStatus s : statuses) {
                if ("Running".equals(phase)
                        && s.getState() != null
                        && s.getState().getRunning() != null) return;
                if (s.getState() != null
                        && s.getState().getWaiting() != null
                        && IMAGE_PROBLEMS.contains(s.getState().getWaiting().getReason()))
                    throw new ProviderException(
                            "the loader image " + settings.loaderImage() + " cannot run on node " + node + " ("
                                    + s.getState().getWaiting().getReason() + ": "
                                    + s.getState().getWaiting().getMessage() + "); image-load.image must name an"
                                    + " image that is already on every node",
                            true);
            }
            if ("Failed".equals(phase) || "Succeeded".equals(phase))
                throw new ProviderException("loader Pod " + pod + " ended (" + phase + ") before it ran", false);
            if (++polls % 6 == 0) failOnMountEvents();
            if (System.nanoTime() > end)
                throw new ProviderException(
                        "loader Pod " + settings.namespace() + "/" + pod + " did not start on node " + node + " within "
                                + startTimeout.toSeconds() + " s; events: " + events(),
                        false);
            pause(Duration.ofMillis(300));
        }
    }

    /** A hostPath of the wrong type (no ctr, no socket) shows only as a FailedMount event. */
    private void failOnMountEvents() {
        for (Event e : podEvents()) {
            if (!"FailedMount".equals(e.getReason())) continue;
            String m = e.getMessage() == null ? "" : e.getMessage();
            String hint = m.contains(settings.ctrPath())
                    ? "no ctr binary at " + settings.ctrPath() + " on node " + node
                            + " (set image-load.ctr-path to where containerd's ctr is)"
                    : m.contains(settings.containerdSocket())
                            ? "no containerd socket at " + settings.containerdSocket() + " on node " + node
                                    + " (set image-load.containerd-socket to the socket containerd listens on)"
                            : "a volume of the loader Pod cannot be mounted on node " + node;
            throw new ProviderException(hint + ": " + m, true);
        }
    }

    private List<Event> podEvents() {
        try {
            return client.v1()
                    .events()
                    .inNamespace(settings.namespace())
                    .withField("involvedObject.name", pod)
                    .list()
                    .getItems();
        } catch (KubernetesClientException e) {
            return List.of();
        }
    }

    private String events() {
        List<String> out = podEvents().stream()
                .map(e -> e.getReason() + ": " + e.getMessage())
                .toList();
        return out.isEmpty() ? "none" : String.join("; ", out);
    }

    private void probe() {
        LoaderExec.Result r = exec.run(pod, "probe", List.of(), Duration.ofMinutes(1));
        if (r.exitCode() == 10)
            throw new ProviderException(
                    "the node's ctr (" + settings.ctrPath() + ") cannot run in the loader image "
                            + settings.loaderImage() + " (" + r.output().strip() + "); use a loader image with"
                            + " the node's C library (image-load.image)",
                    true);
        if (!r.ok())
            throw new ProviderException(
                    "containerd does not answer on " + settings.containerdSocket() + " on node " + node + " ("
                            + r.output().strip() + "); check image-load.containerd-socket",
                    true);
    }

    /** @return true when every image of the archive is complete and unpacked at its digest */
    private boolean present() {
        LoaderExec.Result r = exec.run(pod, "present", refs(), Duration.ofMinutes(2));
        if (!r.ok())
            throw new ProviderException(
                    "listing the node's images failed: " + r.output().strip(), false);
        Map<String, String> digests = new LinkedHashMap<>();
        String[] parts = r.output().split("(?m)^==> ");
        for (String part : parts) {
            int nl = part.indexOf('\n');
            if (nl < 0) continue;
            Matcher m = CONFIG_DIGEST.matcher(part.substring(nl));
            if (m.find()) digests.put(part.substring(0, nl).strip(), m.group(1));
        }
        return info.images().stream().allMatch(i -> i.configDigest().equals(digests.get(i.name())));
    }

    private void delete() {
        try {
            client.pods()
                    .inNamespace(settings.namespace())
                    .withName(pod)
                    .withGracePeriod(0)
                    .delete();
        } catch (KubernetesClientException e) {
            // The next load's sweep removes it.
            LOG.warn("could not delete loader Pod {}/{}: {}", settings.namespace(), pod, e.getMessage());
        }
    }

    private List<String> refs() {
        return info.images().stream().map(NamedImage::name).toList();
    }

    private String names() {
        return String.join(", ", refs());
    }

    private void report(Phase phase, long done, String message) {
        progress.accept(new NodeProgress(node, phase, done, size, (System.nanoTime() - t0) / 1_000_000, message));
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException("interrupted while waiting for a loader Pod", false, e);
        }
    }
}
