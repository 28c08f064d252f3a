package dev.hangar.provider.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.SshEndpoint;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every VirtualMachine printableStatus and every DataVolume phase KubeVirt and CDI publish, mapped to
 * the workspace observation and its reason: one row each.
 */
class VmObservationsTest {
    private static final KubevirtNames NAMES = KubevirtNames.of("alice", "dev");
    private static final Observation RUNNING =
            new Observation.Running(new SshEndpoint("10.96.0.7", 22), "sshd answered with the pinned host key");
    private static final List<Map<String, Object>> UNSCHEDULABLE_VMI = condition(
            "PodScheduled",
            "False",
            "Unschedulable",
            "0/2 nodes are available: 2 Insufficient devices.kubevirt.io/kvm.");
    private static final List<Map<String, Object>> READY_VMI = List.of(Map.of("type", "Ready", "status", "True"));

    /** One row: what the cluster says, and the expected observation type and reason fragment. */
    record Row(
            String printableStatus,
            String runStrategy,
            List<Map<String, Object>> vmiConditions,
            List<Map<String, Object>> vmConditions,
            Class<? extends Observation> expected,
            String detail) {}

    static Stream<Arguments> printableStatuses() {
        List<Row> rows = new ArrayList<>(List.of(
                new Row(
                        null,
                        "Always",
                        null,
                        null,
                        Observation.Starting.class,
                        "waiting for KubeVirt to start VM ws-alice-dev"),
                new Row(null, "Halted", null, null, Observation.Stopped.class, "VM ws-alice-dev halted"),
                new Row("Stopped", "Halted", null, null, Observation.Stopped.class, "stopped; root disk kept"),
                new Row(
                        "Stopped",
                        "Always",
                        null,
                        null,
                        Observation.Starting.class,
                        "starting it (runStrategy Always)"),
                new Row(
                        "Provisioning",
                        "Always",
                        null,
                        null,
                        Observation.Starting.class,
                        "VM ws-alice-dev Provisioning"),
                new Row("Starting", "Always", null, null, Observation.Starting.class, "VM ws-alice-dev Starting"),
                new Row(
                        "WaitingForVolumeBinding",
                        "Always",
                        null,
                        null,
                        Observation.Starting.class,
                        "WaitingForVolumeBinding"),
                new Row(
                        "Running",
                        "Always",
                        null,
                        null,
                        Observation.Starting.class,
                        "waiting for the guest to be Ready"),
                new Row("Running", "Always", READY_VMI, null, Observation.Running.class, "pinned host key"),
                new Row(
                        "Running",
                        "Halted",
                        READY_VMI,
                        null,
                        Observation.Stopping.class,
                        "stopping (runStrategy Halted)"),
                new Row("Migrating", "Always", READY_VMI, null, Observation.Running.class, "pinned host key"),
                new Row("Stopping", "Halted", null, null, Observation.Stopping.class, "VM ws-alice-dev Stopping"),
                new Row("Terminating", "Always", null, null, Observation.Stopping.class, "Terminating"),
                new Row("Paused", "Always", null, null, Observation.Failed.class, "virtctl unpause vm ws-alice-dev"),
                new Row(
                        "ErrorUnschedulable",
                        "Always",
                        UNSCHEDULABLE_VMI,
                        null,
                        Observation.Failed.class,
                        "cannot be scheduled (ErrorUnschedulable): Unschedulable: 0/2 nodes are available"),
                new Row(
                        "ErrImagePull",
                        "Always",
                        null,
                        condition("Failure", "True", "ErrImagePull", "rpc error: pull access denied"),
                        Observation.Failed.class,
                        "cannot be pulled (ErrImagePull): ErrImagePull: rpc error"),
                new Row(
                        "ImagePullBackOff",
                        "Always",
                        null,
                        null,
                        Observation.Failed.class,
                        "cannot be pulled (ImagePullBackOff)"),
                new Row(
                        "ErrorPvcNotFound",
                        "Always",
                        null,
                        null,
                        Observation.Failed.class,
                        "root disk ws-alice-dev-root is missing (ErrorPvcNotFound)"),
                new Row(
                        "ErrorDataVolumeNotFound",
                        "Always",
                        null,
                        null,
                        Observation.Failed.class,
                        "missing (ErrorDataVolumeNotFound)"),
                new Row(
                        "DataVolumeError",
                        "Always",
                        null,
                        condition("Failure", "True", "DataVolumeError", "PVC ws-alice-dev-root lost"),
                        Observation.Failed.class,
                        "has an error (DataVolumeError): DataVolumeError: PVC ws-alice-dev-root lost"),
                new Row(
                        "CrashLoopBackOff",
                        "Always",
                        null,
                        condition("Ready", "False", "CrashLoopBackOff", "back-off 40s restarting failed launcher"),
                        Observation.Failed.class,
                        "keeps crashing (CrashLoopBackOff): CrashLoopBackOff: back-off"),
                new Row("Unknown", "Always", null, null, Observation.Starting.class, "node may be unreachable"),
                new Row(
                        "SomethingNew",
                        "Always",
                        null,
                        null,
                        Observation.Starting.class,
                        "VM ws-alice-dev SomethingNew")));
        return rows.stream().map(r -> Arguments.of(r.printableStatus() + "/" + r.runStrategy(), r));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("printableStatuses")
    void printableStatusMapsToThePhaseWithTheClustersReason(String label, Row row) {
        GenericKubernetesResource vm = vm(row.runStrategy(), row.printableStatus(), row.vmConditions());
        Optional<GenericKubernetesResource> vmi =
                Optional.ofNullable(row.vmiConditions()).map(c -> vmi(c));
        Optional<GenericKubernetesResource> succeeded = Optional.of(dv(Map.of("phase", "Succeeded")));

        Observation o = VmObservations.map(new ObservedVm(NAMES, vm, vmi, succeeded), () -> RUNNING);

        assertThat(o).isInstanceOf(row.expected());
        assertThat(o.detail()).contains(row.detail());
    }

    static Stream<Arguments> dataVolumePhases() {
        return Stream.of(
                Arguments.of(
                        "",
                        Observation.Starting.class,
                        "waiting for CDI to start the root disk DataVolume ws-alice-dev-root"),
                Arguments.of("Pending", Observation.Starting.class, "root disk ws-alice-dev-root: Pending"),
                Arguments.of("PVCBound", Observation.Starting.class, "root disk ws-alice-dev-root: PVCBound"),
                Arguments.of(
                        "ImportScheduled", Observation.Starting.class, "root disk ws-alice-dev-root: ImportScheduled"),
                Arguments.of(
                        "ImportInProgress",
                        Observation.Starting.class,
                        "root disk ws-alice-dev-root: ImportInProgress 45.20%"),
                Arguments.of("CloneScheduled", Observation.Starting.class, "CloneScheduled"),
                Arguments.of("CloneInProgress", Observation.Starting.class, "CloneInProgress 45.20%"),
                Arguments.of(
                        "SnapshotForSmartCloneInProgress",
                        Observation.Starting.class,
                        "SnapshotForSmartCloneInProgress"),
                Arguments.of("CSICloneInProgress", Observation.Starting.class, "CSICloneInProgress"),
                Arguments.of("UploadScheduled", Observation.Starting.class, "UploadScheduled"),
                Arguments.of("UploadReady", Observation.Starting.class, "UploadReady"),
                Arguments.of("WaitForFirstConsumer", Observation.Starting.class, "WaitForFirstConsumer"),
                Arguments.of("PendingPopulation", Observation.Starting.class, "PendingPopulation"),
                Arguments.of("Paused", Observation.Starting.class, "root disk ws-alice-dev-root: Paused"),
                Arguments.of("Unknown", Observation.Starting.class, "root disk ws-alice-dev-root: Unknown"),
                Arguments.of(
                        "Failed",
                        Observation.Failed.class,
                        "root disk DataVolume ws-alice-dev-root failed: ImportFailed: checksum mismatch"),
                Arguments.of("Succeeded", Observation.Starting.class, "waiting for KubeVirt to start VM ws-alice-dev"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dataVolumePhases")
    void dataVolumePhaseMapsToThePhaseWithProgress(String phase, Class<? extends Observation> expected, String detail) {
        Map<String, Object> status = new LinkedHashMap<>();
        if (!phase.isEmpty()) status.put("phase", phase);
        if (phase.endsWith("InProgress")) status.put("progress", "45.20%");
        if (phase.equals("Failed")) {
            status.put("conditions", condition("Running", "False", "ImportFailed", "checksum mismatch"));
        }
        Observation o = VmObservations.map(
                new ObservedVm(NAMES, vm("Always", null, null), Optional.empty(), Optional.of(dv(status))),
                () -> RUNNING);

        assertThat(o).isInstanceOf(expected);
        assertThat(o.detail()).contains(detail);
    }

    @org.junit.jupiter.api.Test
    void anImportThatKeepsRestartingIsFailedAndAHaltedVmWithAnImportingDiskIsStopped() {
        Map<String, Object> failing = Map.of(
                "phase",
                "ImportInProgress",
                "progress",
                "N/A",
                "restartCount",
                3,
                "conditions",
                condition(
                        "Running",
                        "False",
                        "Error",
                        "Unable to connect to http data source: expected status code 200, got 404"));
        Observation o = VmObservations.map(
                new ObservedVm(NAMES, vm("Always", "Provisioning", null), Optional.empty(), Optional.of(dv(failing))),
                () -> RUNNING);
        assertThat(o).isInstanceOf(Observation.Failed.class);
        assertThat(o.detail()).contains("keeps failing (3 importer restarts)", "got 404");

        Map<String, Object> retrying = new LinkedHashMap<>(failing);
        retrying.put("restartCount", 2);
        assertThat(VmObservations.map(
                        new ObservedVm(
                                NAMES, vm("Always", "Provisioning", null), Optional.empty(), Optional.of(dv(retrying))),
                        () -> RUNNING))
                .isEqualTo(new Observation.Starting("root disk ws-alice-dev-root: ImportInProgress"));

        assertThat(VmObservations.map(
                        new ObservedVm(
                                NAMES,
                                vm("Halted", "Stopped", null),
                                Optional.empty(),
                                Optional.of(dv(Map.of("phase", "ImportInProgress", "progress", "12.5%")))),
                        () -> RUNNING))
                .isEqualTo(new Observation.Stopped("VM halted; root disk ws-alice-dev-root: ImportInProgress 12.5%"));
    }

    private static GenericKubernetesResource vm(
            String runStrategy, String printableStatus, List<Map<String, Object>> conditions) {
        Map<String, Object> status = new LinkedHashMap<>();
        if (printableStatus != null) status.put("printableStatus", printableStatus);
        if (conditions != null) status.put("conditions", conditions);
        return new GenericKubernetesResourceBuilder()
                .withApiVersion("kubevirt.io/v1")
                .withKind("VirtualMachine")
                .withNewMetadata()
                .withName(NAMES.virtualMachine())
                .endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("runStrategy", runStrategy), "status", status))
                .build();
    }

    private static GenericKubernetesResource vmi(List<Map<String, Object>> conditions) {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion("kubevirt.io/v1")
                .withKind("VirtualMachineInstance")
                .withNewMetadata()
                .withName(NAMES.virtualMachine())
                .endMetadata()
                .withAdditionalProperties(Map.of("status", Map.of("conditions", conditions)))
                .build();
    }

    private static GenericKubernetesResource dv(Map<String, Object> status) {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion("cdi.kubevirt.io/v1beta1")
                .withKind("DataVolume")
                .withNewMetadata()
                .withName(NAMES.rootDisk())
                .endMetadata()
                .withAdditionalProperties(Map.of("status", status))
                .build();
    }

    /** @return a one-condition list as KubeVirt writes it in status.conditions */
    private static List<Map<String, Object>> condition(String type, String status, String reason, String message) {
        return List.of(Map.of("type", type, "status", status, "reason", reason, "message", message));
    }
}
