package dev.hangar.testing.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.api.Json;
import dev.hangar.provider.kubernetes.KubernetesProviderFactory;
import dev.hangar.provider.kubernetes.WorkspaceNames;
import dev.hangar.server.SshGatewayHook;
import dev.hangar.testfixtures.Kustomize;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kubernetes Pod workspaces through the whole control plane, against a REAL single-node Kubernetes
 * 1.20.2 (built from Debian's source package by {@code tools/k8s/build.sh}; etcd, control plane,
 * kubelet on containerd inside a network namespace made by {@code tools/k8s/up.sh}), the reference
 * workspace image built without Docker ({@code tools/k8s/workspace-image.sh}) and imported into the
 * node, the real Hangar server ({@link TestControlPlane} with the kubernetes provider and the SSH
 * gateway) and the real OpenSSH client. Nothing here is a stand-in.
 *
 * <p>The user story: a user registers a key, creates a workspace from a Pod template over the REST
 * API, waits for Running, connects with plain {@code ssh} using the config {@code hangar
 * config-ssh} writes (ProxyJump through the Hangar gateway, pinned host keys, strict checking; the
 * gateway reaches the pod through the provider's API-server port-forward), writes a file, stops the
 * workspace (StatefulSet scaled to 0, pod gone, claim kept), starts it, reads the file back from the
 * volume, deletes it, and nothing of it is left in the cluster or the store.
 *
 * <p>The server talks to the cluster as the {@code hangar-server} ServiceAccount with the Role of
 * {@code deploy/base/rbac.yaml}, in the {@code hangar-workspaces} namespace of {@code deploy/}: the run
 * also proves that Role grants everything the provider does. The same cluster validates the
 * {@code deploy/} base and every overlay, rendered by {@code kubectl kustomize}, with a server-side
 * dry run. The cluster is the one {@link SharedCluster} starts once for every real-cluster IT class
 * (bringing it up costs about a minute); {@code InClusterIT} deploys the server into it.
 *
 * <p>The same cluster also serves issue #19's extended resources ({@link ExtendedResourceScenario}) and
 * issue #12's KubeVirt workspaces ({@link KubevirtScenario}: KubeVirt's and CDI's CRDs from the
 * project's structural schemas and a stand-in for their controllers and launcher pods (sshd of the
 * same workspace image), the server as the same ServiceAccount with {@code deploy/}'s Role {@code
 * hangar-vms}, ssh through the gateway and the VM's Service).
 *
 * <p>Skips, saying why, when the host cannot run the cluster (not root, no network namespaces or
 * overlayfs, the binaries cannot be built). With {@code HANGAR_K8S_IT_REQUIRED=true} (set by
 * {@code .ci/run}) those are failures instead. Timings are printed as {@code [k8s-it] ...} lines
 * (reported, not asserted).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(SharedCluster.class)
class KubernetesWorkspaceIT {
    private static final String SERVER_NAMESPACE = "hangar";
    private static final String WORKSPACE_NAMESPACE = "hangar-workspaces";
    private static final String VM_NAMESPACE = "hangar-vms";
    private static final String SERVICE_ACCOUNT = "hangar-server";
    private static final String USER = "alice";
    private static final String WORKSPACE = "dev";
    /** Pod start is seconds on an idle machine; minutes when other jobs load the 2 cores. */
    private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(8);
    /** Bytes sent through the gateway and back in the Pod scenario. */
    private static final int TRANSFER_BYTES = 64 << 20;

    private static Path repo;
    private static LocalCluster cluster;
    private static KubernetesClient admin;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startCluster(LocalCluster shared) throws IOException {
        repo = SharedCluster.repositoryRoot();
        cluster = shared;
        admin = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(cluster.kubeconfig())))
                .build();
    }

    @AfterAll
    static void closeClient() {
        // The cluster itself is shared with InClusterIT and torn down by SharedCluster after the run.
        if (admin != null) admin.close();
    }

    @Test
    @Order(1)
    void deployManifestsPassServerSideDryRun() throws IOException, InterruptedException {
        // Namespaced objects are only validated in namespaces that exist; a dry run creates nothing.
        LocalCluster.Result namespaces = cluster.kubectl("apply", "-f", deploy("namespaces.yaml"));
        assertThat(namespaces.exitCode()).as(namespaces.output()).isZero();
        // policy/v1 PodDisruptionBudgets arrived in 1.21; the cluster here is 1.20, so the renderings
        // other than the test overlay's (which says v1beta1 itself) are checked with v1beta1 there.
        LocalCluster.Result versions = cluster.kubectl("api-versions");
        assertThat(versions.exitCode()).as(versions.output()).isZero();
        boolean policyV1 = versions.stdout().lines().anyMatch("policy/v1"::equals);

        for (String dir : List.of("base", "overlays/single-namespace", "overlays/with-postgres", "overlays/test")) {
            String rendered = kustomize(dir);
            String yaml = policyV1
                    ? rendered
                    : rendered.replace(
                            "apiVersion: policy/v1\nkind: PodDisruptionBudget",
                            "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget");
            Path file = Files.writeString(tmp.resolve(dir.replace('/', '-') + ".yaml"), yaml);
            LocalCluster.Result all = cluster.kubectl("apply", "--dry-run=server", "-f", file.toString());
            assertThat(all.exitCode()).as(dir + ": " + all.output()).isZero();
            assertThat(all.stdout())
                    .as(dir)
                    .contains(
                            "serviceaccount/hangar-server",
                            "role.rbac.authorization.k8s.io/hangar-workspaces",
                            "rolebinding.rbac.authorization.k8s.io/hangar-server",
                            "role.rbac.authorization.k8s.io/hangar-leader-election",
                            "rolebinding.rbac.authorization.k8s.io/hangar-leader-election",
                            "configmap/hangar-server",
                            "role.rbac.authorization.k8s.io/hangar-server-keys",
                            "deployment.apps/hangar-server",
                            "service/hangar ",
                            "service/hangar-ssh",
                            "poddisruptionbudget.policy/hangar-server",
                            "networkpolicy.networking.k8s.io/hangar-server")
                    .contains("(server dry run)");
            if (dir.contains("postgres") || dir.endsWith("test")) {
                assertThat(all.stdout()).as(dir).contains("statefulset.apps/postgres", "service/postgres");
            }
        }
        LocalCluster.Result secret =
                cluster.kubectl("apply", "--dry-run=server", "-f", deploy("database-secret.example.yaml"));
        assertThat(secret.exitCode()).as(secret.output()).isZero();
        // The dry run created nothing.
        assertThat(admin.apps()
                        .deployments()
                        .inNamespace(SERVER_NAMESPACE)
                        .withName("hangar-server")
                        .get())
                .isNull();

        // The server validates for real: the same Deployment with a negative replica count is refused.
        String deployment = Files.readString(repo.resolve("deploy/base/server.yaml"));
        assertThat(deployment).contains("replicas: 2");
        Path broken = tmp.resolve("broken.yaml");
        Files.writeString(broken, deployment.replace("replicas: 2", "replicas: -1"));
        LocalCluster.Result refused = cluster.kubectl("apply", "--dry-run=server", "-f", broken.toString());
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains("spec.replicas");
    }

    @Test
    @Order(2)
    void podWorkspaceThroughControlPlaneAndGateway() throws Exception {
        // The server's identity from deploy/: namespaces, ServiceAccount, Role, RoleBinding, for real.
        LocalCluster.Result rbac = cluster.kubectl("apply", "-f", deploy("namespaces.yaml"), "-f", deploy("rbac.yaml"));
        assertThat(rbac.exitCode()).as(rbac.output()).isZero();
        Path serverKubeconfig = serverKubeconfig();

        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.createDirectories(home.resolve("templates"));
        Files.writeString(home.resolve("templates/pod-it.yaml"), template(cluster.workspaceImage()));

        try (TestControlPlane cp = TestControlPlane.builder()
                .home(home)
                .addProviderFactory(new KubernetesProviderFactory())
                .gateway(new SshGatewayHook())
                .configure(c -> c.withProvider(
                                "kubernetes",
                                Map.of(
                                        "namespace",
                                        WORKSPACE_NAMESPACE,
                                        "kubeconfig",
                                        serverKubeconfig.toString(),
                                        "apply-mode",
                                        "server-side",
                                        // The ClusterIP exists only inside the cluster's network
                                        // namespace, as for a server outside the cluster: the
                                        // gateway goes through the API server's port-forward.
                                        "service-routable",
                                        "false"))
                        .withGateway(Map.of("listen-port", "0")))
                .start()) {
            TestHttp http = cp.http();
            String token = cp.createUser(USER, false).token();
            Path clientKey = GatewaySsh.registeredKey(tmp.resolve("keys"), http, token);

            // Create -> Running -> first command over ssh through the gateway.
            long t0 = System.nanoTime();
            HttpResponse<String> created =
                    http.post("/api/v1/workspaces", token, body(Map.of("name", WORKSPACE, "template", "pod-it")));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode ws = awaitPhase(http, token, "Running");
            double running = seconds(t0);
            String id = ws.path("id").asText();
            WorkspaceNames names = WorkspaceNames.of(USER, WORKSPACE);
            Path sshConfig = GatewaySsh.config(
                    tmp.resolve("sshhome"),
                    cp,
                    USER,
                    WORKSPACE,
                    ws.path("hostKey").asText(),
                    clientKey);

            String marker = "written before stop " + UUID.randomUUID();
            List<String> first = awaitSsh(
                    sshConfig,
                    "printf '%s' '" + marker
                            + "' > \"$HOME/proof.txt\" && id -un && id -gn && id -u && echo \"$HOME\"");
            double firstSsh = seconds(t0);
            // The login name is the Hangar user's name everywhere in the workspace (getpwuid, not
            // only LOGNAME): the entrypoint gives the image's uid to HANGAR_USER.
            assertThat(first).containsExactly(USER, USER, "1000", "/storage/home/" + USER);
            report("create -> Running %.1f s, -> first ssh command via the gateway %.1f s", running, firstSsh);
            awaitEvent(http, token, "ssh-connection", "relayed");

            // The console of a Pod: a shell through the exec API (the server's Role), as the workspace user.
            long tc = System.nanoTime();
            assertThat(consoleLines(cp, token, "id -un\r")).as("console output").contains(USER);
            report("console: exec shell opened, 'id -un' answered %.1f s", seconds(tc));

            // 64 MiB up and back through the gateway and the provider's port-forward, checked by
            // SHA-256: fabric8's LocalPortForward dropped upload bytes whenever the API server took
            // them slower than the gateway wrote them, and ssh then failed on a bad MAC.
            transferThroughTheGateway(sshConfig, tmp.resolve("transfer"));

            // While Running, the reconciler's passes (every 250 ms here) change nothing in the cluster.
            String podUid = pod(names).getMetadata().getUid();
            long generation = statefulSet(names).getMetadata().getGeneration();
            String secretVersion = admin.secrets()
                    .inNamespace(WORKSPACE_NAMESPACE)
                    .withName(names.sshSecret())
                    .get()
                    .getMetadata()
                    .getResourceVersion();
            await().during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> podUid.equals(pod(names).getMetadata().getUid())
                            && generation == statefulSet(names).getMetadata().getGeneration()
                            && secretVersion.equals(admin.secrets()
                                    .inNamespace(WORKSPACE_NAMESPACE)
                                    .withName(names.sshSecret())
                                    .get()
                                    .getMetadata()
                                    .getResourceVersion()));

            // Stop = StatefulSet scaled to 0: no container runs (the pod may still be going); the claim
            // and its data kept.
            long t1 = System.nanoTime();
            assertThat(http.post("/api/v1/workspaces/" + WORKSPACE + "/stop", token, "")
                            .statusCode())
                    .isEqualTo(202);
            awaitPhase(http, token, "Stopped");
            report("stop -> Stopped %.1f s", seconds(t1));
            assertThat(statefulSet(names).getSpec().getReplicas()).isZero();
            ClusterWorkspaces.assertNoPodRuns(admin, WORKSPACE_NAMESPACE, id);
            PersistentVolumeClaim claim = admin.persistentVolumeClaims()
                    .inNamespace(WORKSPACE_NAMESPACE)
                    .withName(names.homeClaim())
                    .get();
            assertThat(claim.getStatus().getPhase()).isEqualTo("Bound");

            // Start: a new pod on the same claim, also when the old one is still being removed (the
            // StatefulSet controller waits for it); the file is read back through the gateway.
            long t2 = System.nanoTime();
            assertThat(http.post("/api/v1/workspaces/" + WORKSPACE + "/start", token, "")
                            .statusCode())
                    .isEqualTo(202);
            awaitPhase(http, token, "Running");
            assertThat(statefulSet(names).getSpec().getReplicas()).isOne();
            assertThat(pod(names).getMetadata().getUid()).isNotEqualTo(podUid);
            assertThat(awaitSsh(sshConfig, "cat \"$HOME/proof.txt\"")).containsExactly(marker);
            report("start -> Running -> file read back via the gateway %.1f s", seconds(t2));

            // Delete: the row goes once nothing of the workspace is left in the cluster.
            long t3 = System.nanoTime();
            assertThat(http.delete("/api/v1/workspaces/" + WORKSPACE, token).statusCode())
                    .isEqualTo(202);
            await().atMost(PHASE_TIMEOUT)
                    .pollInterval(Duration.ofMillis(500))
                    .alias("workspace row removed")
                    .until(() ->
                            http.get("/api/v1/workspaces/" + WORKSPACE, token).statusCode() == 404);
            report("delete -> row gone %.1f s", seconds(t3));
            assertThat(cp.server().store().workspaces().find(id)).isEmpty();
            assertThat(labelled(id))
                    .as("objects labelled with the workspace id")
                    .isEmpty();
            assertThat(admin.apps()
                            .statefulSets()
                            .inNamespace(WORKSPACE_NAMESPACE)
                            .withName(names.statefulSet())
                            .get())
                    .isNull();
            assertThat(admin.persistentVolumeClaims()
                            .inNamespace(WORKSPACE_NAMESPACE)
                            .withName(names.homeClaim())
                            .get())
                    .isNull();
            assertThat(admin.services()
                            .inNamespace(WORKSPACE_NAMESPACE)
                            .withName(names.service())
                            .get())
                    .isNull();
            assertThat(admin.secrets()
                            .inNamespace(WORKSPACE_NAMESPACE)
                            .withName(names.sshSecret())
                            .get())
                    .isNull();
        }
    }

    @Test
    @Order(3)
    void extendedResourcesScheduleUpToTheNodesCapacityAndTheThirdWaitsWithTheSchedulersReason() throws Exception {
        // Issue #19 on the same cluster and image; the scenario lives in its own class.
        LocalCluster.Result rbac = cluster.kubectl("apply", "-f", deploy("namespaces.yaml"), "-f", deploy("rbac.yaml"));
        assertThat(rbac.exitCode()).as(rbac.output()).isZero();
        Path serverKubeconfig = serverKubeconfig();
        double wall = new ExtendedResourceScenario(admin, WORKSPACE_NAMESPACE, KubernetesWorkspaceIT::describe)
                .run(Files.createDirectories(tmp.resolve("gpu-home")), serverKubeconfig, cluster.workspaceImage());
        report("extended resources: 2 of 3 run, third waits, runs after a delete: %.1f s", wall);
    }

    @Test
    @Order(4)
    void kubevirtWorkspaceLifecycleAgainstTheRealApiServerWithCrdsAndAStandInController() throws Exception {
        // Issue #12 on the same cluster: KubeVirt's and CDI's CRDs, a stand-in for their controllers and
        // launcher pods (sshd of the workspace image), the server as the hangar-server ServiceAccount
        // with deploy/'s Role hangar-vms, ssh through the gateway and the VM's Service.
        LocalCluster.Result rbac = cluster.kubectl("apply", "-f", deploy("namespaces.yaml"), "-f", deploy("rbac.yaml"));
        assertThat(rbac.exitCode()).as(rbac.output()).isZero();
        Path serverKubeconfig = serverKubeconfig();
        double wall = new KubevirtScenario(admin, VM_NAMESPACE, repo, cluster.workspaceImage(), cluster.nodeIp())
                .run(Files.createDirectories(tmp.resolve("kubevirt-home")), serverKubeconfig);
        report("kubevirt: whole lifecycle against the real API server %.1f s", wall);
    }

    @Test
    @Order(5)
    void imageLoadPutsAnArchiveOntoTheNodeAndAPodRunsItWithIfNotPresent() throws Exception {
        // Issue #17 item 4 on the same cluster; the scenario lives in its own class.
        LocalCluster.Result rbac = cluster.kubectl(
                "apply",
                "-f",
                deploy("namespaces.yaml"),
                "-f",
                deploy("rbac.yaml"),
                "-f",
                repo.resolve("deploy/components/image-load/namespace.yaml").toString(),
                "-f",
                repo.resolve("deploy/components/image-load/rbac.yaml").toString());
        assertThat(rbac.exitCode()).as(rbac.output()).isZero();
        long t0 = System.nanoTime();
        new ImageLoadScenario(admin, "hangar-image-load", "image-load-it", line -> report("%s", line))
                .run(
                        Files.createDirectories(tmp.resolve("image-load")),
                        serverKubeconfig(),
                        cluster.pauseImageArchive(),
                        cluster.workspaceImage(),
                        cluster.containerdSocket());
        report("image load scenario (load, run with IfNotPresent, load again): %.1f s", seconds(t0));
    }

    private static String template(String image) {
        return """
                name: pod-it
                description: Reference workspace image imported into the test cluster (no registry)
                provider: kubernetes
                image: %s
                defaults: {cpus: 1, memoryMiB: 512, diskGiB: 1}
                limits:
                  cpus: {min: 1, max: 2}
                  memoryMiB: {min: 256, max: 1024}
                  diskGiB: {min: 1, max: 2}
                settings: {image-pull-policy: Never}
                """.formatted(image);
    }

    /**
     * Sends {@link #TRANSFER_BYTES} random bytes into the workspace's {@code /tmp} with {@code ssh ...
     * cat} and reads them back the same way, comparing SHA-256 sums (the workspace's {@code sha256sum}
     * for the way up, the test's own for the way down). Prints MiB/s each way (reported, not asserted).
     */
    private static void transferThroughTheGateway(Path sshConfig, Path dir) throws Exception {
        Files.createDirectories(dir);
        byte[] payload = new byte[TRANSFER_BYTES];
        new java.util.SplittableRandom(18).nextBytes(payload);
        String sha = java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(payload));
        Path up = Files.write(dir.resolve("up.bin"), payload);
        long t0 = System.nanoTime();
        LocalCluster.Result sent = ssh(sshConfig, "cat > /tmp/transfer.bin && sha256sum /tmp/transfer.bin", up, null);
        double upSeconds = seconds(t0);
        assertThat(sent.exitCode()).as("upload: " + sent.output()).isZero();
        assertThat(sent.stdout()).as("SHA-256 in the workspace").startsWith(sha);
        Path down = dir.resolve("down.bin");
        long t1 = System.nanoTime();
        LocalCluster.Result received = ssh(sshConfig, "cat /tmp/transfer.bin && rm /tmp/transfer.bin", null, down);
        double downSeconds = seconds(t1);
        assertThat(received.exitCode()).as("download: " + received.output()).isZero();
        assertThat(Files.size(down)).isEqualTo(TRANSFER_BYTES);
        assertThat(java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(Files.readAllBytes(down))))
                .as("SHA-256 of what came back")
                .isEqualTo(sha);
        double mib = TRANSFER_BYTES / 1048576.0;
        report(
                "%.0f MiB through the gateway's port-forward: up %.1f s (%.1f MiB/s), down %.1f s (%.1f MiB/s), SHA-256 equal",
                mib, upSeconds, mib / upSeconds, downSeconds, mib / downSeconds);
    }

    /** Runs {@code command} in the workspace over ssh, stdin from {@code in} and stdout to {@code out} if given. */
    private static LocalCluster.Result ssh(Path sshConfig, String command, Path in, Path out) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                "ssh",
                "-F",
                sshConfig.toString(),
                "-o",
                "BatchMode=yes",
                "-o",
                "ConnectTimeout=30",
                WORKSPACE + ".hangar",
                command);
        Path stdout = out != null ? out : Files.createTempFile(sshConfig.getParent(), "ssh", ".out");
        Path stderr = Files.createTempFile(sshConfig.getParent(), "ssh", ".err");
        pb.redirectInput(
                in != null
                        ? ProcessBuilder.Redirect.from(in.toFile())
                        : ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("ssh '" + command + "' did not end within 5 minutes: " + readQuietly(stderr));
        }
        return new LocalCluster.Result(p.exitValue(), out != null ? "" : Files.readString(stdout), readQuietly(stderr));
    }

    /** {@link GatewaySsh#awaitSsh} on this test's workspace. */
    private static List<String> awaitSsh(Path sshConfig, String command) {
        return GatewaySsh.awaitSsh(sshConfig, WORKSPACE + ".hangar", command, "the gateway");
    }

    /**
     * Opens the workspace's console WebSocket (the API route, bearer token), types {@code keys} and
     * collects what comes back until a line equals the workspace user or 60 s pass.
     *
     * @return the lines received, terminal escape sequences removed, each trimmed
     */
    private static List<String> consoleLines(TestControlPlane cp, String token, String keys) throws Exception {
        StringBuffer received = new StringBuffer();
        java.util.concurrent.CompletableFuture<String> closed = new java.util.concurrent.CompletableFuture<>();
        java.net.URI base = cp.baseUri();
        java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .buildAsync(
                        java.net.URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/api/v1/workspaces/"
                                + WORKSPACE + "/console?columns=100&rows=30"),
                        new java.net.http.WebSocket.Listener() {
                            @Override
                            public java.util.concurrent.CompletionStage<?> onBinary(
                                    java.net.http.WebSocket w, java.nio.ByteBuffer data, boolean last) {
                                byte[] b = new byte[data.remaining()];
                                data.get(b);
                                received.append(new String(b, StandardCharsets.UTF_8));
                                w.request(1);
                                return null;
                            }

                            @Override
                            public java.util.concurrent.CompletionStage<?> onClose(
                                    java.net.http.WebSocket w, int code, String reason) {
                                closed.complete(code + " " + reason);
                                return null;
                            }
                        })
                .get(30, TimeUnit.SECONDS);
        try {
            ws.sendBinary(java.nio.ByteBuffer.wrap(keys.getBytes(StandardCharsets.UTF_8)), true)
                    .get(10, TimeUnit.SECONDS);
            try {
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> lines(received.toString()).contains(USER) || closed.isDone());
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                fail("the console never printed " + USER + "; received: " + received);
            }
            assertThat(closed)
                    .as("closed early: " + closed.getNow("") + "; received: " + received)
                    .isNotDone();
            return lines(received.toString());
        } finally {
            ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done");
        }
    }

    /** Splits terminal output into lines without escape sequences (colours, bracketed paste, titles). */
    private static List<String> lines(String raw) {
        String plain = raw.replaceAll("\u001B\\][^\u0007\u001B]*(\u0007|\u001B\\\\)", "")
                .replaceAll("\u001B\\[[0-9;?]*[ -/]*[@-~]", "")
                .replaceAll("\u001B[()][0-9A-Za-z]", "");
        return plain.lines().map(String::strip).toList();
    }

    private static JsonNode awaitPhase(TestHttp http, String token, String phase) {
        return ClusterWorkspaces.awaitPhase(
                http, token, WORKSPACE, phase, PHASE_TIMEOUT, KubernetesWorkspaceIT::describe);
    }

    private static void awaitEvent(TestHttp http, String token, String type, String text) {
        // The gateway records the connection when the channel closes, just after ssh exits.
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .alias(type + " event containing '" + text + "'")
                .until(() -> {
                    for (JsonNode e : TestHttp.json(http.get("/api/v1/workspaces/" + WORKSPACE + "/events", token))) {
                        if (e.path("type").asText().equals(type)
                                && e.path("message").asText().contains(text)) return true;
                    }
                    return false;
                });
    }

    private static String describe() {
        return cluster.kubectl("-n", WORKSPACE_NAMESPACE, "describe", "statefulsets,pods,pvc")
                .output();
    }

    private static StatefulSet statefulSet(WorkspaceNames names) {
        return admin.apps()
                .statefulSets()
                .inNamespace(WORKSPACE_NAMESPACE)
                .withName(names.statefulSet())
                .get();
    }

    private static io.fabric8.kubernetes.api.model.Pod pod(WorkspaceNames names) {
        return admin.pods()
                .inNamespace(WORKSPACE_NAMESPACE)
                .withName(names.pod())
                .get();
    }

    /** Every object of the kinds the provider creates (and the pod and revisions) labelled with the id. */
    private static List<HasMetadata> labelled(String id) {
        return ClusterWorkspaces.labelled(admin, WORKSPACE_NAMESPACE, id);
    }

    /**
     * A kubeconfig for the server: the cluster's address and CA with the {@code hangar-server}
     * ServiceAccount's token instead of the admin's, so the server has exactly deploy/base/rbac.yaml's Role.
     */
    private Path serverKubeconfig() throws IOException {
        Path file = tmp.resolve("hangar-server.kubeconfig");
        Files.copy(cluster.kubeconfig(), file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        LocalCluster.Result user = LocalCluster.run(
                Duration.ofMinutes(1),
                List.of(
                        cluster.kubectl().toString(),
                        "--kubeconfig",
                        file.toString(),
                        "config",
                        "view",
                        "-o",
                        "jsonpath={.users[0].name}"));
        assertThat(user.exitCode()).as(user.output()).isZero();
        // The token goes on the command line of a short-lived local process, never into a log.
        LocalCluster.Result set = LocalCluster.run(
                Duration.ofMinutes(1),
                List.of(
                        cluster.kubectl().toString(),
                        "--kubeconfig",
                        file.toString(),
                        "config",
                        "set-credentials",
                        user.stdout().strip(),
                        "--token=" + serviceAccountToken()));
        assertThat(set.exitCode()).as("kubectl config set-credentials").isZero();
        return file;
    }

    /** The hangar-server ServiceAccount's token, from the Secret the 1.20 token controller makes. */
    private static String serviceAccountToken() {
        AtomicReference<String> token = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    ServiceAccount sa = admin.serviceAccounts()
                            .inNamespace(SERVER_NAMESPACE)
                            .withName(SERVICE_ACCOUNT)
                            .get();
                    if (sa == null || sa.getSecrets() == null || sa.getSecrets().isEmpty()) return false;
                    Secret secret = admin.secrets()
                            .inNamespace(SERVER_NAMESPACE)
                            .withName(sa.getSecrets().getFirst().getName())
                            .get();
                    if (secret == null
                            || secret.getData() == null
                            || !secret.getData().containsKey("token")) return false;
                    token.set(new String(
                            Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.UTF_8));
                    return true;
                });
        return token.get();
    }

    private static String body(Map<String, String> fields) {
        ObjectNode n = Json.mapper().createObjectNode();
        fields.forEach(n::put);
        return n.toString();
    }

    /** @return deploy/DIR rendered by the pinned {@link Kustomize} (the cluster's 1.20 kubectl is too old) */
    private String kustomize(String dir) throws IOException, InterruptedException {
        return Kustomize.pinned().build(repo.resolve("deploy").resolve(dir));
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String deploy(String file) {
        return repo.resolve("deploy/base").resolve(file).toString();
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void report(String format, Object... args) {
        System.out.println("[k8s-it] " + String.format(Locale.ROOT, format, args));
    }
}
