package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.ProviderListener;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * The by-name step both Kubernetes providers delete a workspace with ({@link WorkspaceDeletion} for
 * Pod workspaces, the KubeVirt provider's own deletion for VMs): one object of one kind removed in
 * one request, a delete of the collection selected by {@code metadata.name} and the {@code
 * hangar.dev/workspace-id} label (one key read on the API server, and another workspace's object of
 * the same name is never touched), background propagation so owned objects go with it. Also keeps,
 * per workspace being deleted, which "deleted" events were already emitted: an object held by a
 * finalizer is found again on every call, and is reported once.
 *
 * <p>For custom resources the request is sent through the client's HTTP client (same
 * authentication and interceptors) and its answer read as a list: fabric8's {@code delete()} reads a
 * custom resource's delete-collection answer ({@code VirtualMachineList}) as one object without a
 * name, so "one object deleted" came back even when nothing matched, and a KubeVirt workspace's
 * deletion never ended (its row was never removed). Built-in kinds go through fabric8, which reads
 * their list answers right. The kinds must support delete-collection (Services do not before Kubernetes 1.23).
 * Thread-safe; calls for different workspaces may run concurrently.
 */
public final class NamedDeletion {
    private static final String BACKGROUND =
            "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Background\"}";

    private final KubernetesClient client;
    private final String namespace;
    private final String eventType;
    /** Per workspace being deleted: the objects a "deleted" event was already emitted for. */
    private final ConcurrentMap<String, Set<String>> said = new ConcurrentHashMap<>();

    /**
     * @param namespace the namespace the workspaces' objects live in
     * @param eventType the event type emitted per deleted object, e.g. {@code kubernetes-deleted}
     */
    public NamedDeletion(KubernetesClient client, String namespace, String eventType) {
        this.client = client;
        this.namespace = namespace;
        this.eventType = eventType;
    }

    /**
     * Deletes the custom resource {@code name} of one kind when it carries the workspace's id label, in
     * one request. An object already being deleted (held by a finalizer) is answered again.
     *
     * @param kind the kind's name, for the answer's text
     * @param context the kind's API coordinates (no discovery request is sent)
     * @return "Kind namespace/name" of what was deleted or is still being deleted, empty when none
     * @throws KubernetesClientException from the API server, with its status
     */
    public List<String> deleteNamed(String kind, ResourceDefinitionContext context, String name, String workspaceId) {
        String url = ServerSideApplier.collectionUrl(client, context, namespace)
                + "?labelSelector=" + encode(WorkspaceManifests.LABEL_WORKSPACE_ID + "=" + workspaceId)
                + "&fieldSelector=" + encode("metadata.name=" + name);
        HttpClient http = client.getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder()
                .uri(url)
                .method("DELETE", "application/json", BACKGROUND)
                .build();
        HttpResponse<String> response;
        try {
            response = http.sendAsync(request, String.class).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted while deleting " + kind + " " + name, e);
        } catch (ExecutionException e) {
            throw new KubernetesClientException("deleting " + kind + " " + name + ": " + e.getCause(), e.getCause());
        }
        KubernetesSerialization json = client.getKubernetesSerialization();
        if (response.code() != 200) {
            Status status = null;
            try {
                status = json.unmarshal(response.body(), Status.class);
            } catch (RuntimeException notAStatus) {
                // an answer from something other than the API server (a proxy): the body is the message
            }
            String message = status != null && status.getMessage() != null
                    ? status.getMessage()
                    : "HTTP " + response.code() + ": " + response.body();
            throw new KubernetesClientException(
                    "deleting " + kind + " " + namespace + "/" + name + ": " + message, response.code(), status);
        }
        return json.unmarshal(response.body(), GenericKubernetesResourceList.class).getItems().stream()
                .map(d -> kind + " " + namespace + "/" + d.getMetadata().getName())
                .toList();
    }

    /**
     * The same request for a built-in kind, through fabric8 (which reads a built-in kind's list answer
     * right): one object by name and label, background propagation.
     *
     * @param objects the kind's collection in the namespace
     * @return "Kind namespace/name" of what was deleted or is still being deleted, empty when none
     * @throws KubernetesClientException from the API server
     */
    public List<String> deleteNamed(
            String kind, NonNamespaceOperation<?, ?, ?> objects, String name, String workspaceId) {
        return objects
                .withLabel(WorkspaceManifests.LABEL_WORKSPACE_ID, workspaceId)
                .withField("metadata.name", name)
                .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                .delete()
                .stream()
                .map(d -> kind + " " + namespace + "/" + d.getName())
                .toList();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** Emits the event for each of {@code objects} ("Kind namespace/name") not yet reported for the workspace. */
    public void reportOnce(String workspaceId, List<String> objects, ProviderListener listener) {
        if (objects.isEmpty()) return;
        Set<String> reported = said.computeIfAbsent(workspaceId, x -> ConcurrentHashMap.newKeySet());
        for (String object : objects) {
            if (reported.add(object)) listener.event(eventType, "deleted " + object);
        }
    }

    /** Forgets what was reported for the workspace; called once its deletion answered Absent. */
    public void done(String workspaceId) {
        said.remove(workspaceId);
    }

    /** @return "Kind/name, ..." of {@code objects} */
    public static String describe(List<? extends HasMetadata> objects) {
        return objects.stream()
                .map(o -> o.getKind() + "/" + o.getMetadata().getName())
                .collect(Collectors.joining(", "));
    }
}
