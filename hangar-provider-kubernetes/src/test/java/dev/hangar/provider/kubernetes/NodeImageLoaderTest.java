package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.NodeImages;
import dev.hangar.provider.spi.NodeImages.NodeProgress;
import dev.hangar.provider.spi.NodeImages.Phase;
import dev.hangar.provider.spi.ProviderException;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NodeImageLoader} against fabric8's mock API server with {@link LoaderNodes} standing in for
 * the kubelet and the loader script (nothing real can run a Pod here; the real path is checked by
 * KubernetesWorkspaceIT).
 */
class NodeImageLoaderTest {
    private static final String NS = "hangar-image-load";
    private static final String REF = "docker.io/library/tool:1";
    private static final NodeImages.Settings SETTINGS =
            new NodeImages.Settings(NS, "localhost/loader:1", "/usr/bin/ctr", "/run/containerd/containerd.sock");

    @TempDir
    Path tmp;

    private LoaderNodes nodes;
    private MockCluster cluster;
    private NodeImageLoader loader;
    private Path archive;
    private String sha256;
    private String config;
    private final List<NodeProgress> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        nodes = new LoaderNodes();
        cluster = new MockCluster(nodes);
        for (String n : List.of("node-b", "node-a")) {
            cluster.client
                    .nodes()
                    .resource(new NodeBuilder()
                            .withNewMetadata()
                            .withName(n)
                            .endMetadata()
                            .withNewStatus()
                            .addNewCondition()
                            .withType("Ready")
                            .withStatus("True")
                            .endCondition()
                            .endStatus()
                            .build())
                    .create();
        }
        // Chunks of 500 bytes (the mock server takes request lines of 4 KiB at most, and a chunk travels
        // base64-encoded in the exec URL): the archive ends with a short one.
        loader = new NodeImageLoader(
                cluster.client, new NodeImageLoader.Options(500, Duration.ofSeconds(20), Duration.ofSeconds(20), true));
        archive = dockerArchive(10_240);
        sha256 = sha256(Files.readAllBytes(archive));
        nodes.importWrites = Map.of(REF, config);
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    @Test
    void copiesThroughThePortForwardReceiverInOneConnection() {
        List<NodeProgress> result = loader.load(archive, sha256, List.of("node-a"), SETTINGS, seen::add);

        assertThat(result).extracting(NodeProgress::phase).containsExactly(Phase.DONE);
        assertThat(nodes.images.get("node-a")).containsEntry(REF, config);
        assertThat(nodes.forwarded).containsExactly(archive.toFile().length());
        assertThat(nodes.execs).anyMatch(e -> e.startsWith("serve ")).noneMatch(e -> e.startsWith("append"));
        assertThat(seen).extracting(NodeProgress::message).noneMatch(m -> m.contains("exec instead"));
    }

    @Test
    void aPortForwardCopyThatCameUpShortIsResumedWhereThePodsCopyEnds() {
        nodes.lossyForwards.set(1);
        List<NodeProgress> result = loader.load(archive, sha256, List.of("node-a"), SETTINGS, seen::add);

        long size = archive.toFile().length();
        assertThat(result).extracting(NodeProgress::phase).containsExactly(Phase.DONE);
        // The first connection delivered half: the second sends only the rest, and the SHA-256 matches.
        assertThat(nodes.forwarded).containsExactly(size, size - size / 2);
        assertThat(nodes.execs).noneMatch(e -> e.startsWith("append"));
    }

    @Test
    void withoutPerlInTheLoaderImageTheArchiveGoesInExecChunksAndTheProgressSaysSo() {
        nodes.receiver = false;
        List<NodeProgress> result = loader.load(archive, sha256, List.of("node-a"), SETTINGS, seen::add);

        assertThat(result).extracting(NodeProgress::phase).containsExactly(Phase.DONE);
        assertThat(nodes.forwarded).isEmpty();
        assertThat(seen)
                .filteredOn(p -> p.phase() == Phase.UPLOADING)
                .extracting(NodeProgress::message)
                .contains("the port-forward copy failed (the loader image has no perl for the receiver); copying"
                        + " through exec instead (slow, about 0.8 MiB/s)");
    }

    @Test
    void loadsEveryNodeInChunksThenSkipsNodesThatHaveTheSameImage() {
        nodes.receiver = false;
        assertThat(loader.nodes()).containsExactly("node-a", "node-b");
        List<NodeProgress> result = loader.load(archive, sha256, List.of("node-a", "node-b"), SETTINGS, seen::add);

        assertThat(result).extracting(NodeProgress::node).containsExactly("node-a", "node-b");
        assertThat(result).extracting(NodeProgress::phase).containsOnly(Phase.DONE);
        assertThat(nodes.images.get("node-a")).containsEntry(REF, config);
        // Each chunk is cut back to its offset before it is appended; the last one is short.
        long size = archive.toFile().length();
        List<String> chunks = new java.util.ArrayList<>();
        for (long at = 0; at < size; at += 500) chunks.add("append " + at + " " + Math.min(500, size - at));
        assertThat(size % 500).isNotZero();
        assertThat(nodes.execs)
                .filteredOn(e -> e.startsWith("append"))
                .containsOnlyElementsOf(chunks)
                .hasSize(2 * chunks.size());
        assertThat(seen)
                .filteredOn(p -> p.node().equals("node-a"))
                .extracting(NodeProgress::phase)
                .containsSubsequence(Phase.STARTING, Phase.UPLOADING, Phase.VERIFYING, Phase.IMPORTING, Phase.DONE);
        assertThat(seen)
                .filteredOn(p -> p.phase() == Phase.UPLOADING)
                .extracting(NodeProgress::bytesDone)
                .contains(500L, 1000L, archive.toFile().length());
        assertThat(cluster.client.pods().inNamespace(NS).list().getItems())
                .as("loader Pods deleted")
                .isEmpty();

        nodes.execs.clear();
        List<NodeProgress> again = loader.load(archive, sha256, List.of("node-a", "node-b"), SETTINGS, p -> {});
        assertThat(again).extracting(NodeProgress::phase).containsOnly(Phase.SKIPPED);
        assertThat(nodes.execs).noneMatch(e -> e.startsWith("append") || e.startsWith("import"));
    }

    @Test
    void aNodeWithAnotherImageUnderTheNameGetsTheNewOne() {
        nodes.images.put(
                "node-a", new java.util.concurrent.ConcurrentHashMap<>(Map.of(REF, "sha256:" + "1".repeat(64))));
        List<NodeProgress> result = loader.load(archive, sha256, List.of("node-a"), SETTINGS, seen::add);
        assertThat(result).extracting(NodeProgress::phase).containsExactly(Phase.DONE);
        assertThat(nodes.images.get("node-a")).containsEntry(REF, config);
    }

    @Test
    void aChunkThatArrivesShortIsSentAgain() {
        nodes.receiver = false;
        nodes.brokenAppends.set(1);
        List<NodeProgress> result = loader.load(archive, sha256, List.of("node-a"), SETTINGS, seen::add);
        assertThat(result).extracting(NodeProgress::phase).containsExactly(Phase.DONE);
        assertThat(nodes.execs).filteredOn(e -> e.equals("append 0 500")).hasSize(2);
    }

    @Test
    void aCopyWithTheWrongDigestIsNotImportedAndThePodIsDeleted() {
        List<NodeProgress> result = loader.load(archive, "0".repeat(64), List.of("node-a"), SETTINGS, seen::add);
        assertThat(result.getFirst().phase()).isEqualTo(Phase.FAILED);
        assertThat(result.getFirst().message()).contains("SHA-256", "nothing was imported");
        assertThat(nodes.execs).noneMatch(e -> e.startsWith("import"));
        assertThat(cluster.client.pods().inNamespace(NS).list().getItems()).isEmpty();
    }

    @Test
    void leftoverLoaderPodsOfAnEarlierLoadAreSweptAndOtherPodsAreNot() {
        cluster.client
                .pods()
                .inNamespace(NS)
                .resource(ImageLoaderManifests.pod(SETTINGS, "node-a", "dead0001", 600))
                .create();
        cluster.client
                .pods()
                .inNamespace(NS)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName("someone-else")
                        .endMetadata()
                        .build())
                .create();
        loader.load(archive, sha256, List.of("node-b"), SETTINGS, seen::add);
        assertThat(cluster.client.pods().inNamespace(NS).list().getItems())
                .extracting(p -> p.getMetadata().getName())
                .containsExactly("someone-else");
    }

    @Test
    void aMissingCtrOnTheNodeFailsNamingTheSettingAndThePodIsDeleted() {
        // The kubelet's event for a hostPath of type File that is not there; the Pod stays Pending.
        nodes.failedMount = "MountVolume.SetUp failed for volume ctr : hostPath type check failed: /usr/bin/ctr is"
                + " not a file (pod %s)";
        List<NodeProgress> result = loader.load(archive, sha256, List.of("node-a"), SETTINGS, seen::add);
        assertThat(result.getFirst().phase()).isEqualTo(Phase.FAILED);
        assertThat(result.getFirst().message())
                .contains("no ctr binary at /usr/bin/ctr on node node-a", "image-load.ctr-path");
        assertThat(nodes.execs).isEmpty();
        assertThat(cluster.client.pods().inNamespace(NS).list().getItems()).isEmpty();
    }

    @Test
    void aNodeThatIsNotReadyFailsAtOnceAndTheOthersGoOn() {
        cluster.client
                .nodes()
                .withName("node-b")
                .edit(n -> new NodeBuilder(n)
                        .editStatus()
                        .editFirstCondition()
                        .withStatus("False")
                        .withMessage("kubelet stopped posting")
                        .endCondition()
                        .endStatus()
                        .build());
        List<NodeProgress> result = loader.load(archive, sha256, List.of("node-a", "node-b"), SETTINGS, seen::add);
        assertThat(result).extracting(NodeProgress::phase).containsExactly(Phase.DONE, Phase.FAILED);
        assertThat(result.get(1).message()).contains("node-b is not Ready", "kubelet stopped posting");
    }

    @Test
    void aFileThatIsNotAnImageArchiveIsRefusedBeforeAnyPod() throws IOException {
        Path notTar = Files.writeString(tmp.resolve("notes.tar"), "hello");
        assertThatThrownBy(() -> loader.load(notTar, sha256, List.of("node-a"), SETTINGS, seen::add))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("notes.tar is not an image archive");
        assertThat(seen).isEmpty();
        assertThat(cluster.client.pods().inNamespace(NS).list().getItems()).isEmpty();
    }

    @Test
    void theImageLoadComponentGrantsExactlyTheRequestsTheLoaderSends() throws Exception {
        loader.nodes(); // the route checks --node against the list
        loader.load(archive, sha256, List.of("node-a"), SETTINGS, p -> {});
        nodes.failedMount = "hostPath type check failed: /usr/bin/ctr is not a file (pod %s)";
        loader.load(archive, sha256, List.of("node-a"), SETTINGS, p -> {});
        java.util.Set<String> namespaced = new java.util.TreeSet<>();
        java.util.Set<String> clusterWide = new java.util.TreeSet<>();
        for (String request : cluster.takeRequests()) {
            if (request.startsWith("POST /api/v1/nodes")) continue; // this test's own setup
            RbacRequests.Rbac r = RbacRequests.rbac(request);
            (r.namespaced() ? namespaced : clusterWide).add(r.rule());
        }
        List<io.fabric8.kubernetes.api.model.HasMetadata> objects =
                RbacRequests.objects(Path.of("../deploy/components/image-load/rbac.yaml"));
        var role = objects.stream()
                .filter(o -> o instanceof io.fabric8.kubernetes.api.model.rbac.Role)
                .map(o -> (io.fabric8.kubernetes.api.model.rbac.Role) o)
                .findFirst()
                .orElseThrow();
        var clusterRole = objects.stream()
                .filter(o -> o instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRole)
                .map(o -> (io.fabric8.kubernetes.api.model.rbac.ClusterRole) o)
                .findFirst()
                .orElseThrow();
        assertThat(role.getMetadata().getNamespace()).isEqualTo(NS);
        java.util.Set<String> granted = RbacRequests.granted(role.getRules());
        // pods/exec create: for API servers with KEP-4006 (the WebSocket upgrade itself is a GET).
        java.util.Set<String> expected = new java.util.TreeSet<>(namespaced);
        expected.add("pods/exec create");
        expected.add("pods/portforward create");
        assertThat(granted).isEqualTo(expected);
        assertThat(RbacRequests.granted(clusterRole.getRules())).isEqualTo(clusterWide);
    }

    /** A docker-archive as docker save writes it, with a layer of {@code layerBytes} random bytes. */
    private Path dockerArchive(int layerBytes) throws Exception {
        byte[] layer = new byte[layerBytes];
        new Random(7).nextBytes(layer);
        byte[] cfg = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        String cfgHex = sha256(cfg);
        config = "sha256:" + cfgHex;
        String manifest =
                "[{\"Config\":\"" + cfgHex + ".json\",\"RepoTags\":[\"tool:1\"],\"Layers\":[\"l/layer.tar\"]}]";
        Path file = tmp.resolve("tool.tar");
        try (OutputStream out = Files.newOutputStream(file);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            entry(tar, cfgHex + ".json", cfg);
            entry(tar, "l/layer.tar", layer);
            entry(tar, "manifest.json", manifest.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    private static void entry(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
