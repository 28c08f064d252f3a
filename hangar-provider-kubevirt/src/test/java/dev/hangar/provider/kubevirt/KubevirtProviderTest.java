package dev.hangar.provider.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.kubernetes.MockCluster;
import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.vm.ImageCatalog;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The provider against fabric8's mock server in CRUD mode, which stands in for a Kubernetes API
 * server with KubeVirt's and CDI's CRDs installed ({@link KubevirtCrds}): it stores and serves
 * objects and answers API discovery, but runs no controllers. So no VMI, launcher pod or imported
 * claim appears by itself: where a test needs what virt-controller or CDI would write (a status, a
 * VMI, CDI's claim), it writes it and says so.
 */
class KubevirtProviderTest {
    private static final String NS = VmSpecs.NS;

    private MockCluster cluster;
    private KubevirtProvider provider;
    private final List<SshEndpoint> probed = new CopyOnWriteArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    /** The phases of the timings reported, in order. */
    private final List<String> timings = new CopyOnWriteArrayList<>();

    private final ProviderListener listener = new ProviderListener() {
        @Override
        public void event(String type, String message) {
            events.add(type + ": " + message);
        }

        @Override
        public void phaseTiming(String phase, Duration duration) {
            timings.add(phase);
        }
    };

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        KubevirtCrds.install(cluster.client);
        provider = provider(Map.of());
    }

    @AfterEach
    void stop() {
        provider.close();
        cluster.close();
    }

    private KubevirtProvider provider(Map<String, String> extra) {
        KubevirtProvider.SshCheck check = (spec, endpoint) -> {
            probed.add(endpoint);
            return new Observation.Running(endpoint, "fake probe: pinned key");
        };
        return new KubevirtProvider(
                cluster.client,
                VmSpecs.settings(extra),
                ImageCatalog.shipped(),
                check,
                Clock.systemUTC(),
                false,
                VmSpecs.CONSOLE_DIR);
    }

    @Test
    void createWritesTheVmAndItsDependentsOwnedByIt() {
        WorkspaceSpec spec = VmSpecs.spec("alice", "fw-dev", "debian-12", Map.of(), CloudInitConfig.EMPTY);

        Observation o = provider.apply(spec, PowerState.RUNNING, listener);

        assertThat(names())
                .containsExactlyInAnyOrder(
                        "VirtualMachine/ws-alice-fw-dev",
                        "DataVolume/ws-alice-fw-dev-root",
                        "Secret/ws-alice-fw-dev-cloudinit",
                        "Service/ws-alice-fw-dev");
        GenericKubernetesResource vm = vm("ws-alice-fw-dev");
        assertThat(ObservedVm.text(vm, "spec", "runStrategy")).contains("Always");
        String uid = vm.getMetadata().getUid();
        assertThat(uid).isNotBlank();
        for (HasMetadata dependent : List.of(
                dv("ws-alice-fw-dev-root"),
                cluster.client
                        .secrets()
                        .inNamespace(NS)
                        .withName("ws-alice-fw-dev-cloudinit")
                        .get(),
                cluster.client
                        .services()
                        .inNamespace(NS)
                        .withName("ws-alice-fw-dev")
                        .get())) {
            assertThat(dependent.getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(ref -> {
                        assertThat(ref.getUid()).isEqualTo(uid);
                        assertThat(ref.getKind()).isEqualTo("VirtualMachine");
                        assertThat(ref.getApiVersion()).isEqualTo("kubevirt.io/v1");
                    });
            assertThat(dependent.getMetadata().getLabels())
                    .containsEntry("hangar.dev/workspace-id", spec.id())
                    .containsEntry("app.kubernetes.io/managed-by", "hangar");
        }
        // No CDI runs in the mock: the DataVolume has no phase yet.
        assertThat(o)
                .isEqualTo(new Observation.Starting(
                        "waiting for CDI to start the root disk DataVolume " + "ws-alice-fw-dev-root"));
        assertThat(events)
                .containsExactly(
                        "kubevirt-created: created VirtualMachine hangar-vms/ws-alice-fw-dev",
                        "kubevirt-started: set runStrategy of VirtualMachine hangar-vms/ws-alice-fw-dev to Always");
    }

    @Test
    void aDependentOfAnotherWorkspaceFailsTheApplyAndTheOtherDependentsAreStillWritten() {
        WorkspaceSpec spec = VmSpecs.spec("alice", "fw-dev", "debian-12", Map.of(), CloudInitConfig.EMPTY);
        cluster.client
                .services()
                .inNamespace(NS)
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("ws-alice-fw-dev")
                        .withLabels(Map.of("hangar.dev/workspace-id", "an-earlier-workspace"))
                        .endMetadata()
                        .build())
                .create();

        // The three dependents are written at once: the Service's refusal must not stop the others.
        assertThatThrownBy(() -> provider.apply(spec, PowerState.STOPPED, listener))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("Service " + NS + "/ws-alice-fw-dev belongs to workspace an-earlier-workspace");

        assertThat(names())
                .containsExactlyInAnyOrder(
                        "VirtualMachine/ws-alice-fw-dev",
                        "DataVolume/ws-alice-fw-dev-root",
                        "Secret/ws-alice-fw-dev-cloudinit",
                        "Service/ws-alice-fw-dev");
        assertThat(cluster.client
                        .services()
                        .inNamespace(NS)
                        .withName("ws-alice-fw-dev")
                        .get()
                        .getMetadata()
                        .getLabels())
                .containsEntry("hangar.dev/workspace-id", "an-earlier-workspace");
    }

    @Test
    void aThreeKibUserDataIsOnlyInTheSecret() throws Exception {
        String marker = "x".repeat(3 * 1024);
        WorkspaceSpec spec = VmSpecs.spec(
                "alice",
                "big-ud",
                "debian-12",
                Map.of(),
                new CloudInitConfig(
                        List.of(), List.of(), "", "write_files:\n- path: /etc/big\n  content: " + marker + "\n"));
        provider.apply(spec, PowerState.RUNNING, listener);

        Secret secret = cluster.client
                .secrets()
                .inNamespace(NS)
                .withName("ws-alice-big-ud-cloudinit")
                .get();
        String userData =
                new String(Base64.getDecoder().decode(secret.getData().get("userdata")), StandardCharsets.UTF_8);
        assertThat(userData).contains(marker);
        assertThat(userData.length()).isGreaterThan(3 * 1024);
        String vmJson = cluster.client.getKubernetesSerialization().asJson(vm("ws-alice-big-ud"));
        assertThat(vmJson).doesNotContain(marker).doesNotContain("userData\"").contains("secretRef");
        // No other stored object of the workspace carries it.
        for (HasMetadata other : List.of(
                dv("ws-alice-big-ud-root"),
                cluster.client
                        .services()
                        .inNamespace(NS)
                        .withName("ws-alice-big-ud")
                        .get())) {
            assertThat(cluster.client.getKubernetesSerialization().asJson(other))
                    .doesNotContain(marker)
                    .doesNotContain(secret.getData().get("userdata"));
        }
    }

    @Test
    void reapplyingChangesNothing() throws Exception {
        WorkspaceSpec spec = VmSpecs.spec();
        provider.apply(spec, PowerState.RUNNING, listener);
        Map<String, String> versions = resourceVersions();
        cluster.takeRequests();
        events.clear();

        provider.apply(spec, PowerState.RUNNING, listener);

        assertThat(cluster.takeRequests())
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r).startsWith("GET "));
        assertThat(resourceVersions()).isEqualTo(versions);
        assertThat(events).isEmpty();
    }

    @Test
    void stopHaltsTheVmAndKeepsTheDiskStartRunsItAgain() {
        WorkspaceSpec spec = VmSpecs.spec();
        provider.apply(spec, PowerState.RUNNING, listener);
        List<String> created = names();
        String dvUid = dv(names(spec).rootDisk()).getMetadata().getUid();

        Observation stopped = provider.apply(spec, PowerState.STOPPED, listener);

        assertThat(ObservedVm.text(vm(names(spec).virtualMachine()), "spec", "runStrategy"))
                .contains("Halted");
        assertThat(stopped).isInstanceOf(Observation.Stopped.class);
        assertThat(names()).isEqualTo(created);
        assertThat(dv(names(spec).rootDisk()).getMetadata().getUid()).isEqualTo(dvUid);

        provider.apply(spec, PowerState.RUNNING, listener);
        assertThat(ObservedVm.text(vm(names(spec).virtualMachine()), "spec", "runStrategy"))
                .contains("Always");
        assertThat(dv(names(spec).rootDisk()).getMetadata().getUid()).isEqualTo(dvUid);
    }

    @Test
    void runningNeedsTheVmiReadyAndSshdToAnswerAtTheServiceWhenRoutable() {
        provider.close();
        provider = provider(Map.of("service-routable", "true"));
        WorkspaceSpec spec = VmSpecs.spec();
        KubevirtNames n = names(spec);
        provider.apply(spec, PowerState.RUNNING, listener);
        // What CDI, virt-controller and the service controller would write:
        VirtControllers.setStatus(
                cluster, KubevirtApi.DATA_VOLUME, n.rootDisk(), Map.of("phase", "Succeeded", "progress", "100.0%"));
        VirtControllers.setStatus(
                cluster, KubevirtApi.VIRTUAL_MACHINE, n.virtualMachine(), Map.of("printableStatus", "Running"));
        createVmi(n.virtualMachine(), "False");
        cluster.client.services().inNamespace(NS).withName(n.service()).edit(s -> {
            s.getSpec().setClusterIP("10.96.0.42");
            return s;
        });

        assertThat(provider.observe(spec)).isInstanceOf(Observation.Starting.class);
        assertThat(probed).isEmpty();

        createVmi(n.virtualMachine(), "True");
        Observation running = provider.observe(spec);

        assertThat(running)
                .isEqualTo(new Observation.Running(new SshEndpoint("10.96.0.42", 22), "fake probe: pinned key"));
        assertThat(probed).containsExactly(new SshEndpoint("10.96.0.42", 22));
    }

    @Test
    void withoutARoutableServiceSshdIsProbedThroughALoopbackPortForward() {
        WorkspaceSpec spec = VmSpecs.spec();
        KubevirtNames n = names(spec);
        provider.apply(spec, PowerState.RUNNING, listener);
        VirtControllers.setStatus(cluster, KubevirtApi.DATA_VOLUME, n.rootDisk(), Map.of("phase", "Succeeded"));
        VirtControllers.setStatus(
                cluster, KubevirtApi.VIRTUAL_MACHINE, n.virtualMachine(), Map.of("printableStatus", "Running"));
        createVmi(n.virtualMachine(), "False");

        assertThat(provider.observe(spec)).isInstanceOf(Observation.Starting.class);
        assertThat(probed).isEmpty();
        assertThat(provider.portForward(spec)).isEmpty();

        createVmi(n.virtualMachine(), "True");
        Observation running = provider.observe(spec);

        // VmiPortForwardTest carries bytes through it; here: the probe and Running use the forward.
        SshEndpoint forward = provider.portForward(spec).orElseThrow();
        assertThat(forward.host()).isEqualTo("127.0.0.1");
        assertThat(running).isEqualTo(new Observation.Running(forward, "fake probe: pinned key"));
        assertThat(probed).containsExactly(forward);
    }

    @Test
    void importProgressShowsInTheObservation() {
        WorkspaceSpec spec = VmSpecs.spec();
        provider.apply(spec, PowerState.RUNNING, listener);
        VirtControllers.setStatus(
                cluster,
                KubevirtApi.DATA_VOLUME,
                names(spec).rootDisk(),
                Map.of("phase", "ImportInProgress", "progress", "45.20%"));

        assertThat(provider.observe(spec))
                .isEqualTo(
                        new Observation.Starting("root disk " + names(spec).rootDisk() + ": ImportInProgress 45.20%"));
    }

    @Test
    void aFailedImportIsFailedWithCdisReasonAndDeleteLeavesNothing() {
        WorkspaceSpec spec = VmSpecs.spec();
        KubevirtNames n = names(spec);
        provider.apply(spec, PowerState.RUNNING, listener);
        VirtControllers.setStatus(
                cluster,
                KubevirtApi.DATA_VOLUME,
                n.rootDisk(),
                Map.of(
                        "phase",
                        "ImportInProgress",
                        "restartCount",
                        3,
                        "conditions",
                        List.of(Map.of(
                                "type", "Running",
                                "status", "False",
                                "reason", "Error",
                                "message",
                                        "Unable to connect to http data source: expected status code 200, got"
                                                + " 404. Status: 404 Not Found"))));

        Observation o = provider.observe(spec);

        assertThat(o).isInstanceOf(Observation.Failed.class);
        assertThat(o.detail()).contains("keeps failing", "got 404", n.rootDisk());
        deleteUntilAbsent(spec);
        assertThat(names()).isEmpty();
    }

    @Test
    void deleteRemovesTheWorkspacesObjectsAndCdisClaimAndNothingElse() {
        WorkspaceSpec spec = VmSpecs.spec();
        WorkspaceSpec other = VmSpecs.spec();
        provider.apply(spec, PowerState.RUNNING, listener);
        provider.apply(other, PowerState.RUNNING, listener);
        GenericKubernetesResource dv = dv(names(spec).rootDisk());
        // The claim CDI creates for the DataVolume: same name, owned by it, CDI's labels only.
        cluster.client
                .persistentVolumeClaims()
                .inNamespace(NS)
                .resource(new PersistentVolumeClaimBuilder()
                        .withNewMetadata()
                        .withName(names(spec).rootDisk())
                        .withNamespace(NS)
                        .addToLabels("app", "containerized-data-importer")
                        .addNewOwnerReference()
                        .withApiVersion("cdi.kubevirt.io/v1beta1")
                        .withKind("DataVolume")
                        .withName(dv.getMetadata().getName())
                        .withUid(dv.getMetadata().getUid())
                        .endOwnerReference()
                        .endMetadata()
                        .withNewSpec()
                        .withNewResources()
                        .addToRequests("storage", new Quantity("16Gi"))
                        .endResources()
                        .endSpec()
                        .build())
                .create();
        cluster.client
                .configMaps()
                .inNamespace(NS)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("unrelated")
                        .endMetadata()
                        .build())
                .create();
        List<String> othersObjects =
                names().stream().filter(s -> s.contains(names(other).base())).toList();

        // By name first (VM, Secret, DataVolume); the mock has no garbage collector, so the next call
        // finds the Service and CDI's claim by name and removes them.
        assertThat(provider.delete(spec, listener)).isInstanceOf(Observation.Stopping.class);
        assertThat(timings).as("no delete timing while objects are still found").doesNotContain("delete");
        deleteUntilAbsent(spec);
        assertThat(timings)
                .as("one delete timing per deletion, not one per call")
                .containsOnlyOnce("delete");
        assertThat(names()).containsExactlyInAnyOrderElementsOf(othersObjects);
        assertThat(cluster.client
                        .configMaps()
                        .inNamespace(NS)
                        .withName("unrelated")
                        .get())
                .isNotNull();
        assertThat(events)
                .contains("kubevirt-deleted: deleted PersistentVolumeClaim hangar-vms/"
                        + names(spec).rootDisk());
        assertThat(provider.observe(spec)).isEqualTo(new Observation.Absent());
        assertThat(provider.delete(spec, listener)).isEqualTo(new Observation.Absent());
    }

    @Test
    void aClusterWithoutKubevirtAndCdiFailsNamingWhatToInstall() {
        try (MockCluster bare = new MockCluster();
                KubevirtProvider p = new KubevirtProvider(
                        bare.client,
                        VmSpecs.settings(Map.of()),
                        ImageCatalog.shipped(),
                        (s, e) -> new Observation.Starting(""),
                        Clock.systemUTC(),
                        false,
                        VmSpecs.CONSOLE_DIR)) {
            WorkspaceSpec spec = VmSpecs.spec();
            assertThatThrownBy(() -> p.apply(spec, PowerState.RUNNING, listener))
                    .isInstanceOf(ProviderException.class)
                    .satisfies(
                            e -> assertThat(((ProviderException) e).permanent()).isTrue())
                    .hasMessageContaining("kubevirt.io/v1 (VirtualMachine): install KubeVirt")
                    .hasMessageContaining(
                            "cdi.kubevirt.io/v1beta1 (DataVolume): install the Containerized Data" + " Importer, CDI");
            assertThatThrownBy(() -> p.observe(spec)).hasMessageContaining("install KubeVirt");
            assertThat(bare.client.secrets().inNamespace(NS).list().getItems()).isEmpty();
        }
    }

    @Test
    void badInputFailsBeforeAnythingIsWritten() {
        WorkspaceSpec unknownImage = VmSpecs.spec("alice", "bad-image", "windows-11", Map.of(), CloudInitConfig.EMPTY);
        assertThatThrownBy(() -> provider.apply(unknownImage, PowerState.RUNNING, listener))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("image 'windows-11'");

        assertThatThrownBy(() ->
                        provider.apply(VmSpecs.spec(Map.of("source-pvc", "golden/nope")), PowerState.RUNNING, listener))
                .hasMessageContaining("golden PersistentVolumeClaim golden/nope");
        assertThatThrownBy(() -> provider.apply(
                        VmSpecs.spec(Map.of("source-data-source", "os-images/nope")), PowerState.RUNNING, listener))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("DataSource os-images/nope")
                .satisfies(e -> assertThat(((ProviderException) e).permanent()).isTrue());

        provider.close();
        provider = provider(Map.of("storage-class", "no-such-class"));
        assertThatThrownBy(() -> provider.apply(VmSpecs.spec(), PowerState.RUNNING, listener))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("StorageClass 'no-such-class'")
                .satisfies(e -> assertThat(((ProviderException) e).permanent()).isTrue());
        assertThat(names()).isEmpty();

        cluster.client
                .storage()
                .v1()
                .storageClasses()
                .resource(new StorageClassBuilder()
                        .withNewMetadata()
                        .withName("no-such-class")
                        .endMetadata()
                        .withProvisioner("example.invalid/test")
                        .build())
                .create();
        provider.apply(VmSpecs.spec(), PowerState.RUNNING, listener);
        assertThat(names()).hasSize(4);
    }

    @Test
    void anUnschedulableVmIsFailedWithTheSchedulersReason() {
        WorkspaceSpec spec = VmSpecs.spec();
        KubevirtNames n = names(spec);
        provider.apply(spec, PowerState.RUNNING, listener);
        VirtControllers.setStatus(cluster, KubevirtApi.DATA_VOLUME, n.rootDisk(), Map.of("phase", "Succeeded"));
        VirtControllers.setStatus(
                cluster,
                KubevirtApi.VIRTUAL_MACHINE,
                n.virtualMachine(),
                Map.of("printableStatus", "ErrorUnschedulable"));
        // virt-controller's VMI whose launcher pod the scheduler rejected:
        GenericKubernetesResource vmi = VirtControllers.vmi(
                n.virtualMachine(),
                "",
                Map.of(
                        "phase",
                        "Scheduling",
                        "conditions",
                        List.of(Map.of(
                                "type", "PodScheduled",
                                "status", "False",
                                "reason", "Unschedulable",
                                "message", "0/3 nodes are available: 3 Insufficient memory."))));
        cluster.client
                .genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE_INSTANCE)
                .inNamespace(NS)
                .resource(vmi)
                .create();

        Observation o = provider.observe(spec);

        assertThat(o).isInstanceOf(Observation.Failed.class);
        assertThat(o.detail())
                .contains("cannot be scheduled", "Unschedulable: 0/3 nodes are available: 3 Insufficient memory.");
        deleteUntilAbsent(spec);
        assertThat(names()).isEmpty();
    }

    private void createVmi(String name, String ready) {
        cluster.client
                .genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE_INSTANCE)
                .inNamespace(NS)
                .resource(VirtControllers.vmi(name, "", VirtControllers.runningStatus(ready)))
                .createOr(existing -> existing.update());
    }

    private static KubevirtNames names(WorkspaceSpec spec) {
        return KubevirtNames.of(spec.owner(), spec.name());
    }

    private GenericKubernetesResource vm(String name) {
        return cluster.client
                .genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE)
                .inNamespace(NS)
                .withName(name)
                .get();
    }

    private GenericKubernetesResource dv(String name) {
        return cluster.client
                .genericKubernetesResources(KubevirtApi.DATA_VOLUME)
                .inNamespace(NS)
                .withName(name)
                .get();
    }

    /** @return "Kind/name" of every object in the namespace that a workspace could own */
    private List<String> names() {
        List<HasMetadata> all = new ArrayList<>();
        all.addAll(cluster.client
                .genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE)
                .inNamespace(NS)
                .list()
                .getItems());
        all.addAll(cluster.client
                .genericKubernetesResources(KubevirtApi.DATA_VOLUME)
                .inNamespace(NS)
                .list()
                .getItems());
        all.addAll(cluster.client.secrets().inNamespace(NS).list().getItems());
        all.addAll(cluster.client.services().inNamespace(NS).list().getItems());
        all.addAll(
                cluster.client.persistentVolumeClaims().inNamespace(NS).list().getItems());
        return all.stream()
                .map(o -> o.getKind() + "/" + o.getMetadata().getName())
                .sorted()
                .toList();
    }

    private Map<String, String> resourceVersions() {
        Map<String, String> versions = new java.util.TreeMap<>();
        for (String kindName : names()) {
            String[] kn = kindName.split("/");
            HasMetadata o = switch (kn[0]) {
                case "VirtualMachine" -> vm(kn[1]);
                case "DataVolume" -> dv(kn[1]);
                case "Secret" ->
                    cluster.client.secrets().inNamespace(NS).withName(kn[1]).get();
                case "Service" ->
                    cluster.client.services().inNamespace(NS).withName(kn[1]).get();
                default -> throw new IllegalStateException(kindName);
            };
            versions.put(kindName, o.getMetadata().getResourceVersion());
        }
        return versions;
    }

    /** Calls delete until it answers Absent (at most 3 calls: by name, the rest by name, nothing left). */
    private void deleteUntilAbsent(WorkspaceSpec spec) {
        for (int call = 0; call < 3; call++) {
            if (provider.delete(spec, listener) instanceof Observation.Absent) return;
        }
        throw new AssertionError("workspace " + spec.name() + " not deleted after 3 delete calls");
    }
}
