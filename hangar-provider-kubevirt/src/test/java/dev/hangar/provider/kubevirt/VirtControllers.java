package dev.hangar.provider.kubevirt;

import dev.hangar.provider.kubernetes.MockCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;

/**
 * Writes what CDI and virt-controller would write on a real cluster, for tests against the CRUD mock
 * API server (which runs no controllers): status subresources of DataVolumes and VirtualMachines, and
 * VirtualMachineInstances. All objects live in {@link VmSpecs#NS}.
 */
final class VirtControllers {
    private VirtControllers() {}

    /**
     * Replaces the {@code status} of an existing object.
     *
     * @throws NullPointerException if the object does not exist
     */
    static void setStatus(MockCluster cluster, ResourceDefinitionContext context, String name, Map<String, ?> status) {
        var objects = cluster.client.genericKubernetesResources(context).inNamespace(VmSpecs.NS);
        GenericKubernetesResource object = objects.withName(name).get();
        object.getAdditionalProperties().put("status", status);
        objects.resource(object).update();
    }

    /**
     * @param uid the VMI's metadata.uid (virt-controller makes a new VMI, with a new uid, per start);
     *     empty for the mock's own
     * @param status the VMI's status
     * @return a VirtualMachineInstance named {@code name}, not yet stored
     */
    static GenericKubernetesResource vmi(String name, String uid, Map<String, ?> status) {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion("kubevirt.io/v1")
                .withKind("VirtualMachineInstance")
                .withNewMetadata()
                .withName(name)
                .withNamespace(VmSpecs.NS)
                .withUid(uid.isEmpty() ? null : uid)
                .endMetadata()
                .withAdditionalProperties(Map.of("status", status))
                .build();
    }

    /** @return a Running VMI status whose Ready condition is {@code ready} ("True" or "False") */
    static Map<String, Object> runningStatus(String ready) {
        return Map.of("phase", "Running", "conditions", List.of(Map.of("type", "Ready", "status", ready)));
    }

    /**
     * Marks an applied workspace's VM as running: its DataVolume Succeeded, its VirtualMachine's
     * printableStatus Running, and a new ready VMI (created or replacing the stored one).
     *
     * @param uid the new VMI's uid, empty for the mock's own
     */
    static void running(MockCluster cluster, KubevirtNames n, String uid) {
        setStatus(cluster, KubevirtApi.DATA_VOLUME, n.rootDisk(), Map.of("phase", "Succeeded"));
        setStatus(cluster, KubevirtApi.VIRTUAL_MACHINE, n.virtualMachine(), Map.of("printableStatus", "Running"));
        cluster.client
                .genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE_INSTANCE)
                .inNamespace(VmSpecs.NS)
                .resource(vmi(n.virtualMachine(), uid, runningStatus("True")))
                .createOr(existing -> existing.update());
    }
}
