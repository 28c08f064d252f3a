package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.NodeImages;
import dev.hangar.provider.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NodeImages} on Kubernetes nodes with containerd (docs/adr/0015-image-load-through-loader-pods.md).
 * Before starting, loader Pods left by an earlier load (a server that was killed) are deleted by
 * label; then every node's load ({@link NodeLoad}: loader Pod, presence check, copy through a
 * port-forward or exec chunks, SHA-256 check, import) runs on its own virtual thread.
 *
 * <p>RBAC (deploy/components/image-load): {@code nodes} get, list (cluster); in the loader namespace
 * {@code pods} get, list, create, delete, {@code pods/exec} get, create, {@code pods/portforward}
 * get, create, {@code events} list.
 *
 * <p>Thread-safe.
 */
final class NodeImageLoader implements NodeImages {
    private static final Logger LOG = LoggerFactory.getLogger(NodeImageLoader.class);

    /**
     * @param chunkBytes archive bytes per exec of the fallback transport ({@link ArchiveCopy#CHUNK_BYTES})
     * @param startTimeout how long a loader Pod may take to run
     * @param stall how long the port-forward may make no progress before it counts as broken
     * @param portForward false to copy through exec chunks only (the benchmark's baseline, the tests)
     */
    record Options(int chunkBytes, Duration startTimeout, Duration stall, boolean portForward) {
        static final Options DEFAULT =
                new Options(ArchiveCopy.CHUNK_BYTES, Duration.ofMinutes(3), Duration.ofMinutes(1), true);
    }

    private final KubernetesClient client;
    private final Options options;
    /** Load ids running in this process: the sweep leaves their Pods alone. */
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    NodeImageLoader(KubernetesClient client) {
        this(client, Options.DEFAULT);
    }

    NodeImageLoader(KubernetesClient client, Options options) {
        this.client = client;
        this.options = options;
    }

    @Override
    public List<String> nodes() {
        try {
            return client.nodes().list().getItems().stream()
                    .map(n -> n.getMetadata().getName())
                    .sorted()
                    .toList();
        } catch (KubernetesClientException e) {
            throw KubernetesProvider.translate("listing the cluster's nodes", e);
        }
    }

    @Override
    public ArchiveInfo inspect(Path archive) {
        return ImageArchives.read(archive);
    }

    @Override
    public List<NodeProgress> load(
            Path archive, String sha256, List<String> nodes, Settings settings, Consumer<NodeProgress> progress) {
        ArchiveInfo info = inspect(archive);
        if (nodes.isEmpty()) throw new IllegalArgumentException("no nodes to load onto");
        String loadId = HexFormat.of()
                .formatHex(ByteBuffer.allocate(4)
                        .putInt(ThreadLocalRandom.current().nextInt())
                        .array());
        running.add(loadId);
        try {
            sweep(settings.namespace());
            long size = archive.toFile().length();
            Object guard = new Object();
            Consumer<NodeProgress> serial = p -> {
                synchronized (guard) {
                    progress.accept(p);
                }
            };
            Map<String, Thread> threads = new LinkedHashMap<>();
            Map<String, NodeProgress> last = new ConcurrentHashMap<>();
            for (String node : nodes) {
                NodeLoad one = new NodeLoad(client, options, node, archive, size, sha256, info, settings, loadId, p -> {
                    last.put(node, p);
                    serial.accept(p);
                });
                threads.put(node, Thread.ofVirtual().name("image-load-" + node).start(one::run));
            }
            List<NodeProgress> out = new ArrayList<>();
            for (Map.Entry<String, Thread> t : threads.entrySet()) {
                t.getValue().join();
                out.add(last.get(t.getKey()));
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException("interrupted while loading " + archive.getFileName(), false, e);
        } finally {
            running.remove(loadId);
        }
    }

    /** Deletes loader Pods of loads that do not run in this process (left by a killed server). */
    private void sweep(String namespace) {
        try {
            for (Pod p : client.pods()
                    .inNamespace(namespace)
                    .withLabel(ImageLoaderManifests.ROLE_LABEL, ImageLoaderManifests.ROLE)
                    .list()
                    .getItems()) {
                String id = p.getMetadata().getLabels().getOrDefault(ImageLoaderManifests.LOAD_LABEL, "");
                if (running.contains(id)) continue;
                LOG.info(
                        "deleting loader Pod {}/{} left by an earlier load",
                        namespace,
                        p.getMetadata().getName());
                client.pods()
                        .inNamespace(namespace)
                        .withName(p.getMetadata().getName())
                        .withGracePeriod(0)
                        .delete();
            }
        } catch (KubernetesClientException e) {
            throw KubernetesProvider.translate("removing loader Pods left in namespace " + namespace, e);
        }
    }
}
