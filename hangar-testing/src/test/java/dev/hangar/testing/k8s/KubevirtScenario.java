package dev.hangar.testing.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.api.Json;
import dev.hangar.provider.kubernetes.WorkspaceManifests;
import dev.hangar.provider.kubevirt.KubevirtApi;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.InputStream;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * KubeVirt VM workspaces (issue #12) through the whole control plane against the REAL API server of
 * {@link KubernetesWorkspaceIT} (reused: no second cluster), with KubeVirt's and CDI's CRDs
 * installed from the project's structural schemas ({@code crds/kubevirt-cdi.yaml}) and {@link
 * KubevirtStandIn} doing what virt-controller and CDI would (a STAND-IN: KubeVirt cannot run here).
 *
 * <p>Real: the API server (validation, pruning against the schemas, server-side apply with field
 * manager {@code hangar}, status subresources, RBAC, the garbage collector), the provider, the
 * reconciler, the REST API. The server talks to the cluster as the {@code hangar-server}
 * ServiceAccount bound to exactly {@code deploy/base/rbac.yaml}'s Role {@code hangar-vms}. Stand-ins:
 * the controllers, and the sshd probe ({@link StandInProbeKubevirtFactory}: no guest runs, and the VMI
 * {@code portforward} subresource is served by virt-api, not the API server), which answers Running
 * once the VMI is Ready.
 *
 * <p>The story: the dry run's objects are what the API server stores (no field pruned, so none is
 * misspelled or misplaced); create shows the import's progress in the workspace's reason, then
 * Running with a VMI carrying the labels the Service selects; the reconciler's passes change nothing
 * while Running; stop removes the VMI and keeps the DataVolume and its claim; start and restart each
 * run a new VMI; delete removes the VM, VMI, DataVolume, claim, Secret and Service and leaves another
 * VM and Secret in the namespace untouched.
 */
final class KubevirtScenario {
    static final String CRDS = "hangar-provider-kubevirt/src/test/resources/crds/kubevirt-cdi.yaml";
    static final String STORAGE_CLASS = "hangar-stand-in";
    private static final String USER = "vm-user";
    private static final String WORKSPACE = "vm";
    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    private final KubernetesClient admin;
    private final String namespace;
    private final Path repo;

    KubevirtScenario(KubernetesClient admin, String namespace, Path repo) {
        this.admin = admin;
        this.namespace = namespace;
        this.repo = repo;
    }

    /** Installs the CRDs (server-side apply, idempotent) and waits until the API server serves them. */
    static void installCrds(KubernetesClient admin, Path crds) throws Exception {
        try (InputStream in = Files.newInputStream(crds)) {
            for (HasMetadata crd : admin.load(in).items()) {
                admin.resource(crd).fieldManager("hangar-it").forceConflicts().serverSideApply();
            }
        }
        for (String name : List.of(
                "virtualmachines.kubevirt.io",
                "virtualmachineinstances.kubevirt.io",
                "datavolumes.cdi.kubevirt.io",
                "datasources.cdi.kubevirt.io")) {
            admin.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(name)
                    .waitUntilCondition(KubevirtScenario::established, 1, TimeUnit.MINUTES);
        }
    }

    private static boolean established(CustomResourceDefinition crd) {
        return crd != null
                && crd.getStatus() != null
                // a CRD just created has a status without conditions until the API server names it
                && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /**
     * Runs the story with a control plane whose kubevirt provider uses {@code serverKubeconfig}.
     *
     * @return the wall time in seconds
     */
    double run(Path home, Path serverKubeconfig) throws Exception {
        long t0 = System.nanoTime();
        installCrds(admin, repo.resolve(CRDS));
        // A class nothing provisions: the stand-in's claims stay Pending and bind none of the node's volumes.
        admin.storage()
                .v1()
                .storageClasses()
                .resource(new StorageClassBuilder()
                        .withNewMetadata()
                        .withName(STORAGE_CLASS)
                        .endMetadata()
                        .withProvisioner("kubernetes.io/no-provisioner")
                        .withVolumeBindingMode("WaitForFirstConsumer")
                        .build())
                .serverSideApply();
        var bystanderVm = vms().resource(bystanderVm()).create();
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
        try (KubevirtStandIn standIn = new KubevirtStandIn(admin, namespace, Duration.ofMillis(300));
                TestControlPlane cp = TestControlPlane.builder()
                        .home(home)
                        .addProviderFactory(new StandInProbeKubevirtFactory())
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
                                        "service-routable",
                                        "false")))
                        .start()) {
            TestHttp http = cp.http();
            String token = cp.createUser(USER, false).token();
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
            String vmName = vms().withLabel(WorkspaceManifests.LABEL_WORKSPACE_ID, id)
                    .list()
                    .getItems()
                    .getFirst()
                    .getMetadata()
                    .getName();
            String dvName = vmName + "-root";
            assertStoredAsBuilt(dryItems, id, "VirtualMachine", vm(vmName));
            assertStoredAsBuilt(
                    dryItems, id, "DataVolume", dataVolumes().withName(dvName).get());
            assertThat(text(dataVolumes().withName(dvName).get(), "spec", "source", "http", "checksum"))
                    .isEqualTo("sha256:" + PINNED_SHA256);
            standIn.releaseImports();
            awaitWorkspace(http, token, "Running", w -> w.path("phase").asText().equals("Running"));
            report("create -> import progress seen -> Running %.1f s", seconds(tc));

            GenericKubernetesResource vmi = vmi(vmName);
            assertThat(vmi.getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(r -> assertThat(r.getUid())
                            .isEqualTo(vm(vmName).getMetadata().getUid()));
            Service service =
                    admin.services().inNamespace(namespace).withName(vmName).get();
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

            // Running: the reconciler's server-side applies are no-ops (nothing is written).
            String vmVersion = vm(vmName).getMetadata().getResourceVersion();
            String dvVersion =
                    dataVolumes().withName(dvName).get().getMetadata().getResourceVersion();
            await().during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> vmVersion.equals(vm(vmName).getMetadata().getResourceVersion())
                            && dvVersion.equals(dataVolumes()
                                    .withName(dvName)
                                    .get()
                                    .getMetadata()
                                    .getResourceVersion()));

            // Stop: runStrategy Halted, the VMI goes, the disk and its claim stay.
            long ts = System.nanoTime();
            assertThat(http.post("/api/v1/workspaces/" + WORKSPACE + "/stop", token, "")
                            .statusCode())
                    .isEqualTo(202);
            awaitWorkspace(http, token, "Stopped", w -> w.path("phase").asText().equals("Stopped"));
            report("stop -> Stopped %.1f s", seconds(ts));
            assertThat(text(vm(vmName), "spec", "runStrategy")).isEqualTo("Halted");
            assertThat(vmiOrNull(vmName)).isNull();
            assertThat(dataVolumes().withName(dvName).get()).isNotNull();
            assertThat(admin.persistentVolumeClaims()
                            .inNamespace(namespace)
                            .withName(dvName)
                            .get()
                            .getMetadata()
                            .getUid())
                    .isEqualTo(claim.getMetadata().getUid());

            // Start, then restart: each runs a new VMI on the same disk.
            long tr = System.nanoTime();
            assertThat(http.post("/api/v1/workspaces/" + WORKSPACE + "/start", token, "")
                            .statusCode())
                    .isEqualTo(202);
            awaitWorkspace(
                    http, token, "Running again", w -> w.path("phase").asText().equals("Running"));
            String second = vmi(vmName).getMetadata().getUid();
            assertThat(second).isNotEqualTo(vmi.getMetadata().getUid());
            assertThat(http.post("/api/v1/workspaces/" + WORKSPACE + "/restart", token, "")
                            .statusCode())
                    .isEqualTo(202);
            awaitWorkspace(
                    http,
                    token,
                    "a third VMI",
                    w -> w.path("phase").asText().equals("Running") && !second.equals(vmiUid(vmName)));
            assertThat(standIn.vmisCreated()).isEqualTo(3);
            report("start -> Running, restart -> Running on a new VMI %.1f s", seconds(tr));
            assertThat(events(http, token)).contains("kubevirt-created", "kubevirt-started", "kubevirt-stopped");

            // Delete: every object of the workspace goes, nothing else.
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
                    .alias("VMI removed by the garbage collector")
                    .until(() -> vmiOrNull(vmName) == null);
            report("delete -> row gone, VMI collected %.1f s", seconds(td));
            assertThat(vms().withName(vmName).get()).isNull();
            assertThat(dataVolumes().withName(dvName).get()).isNull();
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
            assertThat(vms().withName("bystander").get().getMetadata().getUid())
                    .isEqualTo(bystanderVm.getMetadata().getUid());
            assertThat(admin.secrets()
                            .inNamespace(namespace)
                            .withName("bystander")
                            .get()
                            .getMetadata()
                            .getResourceVersion())
                    .isEqualTo(bystanderSecret.getMetadata().getResourceVersion());
            assertThat(standIn.lastError()).as("stand-in errors").isEmpty();
        } finally {
            vms().withName("bystander").delete();
            admin.secrets().inNamespace(namespace).withName("bystander").delete();
            admin.storage().v1().storageClasses().withName(STORAGE_CLASS).delete();
        }
        return seconds(t0);
    }

    /**
     * The stored object's {@code spec} equals the dry run's (its workspace id replaced by the real
     * one): the API server pruned nothing, so every field the provider writes is in KubeVirt's and
     * CDI's schema, at its place.
     */
    private static void assertStoredAsBuilt(JsonNode dryItems, String id, String kind, GenericKubernetesResource stored)
            throws Exception {
        JsonNode built = null;
        for (JsonNode item : dryItems) if (item.path("kind").asText().equals(kind)) built = item;
        assertThat(built).as("dry run lists a " + kind).isNotNull();
        String dryId = built.path("metadata")
                .path("labels")
                .path(WorkspaceManifests.LABEL_WORKSPACE_ID)
                .asText();
        JsonNode expected = Json.mapper().readTree(built.path("spec").toString().replace(dryId, id));
        JsonNode actual =
                Json.mapper().valueToTree(stored.getAdditionalProperties().get("spec"));
        if (kind.equals("VirtualMachine")) {
            // The dry run shows a running workspace; the first apply writes it Halted until its disk exists.
            ((ObjectNode) expected)
                    .put("runStrategy", actual.path("runStrategy").asText());
        }
        assertThat(actual).as(kind + " spec as stored vs as built").isEqualTo(expected);
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
                    throw new AssertionError("workspace failed: " + w + "\n" + describe());
                }
                return done.test(w);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    "workspace never " + what + "; seen " + reasons + "\nlast " + last.get() + "\n" + describe(), e);
        }
        return last.get();
    }

    private String describe() {
        List<String> lines = new ArrayList<>();
        for (ResourceDefinitionContext kind :
                List.of(KubevirtApi.VIRTUAL_MACHINE, KubevirtApi.VIRTUAL_MACHINE_INSTANCE, KubevirtApi.DATA_VOLUME)) {
            for (GenericKubernetesResource o : admin.genericKubernetesResources(kind)
                    .inNamespace(namespace)
                    .list()
                    .getItems()) {
                lines.add(o.getKind() + "/" + o.getMetadata().getName() + " spec.runStrategy="
                        + text(o, "spec", "runStrategy") + " status="
                        + o.getAdditionalProperties().get("status"));
            }
        }
        return String.join("\n", lines);
    }

    private static List<String> events(TestHttp http, String token) {
        List<String> types = new ArrayList<>();
        for (JsonNode e : TestHttp.json(http.get("/api/v1/workspaces/" + WORKSPACE + "/events", token))) {
            types.add(e.path("type").asText());
        }
        return types;
    }

    private GenericKubernetesResource bystanderVm() {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(KubevirtApi.KUBEVIRT_V1)
                .withKind("VirtualMachine")
                .withNewMetadata()
                .withName("bystander")
                .withNamespace(namespace)
                .endMetadata()
                .withAdditionalProperties(Map.of(
                        "spec",
                        Map.of(
                                "runStrategy",
                                "Halted",
                                "template",
                                Map.of("spec", Map.of("domain", Map.of("devices", Map.of()))))))
                .build();
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
                    GenericKubernetesResource,
                    io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
                    io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>>
            vms() {
        return admin.genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE).inNamespace(namespace);
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
                    GenericKubernetesResource,
                    io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
                    io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>>
            dataVolumes() {
        return admin.genericKubernetesResources(KubevirtApi.DATA_VOLUME).inNamespace(namespace);
    }

    private GenericKubernetesResource vm(String name) {
        return vms().withName(name).get();
    }

    private GenericKubernetesResource vmiOrNull(String name) {
        return admin.genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE_INSTANCE)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    private GenericKubernetesResource vmi(String name) {
        GenericKubernetesResource vmi = vmiOrNull(name);
        assertThat(vmi).as("VMI " + name).isNotNull();
        return vmi;
    }

    private String vmiUid(String name) {
        GenericKubernetesResource vmi = vmiOrNull(name);
        return vmi == null ? "" : vmi.getMetadata().getUid();
    }

    @SuppressWarnings("unchecked")
    private static String text(GenericKubernetesResource o, String... path) {
        Object node = o.getAdditionalProperties();
        for (String p : path) node = node instanceof Map<?, ?> m ? ((Map<String, Object>) m).get(p) : null;
        return node == null ? "" : node.toString();
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
            description: KubeVirt VM on the test cluster (CRDs and a stand-in controller; no guest runs)
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
