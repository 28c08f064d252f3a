package dev.hangar.provider.kubernetes;

import dev.hangar.provider.kubernetes.bench.BenchNamespace;
import dev.hangar.provider.spi.NodeImages;
import dev.hangar.provider.spi.NodeImages.NodeProgress;
import dev.hangar.provider.spi.NodeImages.Phase;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Benchmark, not a test (not run by any build): {@code hangar image load}'s two transports
 * (docs/adr/0015) in the same run, against the real cluster named by {@code KUBECONFIG}: for each
 * size, a fresh docker-archive (one layer holding that many random bytes, under a new name, so it
 * is never present on the node already) loaded onto one node through exec chunks (the fallback,
 * the baseline) and through the port-forward receiver. Prints per load the copy's time and MiB/s
 * (first {@code UPLOADING} to {@code VERIFYING}), the whole load's time, and the ratio. Reported,
 * not asserted. The loaded images stay on the node (remove them with {@code ctr -n k8s.io images rm}).
 *
 * <pre>
 * ./mvnw -q -pl hangar-provider-kubernetes -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
 * cd hangar-provider-kubernetes
 * KUBECONFIG=/var/tmp/hangar-k8s-dev/kubeconfig $JAVA_HOME/bin/java \
 *     -cp target/test-classes:target/classes:../hangar-provider-spi/target/classes:$(cat target/bench.classpath) \
 *     dev.hangar.provider.kubernetes.ImageLoadBenchmark --mib 20,149 --socket /var/tmp/hangar-k8s-dev/containerd/containerd.sock
 * </pre>
 *
 * <p>Options: {@code --mib A,B} (sizes of the random layer, {@code 20,149}), {@code --namespace NS}
 * ({@code hangar-image-load-bench}, created if missing), {@code --loader-image IMAGE} ({@code
 * localhost/hangar/workspace:test}, must be on the node), {@code --ctr PATH} ({@code /usr/bin/ctr}),
 * {@code --socket PATH} ({@code /run/containerd/containerd.sock}), {@code --node NAME} (the first),
 * {@code --transports exec,port-forward}.
 */
public final class ImageLoadBenchmark {
    private ImageLoadBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        String namespace = opts.getOrDefault("namespace", "hangar-image-load-bench");
        NodeImages.Settings settings = new NodeImages.Settings(
                namespace,
                opts.getOrDefault("loader-image", "localhost/hangar/workspace:test"),
                opts.getOrDefault("ctr", "/usr/bin/ctr"),
                opts.getOrDefault("socket", "/run/containerd/containerd.sock"));
        List<String> transports =
                List.of(opts.getOrDefault("transports", "exec,port-forward").split(","));
        Path dir = Files.createTempDirectory("image-load-bench");
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            BenchNamespace.ensure(client, namespace);
            String node = opts.getOrDefault(
                    "node", new NodeImageLoader(client).nodes().getFirst());
            double load =
                    Files.readString(Path.of("/proc/loadavg")).split(" ")[0].isEmpty()
                            ? 0
                            : Double.parseDouble(
                                    Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
            System.out.printf(Locale.ROOT, "node %s, load average %.1f at start%n", node, load);
            for (String mib : opts.getOrDefault("mib", "20,149").split(",")) {
                Map<String, Double> rates = new HashMap<>();
                for (String transport : transports) {
                    boolean portForward = transport.equals("port-forward");
                    String name = "localhost/hangar/image-load-bench-" + transport + "-" + System.nanoTime() + ":1";
                    Path archive = dir.resolve(transport + "-" + mib + ".tar");
                    String sha256 = randomImage(archive, Integer.parseInt(mib) << 20, name);
                    long size = Files.size(archive);
                    NodeImageLoader loader = new NodeImageLoader(
                            client,
                            new NodeImageLoader.Options(
                                    ArchiveCopy.CHUNK_BYTES,
                                    Duration.ofMinutes(3),
                                    Duration.ofMinutes(1),
                                    portForward));
                    AtomicLong uploadStart = new AtomicLong();
                    AtomicLong uploadEnd = new AtomicLong();
                    long t0 = System.nanoTime();
                    List<NodeProgress> result = loader.load(archive, sha256, List.of(node), settings, p -> {
                        if (p.phase() == Phase.UPLOADING) uploadStart.compareAndSet(0, System.nanoTime());
                        if (p.phase() == Phase.VERIFYING) uploadEnd.compareAndSet(0, System.nanoTime());
                        if (!p.message().isEmpty() && p.phase() != Phase.IMPORTING)
                            System.out.println("  " + p.phase() + ": " + p.message());
                    });
                    double total = (System.nanoTime() - t0) / 1e9;
                    double copy = (uploadEnd.get() - uploadStart.get()) / 1e9;
                    double rate = size / 1048576.0 / copy;
                    rates.put(transport, rate);
                    System.out.printf(
                            Locale.ROOT,
                            "%-12s %7.1f MiB: copy %6.1f s (%6.2f MiB/s), whole load %6.1f s, %s%n",
                            transport,
                            size / 1048576.0,
                            copy,
                            rate,
                            total,
                            result.getFirst().phase());
                    Files.delete(archive);
                }
                if (rates.containsKey("exec") && rates.containsKey("port-forward"))
                    System.out.printf(
                            Locale.ROOT,
                            "%s MiB: port-forward / exec = %.1f%n",
                            mib,
                            rates.get("port-forward") / rates.get("exec"));
            }
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Writes a docker-archive of one image named {@code name} whose one layer holds a file of {@code
     * bytes} random bytes.
     *
     * @return the archive's SHA-256
     */
    static String randomImage(Path archive, int bytes, String name) throws Exception {
        Path layer = archive.resolveSibling(archive.getFileName() + ".layer");
        MessageDigest layerDigest = MessageDigest.getInstance("SHA-256");
        SecureRandom random = new SecureRandom();
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(layer), layerDigest);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            TarArchiveEntry e = new TarArchiveEntry("random.bin");
            e.setSize(bytes);
            tar.putArchiveEntry(e);
            byte[] block = new byte[1 << 20];
            for (int left = bytes; left > 0; left -= block.length) {
                random.nextBytes(block);
                tar.write(block, 0, Math.min(left, block.length));
            }
            tar.closeArchiveEntry();
        }
        String diffId = "sha256:" + HexFormat.of().formatHex(layerDigest.digest());
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/random.bin\"]},"
                        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
        String configHex =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(config));
        String manifest = "[{\"Config\":\"" + configHex + ".json\",\"RepoTags\":[\"" + name
                + "\"],\"Layers\":[\"layer/layer.tar\"]}]";
        MessageDigest archiveDigest = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(archive), archiveDigest);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            entry(tar, configHex + ".json", config);
            TarArchiveEntry e = new TarArchiveEntry("layer/layer.tar");
            e.setSize(Files.size(layer));
            tar.putArchiveEntry(e);
            Files.copy(layer, tar);
            tar.closeArchiveEntry();
            entry(tar, "manifest.json", manifest.getBytes(StandardCharsets.UTF_8));
        } finally {
            Files.delete(layer);
        }
        return HexFormat.of().formatHex(archiveDigest.digest());
    }

    private static void entry(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }
}
