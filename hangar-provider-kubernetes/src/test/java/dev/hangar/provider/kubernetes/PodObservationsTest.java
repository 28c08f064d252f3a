package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The mapping from cluster state to observations, on objects shaped like what the API server
 * returns (statuses written by the kubelet, scheduler and volume controller). No cluster involved.
 */
class PodObservationsTest {
    private static final SshEndpoint ENDPOINT = new SshEndpoint("127.0.0.1", 40222);
    private static final Supplier<Optional<SshEndpoint>> AT = () -> Optional.of(ENDPOINT);

    private final WorkspaceSpec spec = Specs.spec("erin", "lab", Map.of());
    private final WorkspaceNames names = WorkspaceNames.of("erin", "lab");
    private final WorkspaceObjects objects =
            new WorkspaceManifests(Specs.settings(Map.of())).build(spec, PowerState.RUNNING);
    private final StatefulSet running = objects.statefulSet();
    private final StatefulSet stopped = objects.withReplicas(0).statefulSet();

    @Test
    void nothingIsAbsentAndAClaimAloneIsStopped() {
        assertThat(map(null, null, null)).isInstanceOf(Observation.Absent.class);
        assertThat(map(null, null, claim("Bound"))).isInstanceOf(Observation.Stopped.class);
    }

    @Test
    void scaledToZeroIsStoppingWhileThePodExistsThenStopped() {
        assertThat(map(stopped, pod("Running"), claim("Bound"))).isInstanceOf(Observation.Stopping.class);
        assertThat(map(stopped, null, claim("Bound")))
                .isInstanceOf(Observation.Stopped.class)
                .extracting(Observation::detail)
                .asString()
                .contains("scaled to 0");
    }

    @Test
    void aDeletedPodWhoseContainersEndedIsStoppedWhileTheKubeletRemovesIt() {
        ContainerState runs =
                new ContainerStateBuilder().withNewRunning().endRunning().build();
        ContainerState creating = new ContainerStateBuilder()
                .withNewWaiting()
                .withReason("ContainerCreating")
                .endWaiting()
                .build();
        // Exited on SIGTERM, as kubectl describe shows a Terminating pod.
        Pod exited = deleted(status("workspace", terminated("Completed", 0), null));
        assertThat(map(stopped, exited, claim("Bound")))
                .isInstanceOf(Observation.Stopped.class)
                .extracting(Observation::detail)
                .asString()
                .contains("have ended and the kubelet is removing it");
        // What CI's kubelet 1.20 wrote for a container it could no longer find (round 15's failure).
        Pod lost = deleted(status("workspace", creating, terminated("ContainerStatusUnknown", 137)));
        assertThat(map(stopped, lost, claim("Bound"))).isInstanceOf(Observation.Stopped.class);
        // No status yet, still running, never started (the kubelet may be creating it), an init
        // container running, or not deleted yet: Stopping.
        Pod initRunning = new PodBuilder(exited)
                .editStatus()
                .addToInitContainerStatuses(status("init", runs, null))
                .endStatus()
                .build();
        Pod notDeleted = new PodBuilder(exited)
                .editMetadata()
                .withDeletionTimestamp(null)
                .endMetadata()
                .build();
        for (Pod p : List.of(
                deleted(),
                deleted(status("workspace", runs, null)),
                deleted(status("workspace", creating, null)),
                initRunning,
                notDeleted))
            assertThat(map(stopped, p, claim("Bound")))
                    .as("%s", p.getStatus())
                    .isInstanceOf(Observation.Stopping.class);
        // A start while the old pod goes: Stopping until the StatefulSet controller replaces it.
        assertThat(map(running, exited, claim("Bound"))).isInstanceOf(Observation.Stopping.class);
    }

    /** @return a Running pod with {@code metadata.deletionTimestamp} set and these container statuses */
    private Pod deleted(ContainerStatus... statuses) {
        return new PodBuilder(pod("Running"))
                .editMetadata()
                .withDeletionTimestamp("2026-12-06T07:26:06Z")
                .endMetadata()
                .editStatus()
                .withContainerStatuses(statuses)
                .endStatus()
                .build();
    }

    private static ContainerStatus status(String name, ContainerState state, ContainerState last) {
        return new ContainerStatusBuilder()
                .withName(name)
                .withState(state)
                .withLastState(last)
                .build();
    }

    private static ContainerState terminated(String reason, int exitCode) {
        return new ContainerStateBuilder()
                .withNewTerminated()
                .withReason(reason)
                .withExitCode(exitCode)
                .endTerminated()
                .build();
    }

    @Test
    void readyConditionMeansRunningAtTheSuppliedEndpoint() {
        Pod ready = new PodBuilder(pod("Running"))
                .editStatus()
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .endCondition()
                .endStatus()
                .editOrNewSpec()
                .withNodeName("node-1")
                .endSpec()
                .build();
        Observation o = map(running, ready, claim("Bound"));
        assertThat(o).isEqualTo(new Observation.Running(ENDPOINT, "pod ws-erin-lab-0 ready on node node-1"));
    }

    @Test
    void runningButNotReadyIsStarting() {
        Pod notReady = new PodBuilder(pod("Running"))
                .editStatus()
                .addNewCondition()
                .withType("Ready")
                .withStatus("False")
                .endCondition()
                .addNewContainerStatus()
                .withName("workspace")
                .withNewState()
                .withNewRunning()
                .endRunning()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build();
        Observation o = map(running, notReady, claim("Bound"));
        assertThat(o).isInstanceOf(Observation.Starting.class);
        assertThat(o.detail()).contains("sshd not ready yet");
    }

    @Test
    void failingContainerReasonsAreFailedWithTheKubeletMessage() {
        for (String reason : List.of("ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff")) {
            Observation o = map(running, waiting(reason, "detail of " + reason), claim("Bound"));
            assertThat(o).isInstanceOf(Observation.Failed.class);
            assertThat(o.detail()).isEqualTo(reason + ": container workspace: detail of " + reason);
        }
        Observation creating = map(running, waiting("ContainerCreating", null), claim("Bound"));
        assertThat(creating).isInstanceOf(Observation.Starting.class);
        assertThat(creating.detail()).contains("ContainerCreating");
    }

    @Test
    void unschedulableNamesAPendingClaim() {
        Pod pod = new PodBuilder(pod("Pending"))
                .editStatus()
                .addNewCondition()
                .withType("PodScheduled")
                .withStatus("False")
                .withReason("Unschedulable")
                .withMessage("0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.")
                .endCondition()
                .endStatus()
                .build();
        Observation o = map(running, pod, claim("Pending"));
        assertThat(o).isInstanceOf(Observation.Failed.class);
        assertThat(o.detail())
                .startsWith("Unschedulable: 0/1 nodes are available")
                .contains("PVC Pending: ws-erin-lab-home");
    }

    /**
     * The scheduler's reason becomes the phase reason (issue #19). A pod waiting for a resource that
     * frees up (an extended resource, CPU, memory) keeps Starting, so it runs once another workspace
     * lets go; any other unschedulable pod is Failed.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0} -> {1}")
    @org.junit.jupiter.params.provider.CsvSource(
            delimiter = '|',
            value = {
                "0/1 nodes are available: 1 Insufficient example.com/gpu.|Starting",
                "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.|Starting",
                "0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.|Starting",
                "0/3 nodes are available: 3 node(s) didn't match node selector.|Failed",
                "0/1 nodes are available: 1 node(s) had taint {gpu: true}, that the pod didn't tolerate.|Failed",
                "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.|Failed"
            })
    void anUnschedulablePodCarriesTheSchedulersMessage(String message, String expected) {
        Pod pod = new PodBuilder(pod("Pending"))
                .editStatus()
                .addNewCondition()
                .withType("PodScheduled")
                .withStatus("False")
                .withReason("Unschedulable")
                .withMessage(message)
                .endCondition()
                .endStatus()
                .build();
        Observation o = map(running, pod, claim("Bound"));
        assertThat(o.getClass().getSimpleName()).isEqualTo(expected);
        assertThat(o.detail()).isEqualTo("Unschedulable: " + message);
    }

    @Test
    void pendingClaimIsStartingUntilProvisioningFails() {
        Observation waiting = map(running, null, claim("Pending"));
        assertThat(waiting).isInstanceOf(Observation.Starting.class);
        assertThat(waiting.detail()).contains("PVC Pending");

        Event failed = event(
                "PersistentVolumeClaim",
                names.homeClaim(),
                "ProvisioningFailed",
                "storageclass.storage.k8s.io \"fast\" not found",
                "2026-11-21T01:00:00Z");
        Observation o =
                PodObservations.map(new ObservedWorkspace(names, running, null, claim("Pending"), List.of(failed)), AT);
        assertThat(o).isInstanceOf(Observation.Failed.class);
        assertThat(o.detail())
                .isEqualTo("PVC Pending: ProvisioningFailed: storageclass.storage.k8s.io \"fast\" not found");
    }

    @Test
    void startingShowsTheLatestWarningEventAboutThePod() {
        List<Event> events = List.of(
                event("Pod", names.pod(), "FailedMount", "old", "2026-11-21T01:00:00Z"),
                event(
                        "Pod",
                        names.pod(),
                        "FailedMount",
                        "secret \"ws-erin-lab-ssh\" not found",
                        "2026-11-21T01:00:09Z"),
                event("Pod", "someone-else-0", "FailedMount", "not ours", "2026-11-21T01:00:10Z"));
        Observation o =
                PodObservations.map(new ObservedWorkspace(names, running, pod("Pending"), claim("Bound"), events), AT);
        assertThat(o).isInstanceOf(Observation.Starting.class);
        assertThat(o.detail()).endsWith("; FailedMount: secret \"ws-erin-lab-ssh\" not found");
    }

    @Test
    void failedPhaseIsFailed() {
        Pod evicted = new PodBuilder(pod("Failed"))
                .editStatus()
                .withReason("Evicted")
                .withMessage("The node was low on resource: memory.")
                .endStatus()
                .build();
        Observation o = map(running, evicted, claim("Bound"));
        assertThat(o)
                .isEqualTo(new Observation.Failed(
                        "pod ws-erin-lab-0 Failed: Evicted: The node was low on resource: memory."));
    }

    @Test
    void readyWithoutAnAddressYetIsStarting() {
        Pod ready = new PodBuilder(pod("Running"))
                .editStatus()
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .endCondition()
                .endStatus()
                .build();
        Observation o = PodObservations.map(
                new ObservedWorkspace(names, running, ready, claim("Bound"), List.of()), Optional::empty);
        assertThat(o).isInstanceOf(Observation.Starting.class);
        assertThat(o.detail()).contains("no ClusterIP yet");
    }

    private Observation map(StatefulSet sts, Pod pod, PersistentVolumeClaim claim) {
        return PodObservations.map(new ObservedWorkspace(names, sts, pod, claim, List.of()), AT);
    }

    private Pod pod(String phase) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(names.pod())
                .withUid("pod-uid-1")
                .endMetadata()
                .withNewStatus()
                .withPhase(phase)
                .endStatus()
                .build();
    }

    private Pod waiting(String reason, String message) {
        return new PodBuilder(pod("Pending"))
                .editStatus()
                .addNewContainerStatus()
                .withName("workspace")
                .withNewState()
                .withNewWaiting()
                .withReason(reason)
                .withMessage(message)
                .endWaiting()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build();
    }

    private PersistentVolumeClaim claim(String phase) {
        return new PersistentVolumeClaimBuilder(objects.homeClaim())
                .withNewStatus()
                .withPhase(phase)
                .endStatus()
                .build();
    }

    private static Event event(String kind, String name, String reason, String message, String at) {
        return new EventBuilder()
                .withNewMetadata()
                .withName(name + "." + at)
                .endMetadata()
                .withNewInvolvedObject()
                .withKind(kind)
                .withName(name)
                .endInvolvedObject()
                .withType("Warning")
                .withReason(reason)
                .withMessage(message)
                .withLastTimestamp(at)
                .build();
    }
}
