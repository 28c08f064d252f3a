package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The provider against fabric8's mock server in CRUD mode, which stands in for a Kubernetes API
 * server here: it stores and serves objects but runs no controllers, so tests create the pod (and
 * its status) that a StatefulSet controller and kubelet would, and say so where they do.
 */
class KubernetesProviderTest {
    private static final String NS = "hangar-test";

    private MockCluster cluster;
    private KubernetesProvider provider;
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
        provider = provider(Map.of());
    }

    @AfterEach
    void stop() {
        provider.close();
        cluster.close();
    }

    private KubernetesProvider provider(Map<String, String> extra) {
        return new KubernetesProvider(cluster.client, Specs.settings(extra), Clock.systemUTC(), false);
    }

    @Test
    void createProducesExactlyTheWorkspaceObjectsOwnedByTheStatefulSet() {
        WorkspaceSpec spec = Specs.spec("alice", "fw-dev", Map.of());

        Observation o = provider.apply(spec, PowerState.RUNNING, listener);

        assertThat(namesInNamespace())
                .containsExactlyInAnyOrder(
                        "StatefulSet/ws-alice-fw-dev",
                        "Service/ws-alice-fw-dev",
                        "Secret/ws-alice-fw-dev-ssh",
                        "Secret/ws-alice-fw-dev-secrets",
                        "PersistentVolumeClaim/ws-alice-fw-dev-home");
        StatefulSet sts = statefulSet("ws-alice-fw-dev");
        assertThat(sts.getSpec().getReplicas()).isEqualTo(1);
        assertThat(sts.getMetadata().getUid()).isNotBlank();
        for (HasMetadata dependent : List.<HasMetadata>of(
                cluster.client
                        .services()
                        .inNamespace(NS)
                        .withName("ws-alice-fw-dev")
                        .get(),
                cluster.client
                        .secrets()
                        .inNamespace(NS)
                        .withName("ws-alice-fw-dev-ssh")
                        .get(),
                cluster.client
                        .secrets()
                        .inNamespace(NS)
                        .withName("ws-alice-fw-dev-secrets")
                        .get(),
                cluster.client
                        .persistentVolumeClaims()
                        .inNamespace(NS)
                        .withName("ws-alice-fw-dev-home")
                        .get())) {
            assertThat(dependent.getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(ref ->
                            assertThat(ref.getUid()).isEqualTo(sts.getMetadata().getUid()));
            assertThat(dependent.getMetadata().getLabels()).containsEntry("hangar.dev/workspace-id", spec.id());
        }
        // No controller runs in the mock, so no pod appears: the workspace is starting.
        assertThat(o).isInstanceOf(Observation.Starting.class);
        assertThat(o.detail()).contains("waiting for pod ws-alice-fw-dev-0");
        assertThat(events)
                .contains("kubernetes-created: created StatefulSet hangar-test/ws-alice-fw-dev")
                .contains("kubernetes-started: scaled StatefulSet hangar-test/ws-alice-fw-dev to 1");
    }

    @Test
    void stopScalesToZeroAndStartBackToOneKeepingEveryObject() {
        WorkspaceSpec spec = Specs.spec(Map.of());
        provider.apply(spec, PowerState.RUNNING, listener);
        List<String> created = namesInNamespace();
        String claimUid = claimUid(spec);

        Observation stopped = provider.apply(spec, PowerState.STOPPED, listener);
        assertThat(stopped).isInstanceOf(Observation.Stopped.class);
        assertThat(stopped.detail()).contains("scaled to 0");
        assertThat(statefulSet(base(spec)).getSpec().getReplicas()).isZero();
        assertThat(namesInNamespace()).containsExactlyInAnyOrderElementsOf(created);
        assertThat(provider.observe(spec)).isInstanceOf(Observation.Stopped.class);

        Observation started = provider.apply(spec, PowerState.RUNNING, listener);
        assertThat(started).isInstanceOf(Observation.Starting.class);
        assertThat(statefulSet(base(spec)).getSpec().getReplicas()).isEqualTo(1);
        assertThat(namesInNamespace()).containsExactlyInAnyOrderElementsOf(created);
        assertThat(claimUid(spec))
                .as("the home volume claim survives stop/start")
                .isEqualTo(claimUid);
    }

    @Test
    void anExistingClaimKeepsItsStorageClassAndOnlyGrows() {
        WorkspaceSpec spec = Specs.spec(Map.of("storage-class", "standard"));
        provider.apply(spec, PowerState.STOPPED, listener);
        // The template later names another class and a bigger disk: the class of an existing volume
        // cannot change (the API server would answer 422), its size can grow.
        WorkspaceSpec changed = new WorkspaceSpec(
                spec.id(),
                spec.name(),
                spec.owner(),
                spec.template(),
                new dev.hangar.provider.spi.Resources(2, 4096, 32),
                spec.image(),
                spec.sshUser(),
                spec.authorizedKeys(),
                spec.hostKey(),
                spec.hostCertificate(),
                spec.cloudInit(),
                Map.of("storage-class", "fast-ssd"));

        provider.apply(changed, PowerState.STOPPED, listener);

        var claim = cluster.client
                .persistentVolumeClaims()
                .inNamespace(NS)
                .withName(base(spec) + "-home")
                .get();
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("standard");
        assertThat(claim.getSpec().getResources().getRequests().get("storage").toString())
                .isEqualTo("32Gi");

        // Smaller again: a volume never shrinks.
        provider.apply(spec, PowerState.STOPPED, listener);
        assertThat(cluster.client
                        .persistentVolumeClaims()
                        .inNamespace(NS)
                        .withName(base(spec) + "-home")
                        .get()
                        .getSpec()
                        .getResources()
                        .getRequests()
                        .get("storage")
                        .toString())
                .isEqualTo("32Gi");
    }

    @Test
    void cloudInitAdditionsAreReportedOnceAsIgnored() {
        provider.apply(Specs.spec(Map.of()), PowerState.STOPPED, listener);
        assertThat(events).noneMatch(e -> e.startsWith("cloud-init-ignored"));

        WorkspaceSpec plain = Specs.spec(Map.of());
        WorkspaceSpec withCloudInit = new WorkspaceSpec(
                plain.id(),
                plain.name(),
                plain.owner(),
                plain.template(),
                plain.resources(),
                plain.image(),
                plain.sshUser(),
                plain.authorizedKeys(),
                plain.hostKey(),
                plain.hostCertificate(),
                new dev.hangar.provider.spi.CloudInitConfig(List.of("stlink-tools"), List.of(), ""),
                plain.settings());
        provider.apply(withCloudInit, PowerState.STOPPED, listener);
        provider.apply(withCloudInit, PowerState.STOPPED, listener);

        assertThat(events.stream()
                        .filter(e -> e.startsWith("cloud-init-ignored: Pod workspaces do not run cloud-init")))
                .as("once, at creation, not on every pass")
                .hasSize(1);
    }

    @Test
    void createStoppedNeverAsksForAPod() {
        WorkspaceSpec spec = Specs.spec(Map.of());
        Observation o = provider.apply(spec, PowerState.STOPPED, listener);
        assertThat(o).isInstanceOf(Observation.Stopped.class);
        assertThat(statefulSet(base(spec)).getSpec().getReplicas()).isZero();
        assertThat(events).noneMatch(e -> e.startsWith("kubernetes-started"));
    }

    @Test
    void reapplyingChangesNothing() throws InterruptedException {
        WorkspaceSpec spec = Specs.spec(Map.of());
        provider.apply(spec, PowerState.RUNNING, listener);
        Map<String, String> versions = resourceVersions();
        cluster.takeRequests();

        provider.apply(spec, PowerState.RUNNING, listener);
        provider.apply(spec, PowerState.RUNNING, listener);

        List<String> requests = cluster.takeRequests();
        assertThat(requests).isNotEmpty().allMatch(r -> r.startsWith("GET "), "only reads");
        assertThat(resourceVersions()).isEqualTo(versions);
    }

    @Test
    void deleteRemovesEverythingIncludingTheClaimAndIsIdempotent() {
        WorkspaceSpec spec = Specs.spec(Map.of());
        WorkspaceSpec other = Specs.spec(Map.of());
        provider.apply(spec, PowerState.RUNNING, listener);
        provider.apply(other, PowerState.RUNNING, listener);
        // What the StatefulSet controller would create (the mock runs no controllers).
        cluster.client.pods().inNamespace(NS).resource(pod(spec)).create();

        // First call: StatefulSet, Secrets and claim by name; the pod and Service are left to the garbage
        // collector, which the mock lacks, so the next call's sweep by label finds and removes them; the
        // third finds nothing.
        assertThat(provider.delete(spec, listener))
                .isInstanceOfSatisfying(
                        Observation.Stopping.class,
                        s -> assertThat(s.detail())
                                .contains(
                                        "StatefulSet hangar-test/" + base(spec), "PersistentVolumeClaim hangar-test/"));
        assertThat(namesInNamespace().stream().filter(n -> !n.contains(base(other))))
                .containsExactlyInAnyOrder("Pod/" + base(spec) + "-0", "Service/" + base(spec));
        assertThat(provider.delete(spec, listener)).isInstanceOf(Observation.Stopping.class);
        assertThat(timings).as("no delete timing while objects are still found").doesNotContain("delete");
        assertThat(provider.delete(spec, listener)).isInstanceOf(Observation.Absent.class);
        assertThat(timings)
                .as("one delete timing per deletion (three calls), not one per call")
                .containsOnlyOnce("delete");

        assertThat(namesInNamespace()).allMatch(n -> n.contains(base(other)), "only the other workspace is left");
        assertThat(namesInNamespace()).hasSize(5);
        assertThat(provider.observe(spec)).isInstanceOf(Observation.Absent.class);
        assertThat(provider.delete(spec, listener)).isInstanceOf(Observation.Absent.class);

        assertThat(provider.delete(other, listener)).isInstanceOf(Observation.Stopping.class);
        assertThat(provider.delete(other, listener)).isInstanceOf(Observation.Stopping.class);
        assertThat(provider.delete(other, listener)).isInstanceOf(Observation.Absent.class);
        assertThat(namesInNamespace()).isEmpty();
    }

    @Test
    void imagePullBackOffSurfacesItsReason() {
        WorkspaceSpec spec = Specs.spec(Map.of());
        provider.apply(spec, PowerState.RUNNING, listener);
        // The status a kubelet reports when it cannot pull the image; nothing schedules in the mock.
        Pod pod = new PodBuilder(pod(spec))
                .withNewStatus()
                .withPhase("Pending")
                .addNewContainerStatus()
                .withName("workspace")
                .withImage(spec.image())
                .withReady(false)
                .withNewState()
                .withNewWaiting()
                .withReason("ImagePullBackOff")
                .withMessage("Back-off pulling image \"" + spec.image() + "\"")
                .endWaiting()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build();
        createWithStatus(pod);

        Observation o = provider.observe(spec);

        assertThat(o).isInstanceOf(Observation.Failed.class);
        assertThat(o.detail()).startsWith("ImagePullBackOff").contains("Back-off pulling image");
    }

    @Test
    void aPodStuckOnAnOldRevisionIsReplacedWhenTheTemplateChanged() {
        WorkspaceSpec spec = Specs.spec(Map.of());
        provider.apply(spec, PowerState.RUNNING, listener);
        // What the StatefulSet controller and kubelet would have produced: pod of revision "rev-1"
        // stuck pulling a bad image, and a controller that has since seen a new template ("rev-2").
        createWithStatus(new PodBuilder(pod(spec))
                .editMetadata()
                .addToLabels("controller-revision-hash", "rev-1")
                .endMetadata()
                .withNewStatus()
                .withPhase("Pending")
                .addNewContainerStatus()
                .withName("workspace")
                .withNewState()
                .withNewWaiting()
                .withReason("ImagePullBackOff")
                .endWaiting()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build());
        StatefulSet sts = statefulSet(base(spec));
        sts.setStatus(new io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder()
                .withReplicas(1)
                .withCurrentRevision("rev-1")
                .withUpdateRevision("rev-2")
                .build());
        cluster.client.apps().statefulSets().inNamespace(NS).resource(sts).updateStatus();

        provider.apply(spec, PowerState.RUNNING, listener);

        await().atMost(Duration.ofSeconds(5))
                .until(() -> cluster.client
                                .pods()
                                .inNamespace(NS)
                                .withName(base(spec) + "-0")
                                .get()
                        == null);
        assertThat(events).anyMatch(e -> e.startsWith("kubernetes-pod-replaced: deleted pod"));
    }

    @Test
    void aReadyPodIsNeverReplaced() {
        WorkspaceSpec spec = Specs.spec(Map.of());
        provider.apply(spec, PowerState.RUNNING, listener);
        createWithStatus(new PodBuilder(readyPod(spec))
                .editMetadata()
                .addToLabels("controller-revision-hash", "rev-1")
                .endMetadata()
                .build());
        StatefulSet sts = statefulSet(base(spec));
        sts.setStatus(new io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder()
                .withReplicas(1)
                .withUpdateRevision("rev-2")
                .build());
        cluster.client.apps().statefulSets().inNamespace(NS).resource(sts).updateStatus();

        provider.apply(spec, PowerState.RUNNING, listener);

        assertThat(cluster.client
                        .pods()
                        .inNamespace(NS)
                        .withName(base(spec) + "-0")
                        .get())
                .isNotNull();
        assertThat(events).noneMatch(e -> e.startsWith("kubernetes-pod-replaced"));
    }

    @Test
    void unschedulablePodSurfacesTheSchedulerMessage() {
        WorkspaceSpec spec = Specs.spec(Map.of("node-selector.kuul-type", "ssh"));
        provider.apply(spec, PowerState.RUNNING, listener);
        createWithStatus(new PodBuilder(pod(spec))
                .withNewStatus()
                .withPhase("Pending")
                .addNewCondition()
                .withType("PodScheduled")
                .withStatus("False")
                .withReason("Unschedulable")
                .withMessage("0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.")
                .endCondition()
                .endStatus()
                .build());

        Observation o = provider.observe(spec);

        assertThat(o).isInstanceOf(Observation.Failed.class);
        assertThat(o.detail()).startsWith("Unschedulable: 0/1 nodes are available");
    }

    @Test
    void readyPodIsRunningAtTheServiceAddressWhenRoutable() {
        KubernetesProvider routable = provider(Map.of("service-routable", "true"));
        WorkspaceSpec spec = Specs.spec(Map.of());
        routable.apply(spec, PowerState.RUNNING, listener);
        createWithStatus(readyPod(spec));
        assertThat(routable.observe(spec))
                .isInstanceOf(Observation.Starting.class)
                .extracting(Observation::detail)
                .asString()
                .contains("no ClusterIP");
        // The API server allocates a ClusterIP on create; the mock does not, so the test sets one.
        cluster.client.services().inNamespace(NS).withName(base(spec)).edit(s -> {
            s.getSpec().setClusterIP("10.96.7.6");
            return s;
        });

        Observation o = routable.observe(spec);

        assertThat(o)
                .isInstanceOfSatisfying(
                        Observation.Running.class,
                        r -> assertThat(r.ssh()).isEqualTo(new SshEndpoint("10.96.7.6", 22)));
        assertThat(routable.portForwards().current(spec.id())).isEmpty();
    }

    @Test
    void readyPodIsRunningThroughALoopbackPortForwardClosedOnStop() throws IOException {
        WorkspaceSpec spec = Specs.spec(Map.of());
        provider.apply(spec, PowerState.RUNNING, listener);
        createWithStatus(readyPod(spec));

        Observation o = provider.observe(spec);

        SshEndpoint ssh = ((Observation.Running) o).ssh();
        assertThat(ssh.host()).isEqualTo("127.0.0.1");
        // The forward listens on loopback (each accepted connection becomes a WebSocket stream to the
        // pod, which the mock cannot serve; the listener itself is real).
        try (Socket socket = new Socket(ssh.host(), ssh.port())) {
            assertThat(socket.isConnected()).isTrue();
        }
        assertThat(((Observation.Running) provider.observe(spec)).ssh())
                .as("kept open while running")
                .isEqualTo(ssh);

        provider.apply(spec, PowerState.STOPPED, listener);

        assertThat(provider.portForwards().current(spec.id())).isEmpty();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThatThrownBy(() -> new Socket(ssh.host(), ssh.port()).close())
                        .isInstanceOf(ConnectException.class));
    }

    @Test
    void replacedPodGetsANewPortForward() {
        WorkspaceSpec spec = Specs.spec(Map.of());
        provider.apply(spec, PowerState.RUNNING, listener);
        createWithStatus(readyPod(spec));
        SshEndpoint first = ((Observation.Running) provider.observe(spec)).ssh();

        // What happens when the pod is re-created (node drained, pod evicted): a new uid.
        cluster.client.pods().inNamespace(NS).withName(base(spec) + "-0").delete();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> cluster.client
                                .pods()
                                .inNamespace(NS)
                                .withName(base(spec) + "-0")
                                .get()
                        == null);
        createWithStatus(readyPod(spec));
        SshEndpoint second = ((Observation.Running) provider.observe(spec)).ssh();

        assertThat(second.port()).isNotEqualTo(first.port());
        assertThat(provider.portForwards().current(spec.id())).contains(second);
    }

    @Test
    void privilegedIsRefusedUnlessAllowedAndNothingIsCreated() {
        WorkspaceSpec spec = Specs.spec(Map.of("privileged", "true"));

        assertThatThrownBy(() -> provider.apply(spec, PowerState.RUNNING, listener))
                .isInstanceOfSatisfying(
                        ProviderException.class, e -> assertThat(e.permanent()).isTrue())
                .hasMessageContaining("allow-privileged=true");
        assertThat(namesInNamespace()).isEmpty();

        KubernetesProvider allowing = provider(Map.of("allow-privileged", "true"));
        allowing.apply(spec, PowerState.RUNNING, listener);
        assertThat(statefulSet(base(spec))
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .getFirst()
                        .getSecurityContext()
                        .getPrivileged())
                .isTrue();
    }

    @Test
    void anObjectOfAnotherWorkspaceWithTheSameNameIsNotTakenOver() {
        WorkspaceSpec old = Specs.spec("dave", "box", Map.of());
        provider.apply(old, PowerState.RUNNING, listener);
        WorkspaceSpec recreated = Specs.spec("dave", "box", Map.of());

        assertThatThrownBy(() -> provider.apply(recreated, PowerState.RUNNING, listener))
                .isInstanceOfSatisfying(
                        ProviderException.class, e -> assertThat(e.permanent()).isFalse())
                .hasMessageContaining("belongs to workspace " + old.id());
    }

    @Test
    void aMissingStatefulSetWithItsClaimLeftIsStoppedAndApplyRecreatesIt() {
        WorkspaceSpec spec = Specs.spec(Map.of());
        provider.apply(spec, PowerState.RUNNING, listener);
        // Someone deleted the StatefulSet by hand; the mock has no garbage collector, so the rest stays,
        // as it would for a delete with --cascade=orphan.
        cluster.client
                .apps()
                .statefulSets()
                .inNamespace(NS)
                .withName(base(spec))
                .delete();
        await().atMost(Duration.ofSeconds(5)).until(() -> statefulSet(base(spec)) == null);

        assertThat(provider.observe(spec)).isInstanceOf(Observation.Stopped.class);

        provider.apply(spec, PowerState.RUNNING, listener);
        StatefulSet recreated = statefulSet(base(spec));
        assertThat(cluster.client
                        .persistentVolumeClaims()
                        .inNamespace(NS)
                        .withName(base(spec) + "-home")
                        .get()
                        .getMetadata()
                        .getOwnerReferences())
                .singleElement()
                .satisfies(ref -> assertThat(ref.getUid())
                        .isEqualTo(recreated.getMetadata().getUid()));
    }

    private void createWithStatus(Pod pod) {
        WorkspacePods.create(cluster, pod);
    }

    private Pod readyPod(WorkspaceSpec spec) {
        return WorkspacePods.ready(pod(spec));
    }

    /** The pod the StatefulSet controller would create from the template. */
    private Pod pod(WorkspaceSpec spec) {
        return WorkspacePods.fromTemplate(cluster, NS, spec);
    }

    private static String base(WorkspaceSpec spec) {
        return WorkspaceNames.of(spec.owner(), spec.name()).base();
    }

    private StatefulSet statefulSet(String name) {
        return cluster.client
                .apps()
                .statefulSets()
                .inNamespace(NS)
                .withName(name)
                .get();
    }

    private String claimUid(WorkspaceSpec spec) {
        return cluster.client
                .persistentVolumeClaims()
                .inNamespace(NS)
                .withName(base(spec) + "-home")
                .get()
                .getMetadata()
                .getUid();
    }

    /** @return Kind/name of every object in the namespace of the kinds a workspace may own */
    private List<String> namesInNamespace() {
        List<HasMetadata> all = new ArrayList<>();
        all.addAll(cluster.client.apps().statefulSets().inNamespace(NS).list().getItems());
        all.addAll(cluster.client.apps().deployments().inNamespace(NS).list().getItems());
        all.addAll(cluster.client.pods().inNamespace(NS).list().getItems());
        all.addAll(cluster.client.services().inNamespace(NS).list().getItems());
        all.addAll(cluster.client.secrets().inNamespace(NS).list().getItems());
        all.addAll(cluster.client.configMaps().inNamespace(NS).list().getItems());
        all.addAll(
                cluster.client.persistentVolumeClaims().inNamespace(NS).list().getItems());
        return all.stream()
                .map(o -> o.getKind() + "/" + o.getMetadata().getName())
                .toList();
    }

    private Map<String, String> resourceVersions() {
        Map<String, String> versions = new java.util.TreeMap<>();
        for (HasMetadata o : List.<HasMetadata>of()) versions.put(o.getKind(), "");
        cluster.client.apps().statefulSets().inNamespace(NS).list().getItems().forEach(o -> put(versions, o));
        cluster.client.services().inNamespace(NS).list().getItems().forEach(o -> put(versions, o));
        cluster.client.secrets().inNamespace(NS).list().getItems().forEach(o -> put(versions, o));
        cluster.client
                .persistentVolumeClaims()
                .inNamespace(NS)
                .list()
                .getItems()
                .forEach(o -> put(versions, o));
        return versions;
    }

    private static void put(Map<String, String> versions, HasMetadata o) {
        versions.put(
                o.getKind() + "/" + o.getMetadata().getName(), o.getMetadata().getResourceVersion());
    }

    @Test
    void theUserSecretsSecretIsWrittenOnStartAndLeftAloneByAStop() {
        WorkspaceSpec plain = Specs.spec("alice", "fw-sec", Map.of());
        String value = "k8s-provider-secret-value";
        WorkspaceSpec withSecrets = plain.withSecrets(List.of(new dev.hangar.provider.spi.SecretFile(
                "github-token", value.getBytes(java.nio.charset.StandardCharsets.UTF_8))));

        provider.apply(withSecrets, PowerState.RUNNING, listener);
        io.fabric8.kubernetes.api.model.Secret s = cluster.client
                .secrets()
                .inNamespace(NS)
                .withName("ws-alice-fw-sec-secrets")
                .get();
        assertThat(s.getData())
                .containsExactly(Map.entry(
                        "github-token",
                        java.util.Base64.getEncoder()
                                .encodeToString(value.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        assertThat(s.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(r -> assertThat(r.getKind()).isEqualTo("StatefulSet"));

        // a stop's spec carries no secrets: the Secret keeps what the start wrote
        provider.apply(plain, PowerState.STOPPED, listener);
        assertThat(cluster.client
                        .secrets()
                        .inNamespace(NS)
                        .withName("ws-alice-fw-sec-secrets")
                        .get()
                        .getData())
                .containsOnlyKeys("github-token");

        // the next start writes the current ones (here: none left)
        provider.apply(plain, PowerState.RUNNING, listener);
        assertThat(cluster.client
                        .secrets()
                        .inNamespace(NS)
                        .withName("ws-alice-fw-sec-secrets")
                        .get()
                        .getData())
                .isNullOrEmpty();
    }
}
