package dev.hangar.testing.k8s;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands every real-cluster test class the same {@link LocalCluster}: started on first use, kept in
 * JUnit's root store, and torn down ({@code down.sh}, which checks nothing is left) when the whole
 * run ends. Failsafe runs the IT classes one after another in one JVM, so {@code KubernetesWorkspaceIT}
 * and {@code InClusterIT} pay for one cluster (about a minute up, half a minute down) instead of two.
 * Each class must leave the cluster as it found it (its own namespaces deleted).
 *
 * <p>Use: {@code @ExtendWith(SharedCluster.class)} and a {@code LocalCluster} parameter on a
 * {@code @BeforeAll} method. Skips, saying why, when the host cannot run the cluster; with {@code
 * HANGAR_K8S_IT_REQUIRED=true} (set by {@code .ci/run}) that is a failure instead. A failed start is
 * remembered, so the next class does not build and fail again.
 */
final class SharedCluster implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SharedCluster.class);

    /** What the first start gave: the cluster, or why there is none. */
    private record Started(Optional<LocalCluster> cluster, String failure) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            if (cluster.isEmpty()) return;
            long t0 = System.nanoTime();
            cluster.get().close();
            System.out.printf(
                    Locale.ROOT,
                    "[k8s-it] shared cluster down and verified clean in %.1f s%n",
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalCluster.class;
    }

    @Override
    public LocalCluster resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Started started = context.getRoot().getStore(NS).computeIfAbsent(Started.class, k -> start(), Started.class);
        if (started.cluster().isEmpty()) skipOrFail(started.failure());
        return started.cluster().orElseThrow();
    }

    private static Started start() {
        Path tools = repositoryRoot().resolve("tools/k8s");
        Optional<String> unavailable = LocalCluster.unavailableReason(tools);
        if (unavailable.isPresent()) return new Started(Optional.empty(), unavailable.get());
        long t0 = System.nanoTime();
        try {
            LocalCluster cluster = LocalCluster.start(tools);
            System.out.printf(
                    Locale.ROOT,
                    "[k8s-it] shared cluster ready (build/cache + image + up.sh) in %.1f s; up.sh alone %s s%n",
                    (System.nanoTime() - t0) / 1e9,
                    cluster.upSeconds());
            return new Started(Optional.of(cluster), "");
        } catch (LocalCluster.BuildFailedException e) {
            return new Started(Optional.empty(), "this host cannot build the cluster: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void skipOrFail(String reason) {
        if ("true".equals(System.getenv("HANGAR_K8S_IT_REQUIRED"))) {
            fail("HANGAR_K8S_IT_REQUIRED=true but " + reason);
        }
        assumeTrue(false, "real Kubernetes cluster unavailable: " + reason);
    }

    /** @return the repository's root: the first directory above the working directory with tools/k8s */
    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("tools/k8s"))) {
            dir = dir.getParent();
        }
        if (dir == null) fail("no tools/k8s above " + Path.of("").toAbsolutePath());
        return dir;
    }
}
