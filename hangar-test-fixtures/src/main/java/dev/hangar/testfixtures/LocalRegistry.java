package dev.hangar.testfixtures;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real OCI registry (Debian's {@code docker-registry}, distribution 2.8) started for one test as
 * a child process on an ephemeral loopback port, with its own config file and storage folder under a
 * fresh directory (never the system service), plus publishing through the distribution API: blobs
 * by monolithic upload ({@code POST /v2/<name>/blobs/uploads/}, then {@code PUT ...?digest=}) and a
 * manifest by {@code PUT /v2/<name>/manifests/<tag>}. {@link #pushFeature} publishes a devcontainer
 * feature as the Dev Container Features distribution spec lays it out. Anonymous, plain HTTP (as
 * registries on loopback are spoken to).
 *
 * <p>{@link #close()} stops the process and removes the directory; idempotent. A missing {@code
 * docker-registry} skips the calling test (JUnit assumption). Not thread-safe.
 */
public final class LocalRegistry implements AutoCloseable {
    /** The media type of a devcontainer feature's layer. */
    public static final String FEATURE_LAYER = "application/vnd.devcontainers.layer.v1+tar";

    private static final Pattern LISTENING = Pattern.compile("listening on (127\\.0\\.0\\.1:\\d+)");

    private final Path dir;
    private final HttpClient http = HttpClient.newHttpClient();
    private Process process;
    private String host;

    private LocalRegistry(Path dir) {
        this.dir = dir;
    }

    /**
     * Starts the registry; returns once it listens.
     *
     * @param parent a directory for its files (a fresh subdirectory is made in it)
     * @throws org.opentest4j.TestAbortedException (skips the test) when docker-registry is missing
     */
    public static LocalRegistry start(Path parent) throws IOException {
        return start(parent, Optional.empty());
    }

    /**
     * Starts the registry inside network namespace {@code netns} (on that namespace's loopback, where
     * an engine started there pulls from it as Docker does from any loopback registry: plain HTTP).
     * The test reaches it only through that engine ({@code docker push}), not with {@link #pushBlob}.
     *
     * @param netns a namespace under /run/netns, e.g. {@link ContainerEngineInNetns#netns()}
     */
    public static LocalRegistry startInNetns(Path parent, String netns) throws IOException {
        return start(parent, Optional.of(netns));
    }

    private static LocalRegistry start(Path parent, Optional<String> netns) throws IOException {
        Assumptions.assumeTrue(
                HostCommands.executable("docker-registry").isPresent(),
                "docker-registry is not installed; apt-get install -y --no-install-recommends docker-registry");
        Path dir = Files.createTempDirectory(Files.createDirectories(parent), "registry");
        LocalRegistry r = new LocalRegistry(dir);
        try {
            Path config = Files.writeString(dir.resolve("config.yml"), """
                    version: 0.1
                    log:
                      level: info
                    storage:
                      filesystem:
                        rootdirectory: %s
                    http:
                      addr: 127.0.0.1:0
                      secret: hangar-test-only
                    """.formatted(dir.resolve("storage")));
            List<String> cmd = new ArrayList<>();
            netns.ifPresent(ns -> cmd.addAll(List.of("nsenter", "--net=/run/netns/" + ns)));
            cmd.addAll(List.of(
                    HostCommands.executable("docker-registry").orElseThrow().toString(), "serve", config.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("registry.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("PATH", HostCommands.PATH);
            r.process = pb.start();
            await("docker-registry listening")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        if (!r.process.isAlive()) throw new IOException("docker-registry exited: " + r.log());
                        Matcher m = LISTENING.matcher(r.log());
                        if (m.find()) r.host = m.group(1);
                        return r.host != null;
                    });
            return r;
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /** @return {@code 127.0.0.1:PORT}, the registry part of references to it */
    public String host() {
        return host;
    }

    /** @return what the registry logged so far */
    public String log() {
        try {
            return Files.readString(dir.resolve("registry.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Publishes a devcontainer feature: its files as one tar layer of media type {@value
     * #FEATURE_LAYER}, an empty config of type {@code application/vnd.devcontainers}, an OCI image
     * manifest tagged {@code tag}.
     *
     * @param files file contents by path in the feature's folder; {@code install.sh} is executable
     * @return the manifest's digest ({@code sha256:...})
     */
    public String pushFeature(String repository, String tag, Map<String, String> files)
            throws IOException, InterruptedException {
        byte[] layer = tar(files);
        byte[] config = new byte[0];
        String configDigest = pushBlob(repository, config);
        String layerDigest = pushBlob(repository, layer);
        String manifest = """
                {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                 "config": {"mediaType": "application/vnd.devcontainers", "digest": "%s", "size": 0},
                 "layers": [{"mediaType": "%s", "digest": "%s", "size": %d,
                             "annotations": {"org.opencontainers.image.title": "devcontainer-feature.tgz"}}]}
                """.formatted(configDigest, FEATURE_LAYER, layerDigest, layer.length);
        return pushManifest(repository, tag, manifest.getBytes(StandardCharsets.UTF_8));
    }

    /** Uploads {@code blob} (monolithic upload); @return its digest */
    public String pushBlob(String repository, byte[] blob) throws IOException, InterruptedException {
        String digest = sha256(blob);
        HttpResponse<String> start = http.send(
                HttpRequest.newBuilder(uri("/v2/" + repository + "/blobs/uploads/"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (start.statusCode() != 202)
            throw new IOException("blob upload start: " + start.statusCode() + " " + start.body());
        String location = start.headers().firstValue("Location").orElseThrow();
        URI put = uri("/").resolve(location);
        put = URI.create(put + (put.getQuery() == null ? "?" : "&") + "digest=" + digest);
        HttpResponse<String> done = http.send(
                HttpRequest.newBuilder(put)
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(blob))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (done.statusCode() != 201) throw new IOException("blob upload: " + done.statusCode() + " " + done.body());
        return digest;
    }

    /** Puts an OCI image manifest under {@code tag}; @return its digest */
    public String pushManifest(String repository, String tag, byte[] manifest)
            throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(uri("/v2/" + repository + "/manifests/" + tag))
                        .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) throw new IOException("manifest put: " + r.statusCode() + " " + r.body());
        return sha256(manifest);
    }

    /** @return a tar of {@code files} (paths below {@code ./}; {@code *.sh} mode 0755, others 0644) */
    public static byte[] tar(Map<String, String> files) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (Map.Entry<String, String> f : new java.util.TreeMap<>(files).entrySet()) {
                byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry("./" + f.getKey());
                e.setSize(content.length);
                e.setMode(f.getKey().endsWith(".sh") ? 0100755 : 0100644);
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    /** @return {@code sha256:<hex>} of {@code bytes} */
    public static String sha256(byte[] bytes) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        return URI.create("http://" + host + path);
    }

    /** Stops the registry and removes its directory. Idempotent. */
    @Override
    public void close() throws IOException {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS))
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
