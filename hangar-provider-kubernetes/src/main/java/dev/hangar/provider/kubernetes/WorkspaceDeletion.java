package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes a Pod workspace's objects for {@link KubernetesProvider#delete}: the StatefulSet, both
 * Secrets and the volume claim by name, each request also selecting the workspace-id label (a
 * delete of the collection selected by {@code metadata.name} and label: one key read on the API
 * server, and another workspace's object of the same name is never touched). The StatefulSet goes
 * first, so its controller does not re-create the pod; the pod and the Service go with it
 * (background propagation through their owner references: Services have no delete-collection
 * before Kubernetes 1.23, and fabric8 would fall back to a list and a delete). Once nothing is left
 * under those names, one sweep by the {@code hangar.dev/workspace-id} label removes what remains
 * under other names (the pod until the garbage collector took it, objects of older name schemes).
 *
 * <p>The by-name step is {@link NamedDeletion}'s, shared with the KubeVirt provider.
 *
 * <p>API access: deletecollection on statefulsets, secrets, persistentvolumeclaims and pods; list on
 * those and services; delete on services (with the listed resourceVersion as precondition).
 * Thread-safe; calls for different workspaces may run concurrently.
 */
final class WorkspaceDeletion {
    private final KubernetesClient client;
    private final String namespace;
    private final NamedDeletion named;

    WorkspaceDeletion(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        this.named = new NamedDeletion(client, namespace, "kubernetes-deleted");
    }

    /**
     * One step of removing the workspace's objects; the reconciler calls it again until it answers
     * Absent. Emits {@code kubernetes-deleted} once per object.
     *
     * @return Stopping naming what is still being removed, or Absent when nothing is left
     * @throws KubernetesClientException from the API server (the provider translates it)
     */
    Observation delete(WorkspaceSpec spec, ProviderListener listener) {
        WorkspaceNames names = WorkspaceNames.of(spec.owner(), spec.name());
        String id = spec.id();
        List<String> found = new ArrayList<>();
        found.addAll(deleteNamed(
                "StatefulSet", client.apps().statefulSets().inNamespace(namespace), names.statefulSet(), id));
        found.addAll(deleteNamed("Secret", client.secrets().inNamespace(namespace), names.sshSecret(), id));
        found.addAll(deleteNamed("Secret", client.secrets().inNamespace(namespace), names.userSecrets(), id));
        found.addAll(deleteNamed(
                "PersistentVolumeClaim",
                client.persistentVolumeClaims().inNamespace(namespace),
                names.homeClaim(),
                id));
        if (!found.isEmpty()) {
            // An object held by a finalizer (a claim in use) is found again on every call: said once.
            named.reportOnce(id, found, listener);
            return new Observation.Stopping("removing " + String.join(", ", found));
        }
        List<HasMetadata> left = labelled(id);
        for (HasMetadata object : left) {
            if (object.getMetadata().getDeletionTimestamp() != null) continue;
            String name = object.getMetadata().getName();
            if (object instanceof Service) {
                // Exactly the object the list found (it carries the label): its resourceVersion is
                // the delete's precondition.
                client.services()
                        .inNamespace(namespace)
                        .withName(name)
                        .lockResourceVersion(object.getMetadata().getResourceVersion())
                        .delete();
                listener.event("kubernetes-deleted", "deleted Service " + namespace + "/" + name);
                continue;
            }
            for (String deleted : deleteNamed(object.getKind(), collection(object), name, id)) {
                listener.event("kubernetes-deleted", "deleted " + deleted);
            }
        }
        if (!left.isEmpty()) return new Observation.Stopping("removing " + describe(left));
        named.done(id);
        return new Observation.Absent();
    }

    /** {@link NamedDeletion#deleteNamed}: one object by name and the workspace's label, one request. */
    List<String> deleteNamed(String kind, NonNamespaceOperation<?, ?, ?> objects, String name, String workspaceId) {
        return named.deleteNamed(kind, objects, name, workspaceId);
    }

    /** @return every object labelled with the workspace id, StatefulSets first, claims last */
    List<HasMetadata> labelled(String workspaceId) {
        String key = WorkspaceManifests.LABEL_WORKSPACE_ID;
        List<HasMetadata> all = new ArrayList<>();
        all.addAll(client.apps()
                .statefulSets()
                .inNamespace(namespace)
                .withLabel(key, workspaceId)
                .list()
                .getItems());
        all.addAll(client.pods()
                .inNamespace(namespace)
                .withLabel(key, workspaceId)
                .list()
                .getItems());
        all.addAll(client.services()
                .inNamespace(namespace)
                .withLabel(key, workspaceId)
                .list()
                .getItems());
        all.addAll(client.secrets()
                .inNamespace(namespace)
                .withLabel(key, workspaceId)
                .list()
                .getItems());
        all.addAll(client.persistentVolumeClaims()
                .inNamespace(namespace)
                .withLabel(key, workspaceId)
                .list()
                .getItems());
        return all;
    }

    /** @return "Kind/name, ..." of {@code objects} */
    static String describe(List<HasMetadata> objects) {
        return NamedDeletion.describe(objects);
    }

    /** @return the namespaced collection of {@code object}'s kind (one of the kinds a workspace has) */
    private NonNamespaceOperation<?, ?, ?> collection(HasMetadata object) {
        return switch (object) {
            case StatefulSet s -> client.apps().statefulSets().inNamespace(namespace);
            case Pod p -> client.pods().inNamespace(namespace);
            case Secret s -> client.secrets().inNamespace(namespace);
            case PersistentVolumeClaim c -> client.persistentVolumeClaims().inNamespace(namespace);
            default -> throw new IllegalArgumentException("not a workspace kind: " + object.getKind());
        };
    }
}
