package dev.hangar.provider.kubernetes.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hangar.provider.kubernetes.KubernetesProvider;
import dev.hangar.provider.kubernetes.KubernetesSettings;
import dev.hangar.provider.kubernetes.WorkspaceManifests;
import dev.hangar.provider.kubernetes.WorkspaceNames;
import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real-cluster level of the Kubernetes provider's tests: a real single-node Kubernetes 1.20.2
 * (built from Debian's source package by {@code tools/k8s/build.sh}, control plane and kubelet on
 * containerd inside a network namespace made by {@code tools/k8s/up.sh}), a workspace image built
 * without Docker ({@code tools/k8s/workspace-image.sh}) and imported into the node, the real OpenSSH
 * client. Nothing here is a stand-in.
 *
 * <p>The provider runs with the {@code hangar-server} service account's token and the Role from
 * {@code deploy/rbac.yaml}, in the {@code hangar-workspaces} namespace of {@code deploy/}, so the
 * lifecycle also proves that Role grants what the provider needs. SSH goes through the provider's
 * API-server port-forward ({@code service-routable=false}): the ClusterIP exists only inside the
 * cluster's network namespace, like for a server running outside a cluster.
 *
 * <p>Skips, saying why, when the host cannot run the cluster (not root, no network namespaces or
 * overlayfs, the binaries cannot be built). With {@code HANGAR_K8S_IT_REQUIRED=true} (CI) those
 * are failures instead. Timings are printed as {@code [k8s-it] ...} lines (reported, not asserted).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesClusterIT {
    private static final String SERVER_NAMESPACE = "hangar";
    private static final String WORKSPACE_NAMESPACE = "hangar-workspaces";
    private static final String SERVICE_ACCOUNT = "hangar-server";
    private static final Duration POD_TIMEOUT = Duration.ofMinutes(5);

    private static Path repo;
    private static LocalCluster cluster;
    private static KubernetesClient admin;

    @BeforeAll
    static void startCluster() throws IOException {
        repo = repositoryRoot();
        Path tools = repo.resolve("tools/k8s");
        Optional<String> reason = LocalCluster.unavailableReason(tools);
        skipOrFail(reason);
        long t0 = System.nanoTime();
        try {
            cluster = LocalCluster.start(tools);
        } catch (LocalCluster.BuildFailedException e) {
            skipOrFail(Optional.of("this host cannot build the cluster: " + e.getMessage()));
        }
        report(
                "cluster ready (build/cache + image + up.sh) in %.1f s; up.sh alone %s s",
                seconds(t0), cluster.upSeconds());
        admin = new KubernetesClientBuilder()
                .withConfig(config(cluster.kubeconfig()))
                .build();
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (admin != null) admin.close();
        if (cluster != null) {
            long t0 = System.nanoTime();
            cluster.close();
            report("cluster down and verified clean in %.1f s", seconds(t0));
        }
    }

    @Test
    @Order(1)
    void deployManifestsPassServerSideDryRun(@TempDir Path tmp) throws IOException {
        // Namespaced objects are only validated in namespaces that exist; a dry run creates nothing.
        LocalCluster.Result namespaces = cluster.kubectl("apply", "-f", deploy("namespaces.yaml"));
        assertThat(namespaces.exitCode()).as(namespaces.output()).isZero();

        LocalCluster.Result all = cluster.kubectl(
                "apply", "--dry-run=server", "-k", repo.resolve("deploy").toString());
        assertThat(all.exitCode()).as(all.output()).isZero();
        assertThat(all.stdout())
                .contains(
                        "serviceaccount/hangar-server",
                        "role.rbac.authorization.k8s.io/hangar-workspaces",
                        "rolebinding.rbac.authorization.k8s.io/hangar-server",
                        "configmap/hangar-server",
                        "persistentvolumeclaim/hangar-home",
                        "deployment.apps/hangar-server",
                        "service/hangar")
                .contains("(server dry run)");
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
        String deployment = Files.readString(repo.resolve("deploy/server.yaml"));
        assertThat(deployment).contains("replicas: 1");
        Path broken = tmp.resolve("broken.yaml");
        Files.writeString(broken, deployment.replace("replicas: 1", "replicas: -1"));
        LocalCluster.Result refused = cluster.kubectl("apply", "--dry-run=server", "-f", broken.toString());
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains("spec.replicas");
    }

    @Test
    @Order(2)
    void podWorkspaceLifecycleOverRealSsh(@TempDir Path tmp) throws IOException {
        // The server's identity from deploy/: namespaces, ServiceAccount, Role, RoleBinding, for real.
        LocalCluster.Result rbac = cluster.kubectl("apply", "-f", deploy("namespaces.yaml"), "-f", deploy("rbac.yaml"));
        assertThat(rbac.exitCode()).as(rbac.output()).isZero();
        String token = serviceAccountToken();
        Config asServer = new ConfigBuilder(config(cluster.kubeconfig()))
                .withOauthToken(token)
                .build();

        RealSsh ssh = RealSsh.create(tmp.resolve("ssh"));
        String user = "alice";
        WorkspaceSpec spec = new WorkspaceSpec(
                UUID.randomUUID().toString(),
                "real",
                user,
                "debian-pod",
                new Resources(1, 512, 1),
                cluster.workspaceImage(),
                user,
                List.of(ssh.userPublicKey()),
                ssh.hostKey(),
                CloudInitConfig.EMPTY,
                // The image was imported into the node's containerd; there is no registry.
                Map.of("image-pull-policy", "Never"));
        WorkspaceNames names = WorkspaceNames.of(spec.owner(), spec.name());
        KubernetesSettings settings = KubernetesSettings.parse(
                Map.of("namespace", WORKSPACE_NAMESPACE, "apply-mode", "server-side", "service-routable", "false"));
        List<String> events = new CopyOnWriteArrayList<>();
        ProviderListener listener = new ProviderListener() {
            @Override
            public void event(String type, String message) {
                events.add(type + ": " + message);
            }

            @Override
            public void phaseTiming(String phase, Duration duration) {}
        };

        try (KubernetesClient serverClient =
                        new KubernetesClientBuilder().withConfig(asServer).build();
                KubernetesProvider provider =
                        new KubernetesProvider(serverClient, settings, Clock.systemUTC(), false)) {
            // Create -> Running -> first successful ssh.
            long t0 = System.nanoTime();
            provider.apply(spec, PowerState.RUNNING, listener);
            SshEndpoint endpoint = awaitRunning(provider, spec);
            double running = seconds(t0);
            assertThat(endpoint.host()).isEqualTo("127.0.0.1");
            String marker = "written before stop " + UUID.randomUUID();
            LocalCluster.Result write = awaitSsh(
                    ssh,
                    provider,
                    spec,
                    user,
                    "printf '%s' '" + marker
                            + "' > \"$HOME/proof.txt\" && echo \"$LOGNAME\" && id -u && echo \"$HOME\"");
            double firstSsh = seconds(t0);
            // LOGNAME, not `id -un`: the image's own user "hangar" has uid 1000 too and comes first in
            // /etc/passwd, so getpwuid(1000) names it; sshd logged in the name that was asked for.
            assertThat(write.stdout().strip().split("\n")).containsExactly(user, "1000", "/storage/home/" + user);
            report("create -> Running %.1f s, -> first ssh command %.1f s (endpoint %s)", running, firstSsh, endpoint);

            // Stop = scale to 0: no pod, claim kept.
            long t1 = System.nanoTime();
            provider.apply(spec, PowerState.STOPPED, listener);
            await().atMost(POD_TIMEOUT)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> provider.observe(spec) instanceof Observation.Stopped);
            report("stop (scale 0 -> Stopped, pod gone) %.1f s", seconds(t1));
            assertThat(admin.pods()
                            .inNamespace(WORKSPACE_NAMESPACE)
                            .withName(names.pod())
                            .get())
                    .isNull();
            StatefulSet stopped = admin.apps()
                    .statefulSets()
                    .inNamespace(WORKSPACE_NAMESPACE)
                    .withName(names.statefulSet())
                    .get();
            assertThat(stopped.getSpec().getReplicas()).isZero();
            PersistentVolumeClaim claim = admin.persistentVolumeClaims()
                    .inNamespace(WORKSPACE_NAMESPACE)
                    .withName(names.homeClaim())
                    .get();
            assertThat(claim.getStatus().getPhase()).isEqualTo("Bound");

            // Start: the file written before the stop is read back from the volume.
            long t2 = System.nanoTime();
            provider.apply(spec, PowerState.RUNNING, listener);
            SshEndpoint again = awaitRunning(provider, spec);
            LocalCluster.Result read = awaitSsh(ssh, provider, spec, user, "cat \"$HOME/proof.txt\"");
            report("start (scale 1 -> Running -> ssh) %.1f s (endpoint %s)", seconds(t2), again);
            assertThat(read.stdout()).isEqualTo(marker);

            // Re-applying the running state changes nothing (same pod, same StatefulSet generation).
            String podUid = admin.pods()
                    .inNamespace(WORKSPACE_NAMESPACE)
                    .withName(names.pod())
                    .get()
                    .getMetadata()
                    .getUid();
            long generation = admin.apps()
                    .statefulSets()
                    .inNamespace(WORKSPACE_NAMESPACE)
                    .withName(names.statefulSet())
                    .get()
                    .getMetadata()
                    .getGeneration();
            assertThat(provider.apply(spec, PowerState.RUNNING, listener)).isInstanceOf(Observation.Running.class);
            assertThat(admin.pods()
                            .inNamespace(WORKSPACE_NAMESPACE)
                            .withName(names.pod())
                            .get()
                            .getMetadata()
                            .getUid())
                    .isEqualTo(podUid);
            assertThat(admin.apps()
                            .statefulSets()
                            .inNamespace(WORKSPACE_NAMESPACE)
                            .withName(names.statefulSet())
                            .get()
                            .getMetadata()
                            .getGeneration())
                    .isEqualTo(generation);

            // Delete: nothing labelled with the workspace id is left, volume claim included.
            long t3 = System.nanoTime();
            provider.delete(spec, listener);
            await().atMost(POD_TIMEOUT)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> provider.observe(spec) instanceof Observation.Absent
                            && labelled(spec.id()).isEmpty());
            report("delete -> nothing left %.1f s", seconds(t3));
            assertThat(labelled(spec.id())).isEmpty();
            assertThat(admin.persistentVolumeClaims()
                            .inNamespace(WORKSPACE_NAMESPACE)
                            .withName(names.homeClaim())
                            .get())
                    .isNull();
            assertThat(provider.portForwards().current(spec.id())).isEmpty();
        } finally {
            report("provider events: %s", events);
        }
    }

    private static SshEndpoint awaitRunning(KubernetesProvider provider, WorkspaceSpec spec) {
        AtomicReference<Observation> last = new AtomicReference<>();
        try {
            await().atMost(POD_TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
                Observation o = provider.observe(spec);
                last.set(o);
                if (o instanceof Observation.Failed f) {
                    fail("workspace failed: " + f.reason());
                }
                return o instanceof Observation.Running;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            fail("workspace not Running after " + POD_TIMEOUT + "; last observation " + last.get() + "\n"
                    + cluster.kubectl("-n", WORKSPACE_NAMESPACE, "describe", "pods")
                            .output());
        }
        return ((Observation.Running) last.get()).ssh();
    }

    /**
     * Runs a command over real ssh once sshd answers through the current endpoint. The pod is Ready
     * when its TCP probe connects, which can precede sshd's first accepted session by a moment.
     */
    private static LocalCluster.Result awaitSsh(
            RealSsh ssh, KubernetesProvider provider, WorkspaceSpec spec, String user, String command) {
        AtomicReference<LocalCluster.Result> result = new AtomicReference<>();
        try {
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        Observation o = provider.observe(spec);
                        if (!(o instanceof Observation.Running running)) return false;
                        LocalCluster.Result r = ssh.exec(running.ssh(), user, command);
                        result.set(r);
                        return r.exitCode() != 255;
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            fail("ssh never succeeded; last attempt: "
                    + (result.get() == null ? "none" : result.get().output()));
        }
        assertThat(result.get().exitCode()).as(result.get().output()).isZero();
        return result.get();
    }

    /** Every object of the kinds the provider creates that carries the workspace id label. */
    private static List<HasMetadata> labelled(String id) {
        String key = WorkspaceManifests.LABEL_WORKSPACE_ID;
        List<HasMetadata> all = new ArrayList<>();
        all.addAll(admin.apps()
                .statefulSets()
                .inNamespace(WORKSPACE_NAMESPACE)
                .withLabel(key, id)
                .list()
                .getItems());
        all.addAll(admin.pods()
                .inNamespace(WORKSPACE_NAMESPACE)
                .withLabel(key, id)
                .list()
                .getItems());
        all.addAll(admin.services()
                .inNamespace(WORKSPACE_NAMESPACE)
                .withLabel(key, id)
                .list()
                .getItems());
        all.addAll(admin.secrets()
                .inNamespace(WORKSPACE_NAMESPACE)
                .withLabel(key, id)
                .list()
                .getItems());
        all.addAll(admin.persistentVolumeClaims()
                .inNamespace(WORKSPACE_NAMESPACE)
                .withLabel(key, id)
                .list()
                .getItems());
        all.addAll(admin.apps()
                .controllerRevisions()
                .inNamespace(WORKSPACE_NAMESPACE)
                .withLabel(key, id)
                .list()
                .getItems());
        return all;
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

    private static Config config(Path kubeconfig) throws IOException {
        return Config.fromKubeconfig(Files.readString(kubeconfig));
    }

    private static String deploy(String file) {
        return repo.resolve("deploy").resolve(file).toString();
    }

    private static void skipOrFail(Optional<String> reason) {
        if (reason.isEmpty()) return;
        if ("true".equals(System.getenv("HANGAR_K8S_IT_REQUIRED"))) {
            fail("HANGAR_K8S_IT_REQUIRED=true but " + reason.get());
        }
        assumeTrue(false, "real Kubernetes cluster unavailable: " + reason.get());
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("tools/k8s"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            fail("no tools/k8s above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void report(String format, Object... args) {
        System.out.println("[k8s-it] " + String.format(java.util.Locale.ROOT, format, args));
    }
}
