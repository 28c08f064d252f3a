package dev.hangar.testing.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.api.Json;
import dev.hangar.provider.kubernetes.WorkspaceManifests;
import dev.hangar.provider.kubevirt.KubevirtProviderFactory;
import dev.hangar.server.SshGatewayHook;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * KubeVirt VM workspaces (issue #12) through the whole control plane against the REAL API server of
 * {@link KubernetesWorkspaceIT} (reused: no second cluster), with KubeVirt's and CDI's CRDs
 * installed from the project's structural schemas ({@code crds/kubevirt-cdi.yaml}) and {@link
 * KubevirtStandIn} doing what virt-controller and CDI would (a STAND-IN: KubeVirt cannot run here),
 * including a virt-launcher pod whose "guest" is sshd of the workspace image ({@link
 * StandInLauncher}).
 *
 * <p>Real: the API server (validation, pruning against the schemas, server-side apply with field
 * manager {@code hangar}, status subresources, RBAC, the garbage collector), the provider with its
 * own sshd probe ({@link KubevirtProviderFactory}), the reconciler, the REST API, the ClusterIP
 * Service and kube-proxy, the SSH gateway and the OpenSSH client with the config {@code hangar
 * config-ssh} writes (strict host-key checking). The server talks to the cluster as the {@code
 * hangar-server} ServiceAccount bound to exactly {@code deploy/base/rbac.yaml}'s Role {@code
 * hangar-vms}. The provider runs with {@code service-routable=true}: the VMI {@code portforward}
 * subresource is virt-api's, which the API server only proxies to, so the documented other path is
 * used, with the Service's ClusterIP routed from the host through the node ({@link ServiceRoute}).
 *
 * <p>The story: the dry run's objects are what the API server stores (no field pruned, so none is
 * misspelled or misplaced); create shows the import's progress in the workspace's reason, then
 * Running once sshd at the Service answered with the pinned host key; the launcher carries the
 * labels the Service selects; ssh through the gateway writes a file in HOME; the reconciler's passes
 * change nothing while Running; stop removes the launcher pod and the VMI and keeps the DataVolume
 * and its claim; start runs a new VMI and the file is read back; restart runs a third; delete
 * removes the VM, VMI, launcher, DataVolume, claim, Secret and Service and leaves another VM and
 * Secret in the namespace untouched.
 */
final class KubevirtScenario {
    static final String CRDS = "hangar-provider-kubevirt/src/test/resources/crds/kubevirt-cdi.yaml";
    /** The test cluster's class of static local volumes (tools/k8s/up.sh): the launcher pod binds the claim. */
    static final String STORAGE_CLASS = "hangar-local";

    private static final String USER = "vm-user";
    private static final String WORKSPACE = "vm";
    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    private final KubernetesClient admin;
    private final String namespace;
    private final Path repo;
    private final String workspaceImage;
    private final String nodeIp;
    private final KubevirtCluster cluster;

    /**
     * @param workspaceImage the workspace image on the node, run by the stand-in's launcher pods
     * @param nodeIp the node's address on the host's veth, through which the Service's ClusterIP is routed
     */
    KubevirtScenario(KubernetesClient admin, String namespace, Path repo, String workspaceImage, String nodeIp) {
        this.admin = admin;
        this.namespace = namespace;
        this.repo = repo;
        this.workspaceImage = workspaceImage;
        this.nodeIp = nodeIp;
        this.cluster = new KubevirtCluster(admin, namespace);
    }

    /**
     * Runs the story with a control plane whose kubevirt provider uses {@code serverKubeconfig}.
     *
     * @return the wall time in seconds
     */
    double run(Path home, Path serverKubeconfig) throws Exception {
        long t0 = System.nanoTime();
        KubevirtCluster.installCrds(admin, repo.resolve(CRDS));
        var bystanderVm = cluster.vms().resource(cluster.bystanderVm()).create();
        var bystanderSecret = admin.secrets()
                .inNamespace(namespace)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("bystander")
                        .endMetadata()
                        .addToStringData("k", "v")
                        .build())
                .create();
        Files.createDirectories(home.resolve("templates"));
        Files.writeString(home.resolve("templates/kubevirt-it.yaml"), TEMPLATE);
        // A catalog whose image pins its digest, so the DataVolume carries CDI's source.http.checksum
        // (the URL is never fetched: the stand-in imports nothing).
        Path catalog = Files.writeString(home.resolve("image-catalog.yaml"), CATALOG);
        ServiceRoute route = null;
        try (KubevirtStandIn standIn = new KubevirtStandIn(admin, namespace, workspaceImage, Duration.ofMillis(300));
                TestControlPlane cp = TestControlPlane.builder()
                        .home(home)
                        .addProviderFactory(new KubevirtProviderFactory())
                        .gateway(new SshGatewayHook())
                        .configure(c -> c.withProvider(
                                        "kubevirt",
                                        Map.of(
                                                "namespace",
                                                namespace,
                                                "kubeconfig",
                                                serverKubeconfig.toString(),
                                                "apply-mode",
                                                "server-side",
                                                "storage-class",
                                                STORAGE_CLASS,
                                                "image-catalog",
                                                catalog.toString(),
                                                // The VMI portforward subresource is virt-api's, which
                                                // a stand-in cannot serve: the documented other path,
                                                // the Service's ClusterIP (routed by ServiceRoute).
                                                "service-routable",
                                                "true"))
                                .withGateway(Map.of("listen-port", "0")))
                        .start()) {
            TestHttp http = cp.http();
            String token = cp.createUser(USER, false).token();
            Path clientKey = GatewaySsh.registeredKey(home.resolve("keys"), http, token);
            String body = Json.mapper()
                    .createObjectNode()
                    .put("name", WORKSPACE)
                    .put("template", "kubevirt-it")
                    .toString();

            // The dry run's objects, to compare with what the API server stores.
            HttpResponse<String> dry = http.post("/api/v1/workspaces?dryRun=All", token, body);
            assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
            JsonNode dryItems = Json.mapper().readTree(dry.body()).path("items");

            long tc = System.nanoTime();
            HttpResponse<String> created = http.post("/api/v1/workspaces", token, body);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String id = Json.mapper().readTree(created.body()).path("id").asText();
            JsonNode importing = awaitWorkspace(
                    http,
                    token,
                    "import progress",
                    w -> w.path("reason").asText().contains("ImportInProgress " + KubevirtStandIn.HELD_PROGRESS));
            assertThat(importing.path("phase").asText()).isEqualTo("Starting");
            String vmName = cluster.vms()
                    .withLabel(WorkspaceManifests.LABEL_WORKSPACE_ID, id)
                    .list()
                    .getItems()
                    .getFirst()
                    .getMetadata()
                    .getName();
            String dvName = vmName + "-root";
            KubevirtCluster.assertStoredAsBuilt(dryItems, id, "VirtualMachine", cluster.vm(vmName));
            KubevirtCluster.assertStoredAsBuilt(
                    dryItems,
                    id,
                    "DataVolume",
                    cluster.dataVolumes().withName(dvName).get());
            assertThat(KubevirtCluster.text(
                            cluster.dataVolumes().withName(dvName).get(), "spec", "source", "http", "checksum"))
                    .isEqualTo("sha256:" + PINNED_SHA256);
            // The Service exists (written before the DataVolume) and no VMI can be Ready while the import
            // is held, so the route is in place before anything dials the ClusterIP.
            Service service =
                    admin.services().inNamespace(namespace).withName(vmName).get();
            route = ServiceRoute.add(service.getSpec().getClusterIP(), nodeIp);
            standIn.releaseImports();
            JsonNode running = awaitWorkspace(
                    http, token, "Running", w -> w.path("phase").asText().equals("Running"));
            assertThat(running.path("reason").asText()).contains("pinned host key");
            report("create -> import progress seen -> Running (sshd probed at the ClusterIP) %.1f s", seconds(tc));

            GenericKubernetesResource vmi = cluster.vmi(vmName);
            assertThat(vmi.getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(r -> assertThat(r.getUid())
                            .isEqualTo(cluster.vm(vmName).getMetadata().getUid()));
            Pod launcher = standIn.launcherPods().getFirst();
            assertThat(launcher.getMetadata().getLabels())
                    .containsAllEntriesOf(service.getSpec().getSelector());
            assertThat(vmi.getMetadata().getLabels())
                    .containsAllEntriesOf(service.getSpec().getSelector());
            assertThat(service.getSpec().getPorts())
                    .singleElement()
                    .satisfies(p -> assertThat(p.getPort()).isEqualTo(22));
            PersistentVolumeClaim claim = admin.persistentVolumeClaims()
                    .inNamespace(namespace)
                    .withName(dvName)
                    .get();
            assertThat(claim.getSpec().getStorageClassName()).isEqualTo(STORAGE_CLASS);

            // ssh through the real gateway to the Service, strict host-key checking against the pinned key.
            Path sshConfig = GatewaySsh.config(
                    home.resolve("sshhome"),
                    cp,
                    USER,
                    WORKSPACE,
                    running.path("hostKey").asText(),
                    clientKey);
            String marker = "written before stop " + UUID.randomUUID();
            assertThat(ssh(sshConfig, "printf '%s' '" + marker + "' > \"$HOME/proof.txt\" && id -un && echo \"$HOME\""))
                    .containsExactly(USER, "/storage/home/" + USER);
            report("first ssh command via the gateway and the Service %.1f s", seconds(tc));

            // Running: the reconciler's server-side applies are no-ops (nothing is written).
            String vmVersion = cluster.vm(vmName).getMetadata().getResourceVersion();
            String dvVersion =
                    cluster.dataVolumes().withName(dvName).get().getMetadata().getResourceVersion();
            await().during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() ->
                            vmVersion.equals(cluster.vm(vmName).getMetadata().getResourceVersion())
                                    && dvVersion.equals(cluster.dataVolumes()
                                            .withName(dvName)
                                            .get()
                                            .getMetadata()
                                            .getResourceVersion()));

            // Stop: runStrategy Halted, the launcher pod and the VMI go, the disk and its claim stay.
            long ts = System.nanoTime();
            assertThat(http.post("/api/v1/workspaces/" + WORKSPACE + "/stop", token, "")
                            .statusCode())
                    .isEqualTo(202);
            awaitWorkspace(http, token, "Stopped", w -> w.path("phase").asText().equals("Stopped"));
            report("stop -> Stopped %.1f s", seconds(ts));
            assertThat(KubevirtCluster.text(cluster.vm(vmName), "spec", "runStrategy"))
                    .isEqualTo("Halted");
            assertThat(cluster.vmiOrNull(vmName)).isNull();
            assertThat(standIn.launcherPods()).as("launcher pods").isEmpty();
            assertThat(cluster.dataVolumes().withName(dvName).get()).isNotNull();
            assertThat(admin.persistentVolumeClaims()
                            .inNamespace(namespace)
                            .withName(dvName)
                            .get()
                            .getMetadata()
                            .getUid())
                    .isEqualTo(claim.getMetadata().getUid());

            // Start: a new VMI and launcher on the same disk; the file is read back. Restart: a third.
            long tr = System.nanoTime();
            assertThat(http.post("/api/v1/workspaces/" + WORKSPACE + "/start", token, "")
                            .statusCode())
                    .isEqualTo(202);
            awaitWorkspace(
                    http, token, "Running again", w -> w.path("phase").asText().equals("Running"));
            String second = cluster.vmi(vmName).getMetadata().getUid();
            assertThat(second).isNotEqualTo(vmi.getMetadata().getUid());
            assertThat(ssh(sshConfig, "cat \"$HOME/proof.txt\"")).containsExactly(marker);
            report("start -> Running -> file read back via the gateway %.1f s", seconds(tr));
            long tre = System.nanoTime();
            assertThat(http.post("/api/v1/workspaces/" + WORKSPACE + "/restart", token, "")
                            .statusCode())
                    .isEqualTo(202);
            awaitWorkspace(
                    http,
                    token,
                    "a third VMI",
                    w -> w.path("phase").asText().equals("Running") && !second.equals(cluster.vmiUid(vmName)));
            assertThat(standIn.vmisCreated()).isEqualTo(3);
            report("restart -> Running on a new VMI %.1f s", seconds(tre));
            assertThat(events(http, token))
                    .contains("kubevirt-created", "kubevirt-started", "kubevirt-stopped", "ssh-connection");

            // Delete: every object of the workspace goes (the garbage collector takes the VMI, its
            // launcher pod and Secret after the VM), nothing else.
            long td = System.nanoTime();
            assertThat(http.delete("/api/v1/workspaces/" + WORKSPACE, token).statusCode())
                    .isEqualTo(202);
            await().atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(500))
                    .alias("workspace row removed")
                    .until(() ->
                            http.get("/api/v1/workspaces/" + WORKSPACE, token).statusCode() == 404);
            await().atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(500))
                    .alias("VMI, launcher pod and its Secret removed by the garbage collector")
                    .until(() -> cluster.vmiOrNull(vmName) == null
                            && standIn.launcherPods().isEmpty()
                            && standIn.launcherSecrets().isEmpty());
            report("delete -> row gone, VMI and launcher collected %.1f s", seconds(td));
            assertLeftNothing(vmName, dvName, bystanderVm.getMetadata().getUid(), bystanderSecret);
            assertThat(standIn.lastError()).as("stand-in errors").isEmpty();
        } finally {
            if (route != null) route.close();
            cluster.vms().withName("bystander").delete();
            admin.secrets().inNamespace(namespace).withName("bystander").delete();
        }
        return seconds(t0);
    }

    /** The VM, DataVolume, claim, Secret and Service are gone; the bystander VM and Secret untouched. */
    private void assertLeftNothing(String vmName, String dvName, String bystanderVmUid, Secret bystanderSecret) {
        assertThat(cluster.vms().withName(vmName).get()).isNull();
        assertThat(cluster.dataVolumes().withName(dvName).get()).isNull();
        assertThat(admin.persistentVolumeClaims()
                        .inNamespace(namespace)
                        .withName(dvName)
                        .get())
                .isNull();
        assertThat(admin.secrets()
                        .inNamespace(namespace)
                        .withName(vmName + "-cloudinit")
                        .get())
                .isNull();
        assertThat(admin.services().inNamespace(namespace).withName(vmName).get())
                .isNull();
        assertThat(cluster.vms().withName("bystander").get().getMetadata().getUid())
                .isEqualTo(bystanderVmUid);
        assertThat(admin.secrets()
                        .inNamespace(namespace)
                        .withName("bystander")
                        .get()
                        .getMetadata()
                        .getResourceVersion())
                .isEqualTo(bystanderSecret.getMetadata().getResourceVersion());
    }

    /** {@link GatewaySsh#awaitSsh} on this scenario's workspace. */
    private static List<String> ssh(Path sshConfig, String command) {
        return GatewaySsh.awaitSsh(sshConfig, WORKSPACE + ".hangar", command, "the gateway");
    }

    private JsonNode awaitWorkspace(TestHttp http, String token, String what, Predicate<JsonNode> done) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        Set<String> reasons = new LinkedHashSet<>();
        try {
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
                JsonNode w = TestHttp.json(http.get("/api/v1/workspaces/" + WORKSPACE, token));
                last.set(w);
                reasons.add(w.path("phase").asText() + ": " + w.path("reason").asText());
                if (w.path("phase").asText().equals("Failed")) {
                    throw new AssertionError("workspace failed: " + w + "\n" + cluster.describe());
                }
                return done.test(w);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    "workspace never " + what + "; seen " + reasons + "\nlast " + last.get() + "\n"
                            + cluster.describe(),
                    e);
        }
        return last.get();
    }

    private static List<String> events(TestHttp http, String token) {
        List<String> types = new ArrayList<>();
        for (JsonNode e : TestHttp.json(http.get("/api/v1/workspaces/" + WORKSPACE + "/events?limit=1000", token))) {
            types.add(e.path("type").asText());
        }
        return types;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void report(String format, Object... args) {
        System.out.println("[k8s-it] kubevirt: " + String.format(Locale.ROOT, format, args));
    }

    static final String PINNED_SHA256 = "5e".repeat(32);

    private static final String CATALOG = """
            images:
              - name: debian-12
                description: Debian 12 (the stand-in imports nothing from here)
                url: http://127.0.0.1:9/debian-12-genericcloud-amd64.qcow2
                format: qcow2
                sha256: %s
            """.formatted(PINNED_SHA256);

    private static final String TEMPLATE = """
            name: kubevirt-it
            description: KubeVirt VM on the test cluster (CRDs, stand-in controllers, a launcher pod running sshd)
            provider: kubevirt
            image: debian-12
            defaults: {cpus: 1, memoryMiB: 1024, diskGiB: 1}
            limits:
              cpus: {min: 1, max: 2}
              memoryMiB: {min: 1024, max: 2048}
              diskGiB: {min: 1, max: 2}
            settings: {eviction-strategy: None, node-selector.kubernetes.io/os: linux, tolerations: "dedicated=vm:NoSchedule"}
            """;
}
