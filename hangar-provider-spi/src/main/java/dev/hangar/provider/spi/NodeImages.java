package dev.hangar.provider.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Puts container images onto the nodes that run workspaces, without a registry ({@code hangar image
 * load}, issue #17): a docker-archive or OCI archive goes into each node's container runtime, after
 * which Pod templates run it with {@code imagePullPolicy: IfNotPresent}. Offered by providers whose
 * workspaces are containers on cluster nodes, through {@link WorkspaceProvider#nodeImages()}; the
 * server's admin route uses only this interface.
 *
 * <p><b>Idempotency.</b> A node that already has every name of the archive pointing at the same
 * image (same config digest), completely unpacked, is skipped; loading the same archive twice
 * changes nothing the second time. A load that is interrupted (server killed, node lost) leaves no
 * name that points at a half-imported image, and the next load removes what it left behind.
 *
 * <p><b>Thread-safety.</b> Thread-safe; two loads at once are allowed but each sends the whole
 * archive, so callers should run one at a time.
 */
public interface NodeImages {

    /**
     * @return the names of the nodes an image can be loaded onto, sorted; a network call
     * @throws ProviderException when the cluster cannot be read
     */
    List<String> nodes();

    /**
     * Reads what an archive holds without loading it.
     *
     * @throws ProviderException (permanent) when the file is neither a docker-archive ({@code
     *     manifest.json}) nor an OCI image layout ({@code index.json}) with named images; the message
     *     says what was found
     */
    ArchiveInfo inspect(Path archive);

    /**
     * Loads the archive onto {@code nodes}, one after another or in parallel, reporting each step of
     * each node to {@code progress}. Blocks until every node finished or failed; a node that fails
     * does not stop the others.
     *
     * @param archive a file on this host, as checked by {@link #inspect}
     * @param sha256 the archive's SHA-256 in lower-case hex, checked on each node before importing
     * @param nodes node names from {@link #nodes()}, at least one
     * @param settings how the loader reaches each node's runtime
     * @param progress receives every {@link NodeProgress}, from several threads (one call at a time)
     * @return the last progress of each node ({@link Phase#DONE}, {@link Phase#SKIPPED} or {@link
     *     Phase#FAILED}), in the order of {@code nodes}
     * @throws ProviderException (permanent) for an archive {@link #inspect} refuses (nothing was
     *     started on any node then), or when leftovers of an earlier load cannot be listed; a missing
     *     namespace or permission shows as each node's {@link Phase#FAILED}
     */
    List<NodeProgress> load(
            Path archive, String sha256, List<String> nodes, Settings settings, Consumer<NodeProgress> progress);

    /**
     * How the loader reaches a node's container runtime (server config {@code image-load.*}).
     *
     * @param namespace the namespace of the short-lived loader Pods
     * @param loaderImage an image already on every node, run as the loader Pod's container; it needs
     *     {@code /bin/sh}, {@code perl} (for the fast copy through a port-forward; without it the copy
     *     is slow), {@code base64}, {@code truncate}, {@code stat}, {@code sha256sum} and the C library
     *     the node's {@code ctr} links against
     * @param ctrPath the node's {@code ctr} binary (containerd's CLI), mounted read-only into the Pod
     * @param containerdSocket the node's containerd socket, mounted into the Pod
     */
    record Settings(String namespace, String loaderImage, String ctrPath, String containerdSocket) {
        public Settings {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(loaderImage, "loaderImage");
            Objects.requireNonNull(ctrPath, "ctrPath");
            Objects.requireNonNull(containerdSocket, "containerdSocket");
        }
    }

    /**
     * What an archive holds.
     *
     * @param format {@code docker-archive} or {@code oci}
     * @param images the images' full names as the runtime stores them (e.g. {@code
     *     docker.io/library/hangar-server:dev}), each with its config digest
     */
    record ArchiveInfo(String format, List<NamedImage> images) {
        public ArchiveInfo {
            Objects.requireNonNull(format, "format");
            images = List.copyOf(images);
        }
    }

    /**
     * @param name full image reference, e.g. {@code localhost/hangar/workspace:test}
     * @param configDigest the image config's digest ({@code sha256:...}): the image ID
     */
    record NamedImage(String name, String configDigest) {
        public NamedImage {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(configDigest, "configDigest");
        }
    }

    /** The steps of one node's load, in order; the last three end it. */
    enum Phase {
        /** The loader Pod is being created and started on the node. */
        STARTING,
        /** The archive is being copied into the loader Pod. */
        UPLOADING,
        /** The copy's SHA-256 is being checked. */
        VERIFYING,
        /** {@code ctr images import} runs. */
        IMPORTING,
        /** Every image is on the node now. */
        DONE,
        /** Every image was on the node already (same digest): nothing was copied. */
        SKIPPED,
        /** The node's load failed; {@link NodeProgress#message()} says why and what to do. */
        FAILED;

        /** @return true for {@link #DONE}, {@link #SKIPPED} and {@link #FAILED} */
        public boolean last() {
            return this == DONE || this == SKIPPED || this == FAILED;
        }
    }

    /**
     * One step of one node's load.
     *
     * @param node the node's name
     * @param phase the step
     * @param bytesDone archive bytes on the node so far (the whole size once uploaded)
     * @param bytesTotal the archive's size in bytes
     * @param elapsedMillis milliseconds since this node's load began
     * @param message for {@link Phase#FAILED} why (never a secret); otherwise a short note, often empty
     */
    record NodeProgress(String node, Phase phase, long bytesDone, long bytesTotal, long elapsedMillis, String message) {
        public NodeProgress {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(message, "message");
        }
    }
}
