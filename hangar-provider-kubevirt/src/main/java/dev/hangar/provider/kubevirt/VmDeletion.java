package dev.hangar.provider.kubevirt;

import dev.hangar.provider.kubernetes.NamedDeletion;
import dev.hangar.provider.kubernetes.WorkspaceManifests;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Removes a KubeVirt workspace's objects for {@link KubevirtProvider#delete}, the Pod provider's way
 * ({@link NamedDeletion}): the VirtualMachine, the cloud-init Secret and the DataVolume by name, each
 * in one request that also selects the workspace-id label (a delete of the collection selected by
 * {@code metadata.name} and label, background propagation). The VM goes first, so KubeVirt stops
 * its VMI; the Service goes with the VM and CDI's claim with the DataVolume (their owner
 * references; the garbage collector). While any of the three is found (an object held by a
 * finalizer is found again) the answer is Stopping. Once none is, the five names are read
 * (VirtualMachine, Secret, Service, DataVolume, claim): what is left and not already being deleted
 * is deleted, and the answer is Absent only when nothing was left, so the reconciler removes the
 * workspace's row only once the cluster holds nothing of it.
 *
 * <p>API access: deletecollection on kubevirt.io virtualmachines, cdi.kubevirt.io datavolumes and
 * secrets; get on those, services and persistentvolumeclaims; delete on services and
 * persistentvolumeclaims (a leftover, with the resourceVersion read as precondition). Thread-safe;
 * calls for different workspaces may run concurrently.
 */
final class VmDeletion {
    private static final String EVENT = "kubevirt-deleted";

    private final KubernetesClient client;
    private final String namespace;
    private final NamedDeletion named;

    VmDeletion(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        this.named = new NamedDeletion(client, namespace, EVENT);
    }

    /**
     * One step of removing the workspace's objects; the reconciler calls it again until it answers
     * Absent. Emits {@value #EVENT} once per object.
     *
     * @return Stopping naming what is still being removed, or Absent when nothing is left
     * @throws KubernetesClientException from the API server (the provider translates it)
     */
    Observation delete(WorkspaceSpec spec, ProviderListener listener) {
        KubevirtNames names = KubevirtNames.of(spec.owner(), spec.name());
        String id = spec.id();
        List<String> found = new ArrayList<>();
        found.addAll(named.deleteNamed("VirtualMachine", KubevirtApi.VIRTUAL_MACHINE, names.virtualMachine(), id));
        found.addAll(named.deleteNamed("Secret", client.secrets().inNamespace(namespace), names.cloudInitSecret(), id));
        found.addAll(named.deleteNamed("DataVolume", KubevirtApi.DATA_VOLUME, names.rootDisk(), id));
        if (!found.isEmpty()) {
            named.reportOnce(id, found, listener);
            return new Observation.Stopping("removing " + String.join(", ", found));
        }
        List<HasMetadata> left = leftovers(spec);
        for (HasMetadata object : left) {
            if (object.getMetadata().getDeletionTimestamp() != null) continue;
            named.reportOnce(id, deleteLeftover(object, id), listener);
        }
        if (!left.isEmpty()) return new Observation.Stopping("removing " + NamedDeletion.describe(left));
        named.done(id);
        return new Observation.Absent();
    }

    /**
     * @return the workspace's VirtualMachine, Secret, Service, DataVolume and claim that exist, read by
     *     name (only those carrying this workspace's id label, or CDI's claim owned by a DataVolume, so
     *     another workspace's are never touched)
     */
    List<HasMetadata> leftovers(WorkspaceSpec spec) {
        KubevirtNames names = KubevirtNames.of(spec.owner(), spec.name());
        List<HasMetadata> found = new ArrayList<>();
        found.add(vms().withName(names.virtualMachine()).get());
        found.add(client.secrets()
                .inNamespace(namespace)
                .withName(names.cloudInitSecret())
                .get());
        found.add(client.services()
                .inNamespace(namespace)
                .withName(names.service())
                .get());
        found.add(dataVolumes().withName(names.rootDisk()).get());
        found.add(client.persistentVolumeClaims()
                .inNamespace(namespace)
                .withName(names.rootDisk())
                .get());
        return found.stream()
                .filter(Objects::nonNull)
                .filter(o -> ownedByWorkspace(o, spec))
                .toList();
    }

    /** Deletes one leftover: by name and label where the kind allows, else exactly the object read. */
    private List<String> deleteLeftover(HasMetadata object, String id) {
        String name = object.getMetadata().getName();
        String version = object.getMetadata().getResourceVersion();
        return switch (object.getKind()) {
            // written again since the deletes above: by name and label as well
            case "VirtualMachine" -> named.deleteNamed("VirtualMachine", KubevirtApi.VIRTUAL_MACHINE, name, id);
            case "DataVolume" -> named.deleteNamed("DataVolume", KubevirtApi.DATA_VOLUME, name, id);
            case "Secret" -> named.deleteNamed("Secret", client.secrets().inNamespace(namespace), name, id);
            // no delete-collection for Services before 1.23, and CDI's claim has no Hangar label: the
            // object read (its resourceVersion the precondition), so nothing else is ever deleted
            case "Service" -> {
                client.services()
                        .inNamespace(namespace)
                        .withName(name)
                        .lockResourceVersion(version)
                        .delete();
                yield List.of("Service " + namespace + "/" + name);
            }
            default -> {
                client.persistentVolumeClaims()
                        .inNamespace(namespace)
                        .withName(name)
                        .lockResourceVersion(version)
                        .delete();
                yield List.of("PersistentVolumeClaim " + namespace + "/" + name);
            }
        };
    }

    /**
     * CDI's claim carries no Hangar label (CDI sets its own), so a claim counts when it is named after
     * the workspace's DataVolume and owned by a DataVolume or labelled with the workspace id.
     */
    private static boolean ownedByWorkspace(HasMetadata object, WorkspaceSpec spec) {
        var labels = object.getMetadata().getLabels();
        if (labels != null && spec.id().equals(labels.get(WorkspaceManifests.LABEL_WORKSPACE_ID))) return true;
        return object.getKind().equals("PersistentVolumeClaim")
                && object.getMetadata().getOwnerReferences().stream().anyMatch(r -> "DataVolume".equals(r.getKind()));
    }

    private NonNamespaceOperation<
                    GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
            vms() {
        return client.genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE).inNamespace(namespace);
    }

    private NonNamespaceOperation<
                    GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
            dataVolumes() {
        return client.genericKubernetesResources(KubevirtApi.DATA_VOLUME).inNamespace(namespace);
    }
}
