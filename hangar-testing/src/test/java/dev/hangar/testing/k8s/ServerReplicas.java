package dev.hangar.testing.k8s;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hangar.testing.TestHttp;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server's replicas as {@link InClusterIT} sees them in the namespace the overlay deploys to:
 * waiting for ready ones, their start-to-Ready time, an API port-forward to each (closed by {@link
 * #close()}), the admin's first token, and a Pod's log followed into a file.
 */
final class ServerReplicas implements AutoCloseable {
    private final LocalCluster cluster;
    private final KubernetesClient admin;
    private final String namespace;
    private final Duration startTimeout;
    private final List<AutoCloseable> forwards = new ArrayList<>();

    ServerReplicas(LocalCluster cluster, KubernetesClient admin, String namespace, Duration startTimeout) {
        this.cluster = cluster;
        this.admin = admin;
        this.namespace = namespace;
        this.startTimeout = startTimeout;
    }

    /** @return {@code count} ready replicas (not being deleted), once there are; fails with their state after the start timeout */
    List<Pod> awaitReady(int count) {
        AtomicReference<List<Pod>> ready = new AtomicReference<>(List.of());
        try {
            await().atMost(startTimeout).pollInterval(Duration.ofSeconds(1)).until(() -> {
                ready.set(admin
                        .pods()
                        .inNamespace(namespace)
                        .withLabel("app.kubernetes.io/name", "hangar-server")
                        .list()
                        .getItems()
                        .stream()
                        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                        .filter(ServerReplicas::isReady)
                        .toList());
                return ready.get().size() == count;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            fail(count + " ready replicas not reached in " + startTimeout + ":\n"
                    + cluster.kubectl("-n", namespace, "describe", "pods").output() + "\n"
                    + cluster.kubectl(
                                    "-n", namespace, "logs", "-l", "app.kubernetes.io/name=hangar-server", "--tail=60")
                            .output());
        }
        return ready.get();
    }

    private static boolean isReady(Pod p) {
        return p.getStatus() != null
                && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream()
                        .anyMatch(c ->
                                c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    /** @return seconds from the server container's start to the Pod's Ready condition */
    static double startToReady(Pod p) {
        Instant started = Instant.parse(p.getStatus()
                .getContainerStatuses()
                .getFirst()
                .getState()
                .getRunning()
                .getStartedAt());
        Instant ready = p.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals("Ready"))
                .map(c -> Instant.parse(c.getLastTransitionTime()))
                .findFirst()
                .orElseThrow();
        return Duration.between(started, ready).toMillis() / 1000.0;
    }

    /** Starts {@code kubectl logs -f POD} into {@code file}: a deleted Pod's log is gone once it is. */
    Process followLog(String pod, Path file) throws IOException {
        return new ProcessBuilder(
                        cluster.kubectl().toString(),
                        "--kubeconfig",
                        cluster.kubeconfig().toString(),
                        "-n",
                        namespace,
                        "logs",
                        "-f",
                        pod)
                .redirectErrorStream(true)
                .redirectOutput(file.toFile())
                .start();
    }

    /** A fabric8 port-forward to the replica's 8080 on a free loopback port. */
    TestHttp forward(String pod) {
        LocalPortForward f = admin.pods().inNamespace(namespace).withName(pod).portForward(8080);
        forwards.add(f);
        return new TestHttp(URI.create("http://127.0.0.1:" + f.getLocalPort()));
    }

    /**
     * {@code hangar token create} run by {@code kubectl exec} in the replica whose {@code cli.yaml}
     * holds the first admin token (only the replica that made the admin has one).
     */
    String adminToken(List<Pod> replicas) {
        List<String> tried = new ArrayList<>();
        for (Pod p : replicas) {
            LocalCluster.Result r = cluster.kubectl(
                    "-n",
                    namespace,
                    "exec",
                    name(p),
                    "-c",
                    "server",
                    "--",
                    "/opt/hangar/jre/bin/java",
                    "--enable-native-access=ALL-UNNAMED",
                    "-Xmx96m",
                    "-cp",
                    "/opt/hangar/lib/*",
                    "dev.hangar.cli.Main",
                    "token",
                    "create",
                    "--name",
                    "incluster-it-" + UUID.randomUUID().toString().substring(0, 8));
            if (r.exitCode() == 0) return r.stdout().strip();
            tried.add(name(p) + ": " + r.output().strip());
        }
        return fail("no replica could issue an admin token: " + tried);
    }

    static String name(Pod p) {
        return p.getMetadata().getName();
    }

    /** Closes the port-forwards. */
    @Override
    public void close() throws Exception {
        for (AutoCloseable f : forwards) f.close();
    }
}
