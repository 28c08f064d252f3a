package dev.hangar.provider.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.function.BinaryOperator;

/**
 * Kubernetes server-side apply, one PATCH per object in the common case.
 *
 * <p><b>Field manager.</b> Each workspace applies as its own field manager, {@code hangar-<workspace
 * id>} ({@link #fieldManager}; plain {@value #FIELD_MANAGER} for an object without the workspace-id
 * label), and without forcing conflicts. That makes the API server the ownership guard without a GET:
 * an object of another workspace of the same name carries that workspace's id in its {@code
 * hangar.dev/workspace-id} label, owned by that workspace's manager, so the apply answers 409
 * Conflict instead of overwriting it. The API server tracks which fields each manager set, so fields
 * dropped from the desired object are removed, and an apply that changes nothing keeps the object's
 * {@code resourceVersion}.
 *
 * <p><b>On 409 Conflict</b> (a field set by another manager: the other workspace's, a person's
 * {@code kubectl}, or the single {@code hangar} manager of earlier versions) it reads the object,
 * checks the workspace-id label ({@link ObjectApplier#requireSameWorkspace}: another workspace's
 * object is never taken over) and applies again with {@code force=true}. <b>On 422 Unprocessable</b>
 * with an object present (an immutable field, such as a claim's storage class) it reads the object,
 * lets the caller's {@code adapt} keep the live choices and applies that. Both paths cost one GET and
 * one more PATCH.
 *
 * <p><b>Unchanged objects are read, not applied.</b> It keeps, per workspace, a digest of the last
 * desired object it wrote and the answer's uid, generation and resourceVersion. When the same desired
 * object comes again it GETs the object instead: when that is still the object the write left (same
 * uid, and same generation, or same resourceVersion for kinds without one) nothing is sent; else it
 * applies as usual, so a change by someone else (a deleted Service, an edited spec) is repaired. A GET
 * costs the API server less than a no-op apply. A change to metadata alone (a label edited by hand)
 * of a kind with a generation is not seen until the desired object changes or the server restarts.
 *
 * <p>The PATCH goes through the client's HTTP client (same authentication, same interceptors) rather
 * than fabric8's {@code serverSideApply()}, because only the response code tells a creation (201)
 * from an update (200), which the provider reports as an event. Needs a real API server (1.18+;
 * fabric8's mock server does not implement server-side apply). Thread-safe.
 */
public final class ServerSideApplier implements ObjectApplier {
    /** The field manager of objects without a workspace id, and the prefix of the per-workspace ones. */
    public static final String FIELD_MANAGER = "hangar";

    private static final String APPLY_PATCH = "application/apply-patch+yaml";
    private final KubernetesClient client;
    /** Per workspace id, per object (group/plural/namespace/name): what the last write left. */
    private final ConcurrentMap<String, ConcurrentMap<String, Written>> written = new ConcurrentHashMap<>();

    public ServerSideApplier(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public <T extends HasMetadata> Applied<T> write(T desired, BinaryOperator<T> adapt) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) desired.getClass();
        return write(desired, ResourceDefinitionContext.fromResourceType(type), type, adapt);
    }

    /**
     * Applies an object of a kind given by its API coordinates (KubeVirt's and CDI's custom resources
     * as {@link GenericKubernetesResource}), with the contract of {@link #write(HasMetadata,
     * BinaryOperator)}.
     *
     * @param context group, version, plural and scope of {@code desired}'s kind (no discovery request
     *     is sent)
     * @param type the class the response is read into
     */
    public <T extends HasMetadata> Applied<T> write(
            T desired, ResourceDefinitionContext context, Class<T> type, BinaryOperator<T> adapt) {
        String body = client.getKubernetesSerialization().asJson(desired);
        String workspace = workspaceId(desired);
        String key = context.getGroup() + "/" + context.getPlural() + "/"
                + desired.getMetadata().getNamespace() + "/"
                + desired.getMetadata().getName();
        byte[] digest = sha256(body);
        Map<String, Written> objects = workspace == null ? null : written.get(workspace);
        Written last = objects == null ? null : objects.get(key);
        if (last != null && MessageDigest.isEqual(last.digest(), digest)) {
            // The same desired object as the last write: a read (cheaper for the API server than a no-op
            // apply) shows whether the object is still the one that write left.
            T live = get(desired, context, type);
            if (live != null && last.describes(live)) return new Applied<>(live, false);
        }
        try {
            Applied<T> applied = apply(desired, body, context, type, adapt);
            if (workspace != null) {
                written.computeIfAbsent(workspace, w -> new ConcurrentHashMap<>())
                        .put(key, Written.of(digest, applied.object()));
            }
            return applied;
        } catch (RuntimeException e) {
            if (objects != null) objects.remove(key);
            throw e;
        }
    }

    /** Forgets what was written for the workspace (its objects are being deleted). */
    @Override
    public void forget(String workspaceId) {
        written.remove(workspaceId);
    }

    private <T extends HasMetadata> Applied<T> apply(
            T desired, String body, ResourceDefinitionContext context, Class<T> type, BinaryOperator<T> adapt) {
        String manager = fieldManager(desired);
        HttpResponse<String> response = patch(desired, body, context, manager, false);
        if (response.code() == 409 || response.code() == 422) {
            T live = get(desired, context, type);
            if (live != null) {
                ObjectApplier.requireSameWorkspace(live, desired);
                T adapted = adapt.apply(live, desired);
                response = patch(adapted, client.getKubernetesSerialization().asJson(adapted), context, manager, true);
            } else if (response.code() == 409) {
                // The conflicting object went away in between (it was being deleted): apply again.
                response = patch(desired, body, context, manager, true);
            }
        }
        if (response.code() == 200 || response.code() == 201) {
            return new Applied<>(
                    client.getKubernetesSerialization().unmarshal(response.body(), type), response.code() == 201);
        }
        throw failure(response, desired);
    }

    /**
     * @return {@code hangar-<id>} for an object labelled with workspace id {@code <id>}, else {@value
     *     #FIELD_MANAGER}
     */
    public static String fieldManager(HasMetadata object) {
        String id = workspaceId(object);
        return id == null ? FIELD_MANAGER : FIELD_MANAGER + "-" + id;
    }

    private static String workspaceId(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels == null ? null : labels.get(WorkspaceManifests.LABEL_WORKSPACE_ID);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * What the last write of one object left: the digest of the desired object sent, and the answer's
     * uid, resourceVersion and generation.
     */
    private record Written(byte[] digest, String uid, String resourceVersion, Long generation) {
        static Written of(byte[] digest, HasMetadata answer) {
            var meta = answer.getMetadata();
            return new Written(digest, meta.getUid(), meta.getResourceVersion(), meta.getGeneration());
        }

        /**
         * @return whether {@code live} is the object that write left: the same uid, and the same
         *     generation (kinds with one: only a spec change bumps it, not the controller's status) or
         *     else the same resourceVersion
         */
        boolean describes(HasMetadata live) {
            var meta = live.getMetadata();
            if (uid == null || !uid.equals(meta.getUid())) return false;
            if (generation != null && meta.getGeneration() != null) return generation.equals(meta.getGeneration());
            return resourceVersion != null && resourceVersion.equals(meta.getResourceVersion());
        }
    }

    private HttpResponse<String> patch(
            HasMetadata desired, String body, ResourceDefinitionContext context, String manager, boolean force) {
        String url = url(
                        context,
                        desired.getMetadata().getNamespace(),
                        desired.getMetadata().getName()) + "?fieldManager="
                + URLEncoder.encode(manager, StandardCharsets.UTF_8) + "&force=" + force;
        HttpClient http = client.getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder()
                .uri(url)
                .method("PATCH", APPLY_PATCH, body)
                .build();
        try {
            return http.sendAsync(request, String.class).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted while applying " + describe(desired), e);
        } catch (ExecutionException e) {
            throw new KubernetesClientException("applying " + describe(desired) + ": " + e.getCause(), e.getCause());
        }
    }

    private <T extends HasMetadata> T get(T desired, ResourceDefinitionContext context, Class<T> type) {
        GenericKubernetesResource live = client.genericKubernetesResources(context)
                .inNamespace(desired.getMetadata().getNamespace())
                .withName(desired.getMetadata().getName())
                .get();
        return live == null ? null : client.getKubernetesSerialization().convertValue(live, type);
    }

    private String url(ResourceDefinitionContext context, String namespace, String name) {
        return collectionUrl(client, context, namespace) + "/" + name;
    }

    /** @return the URL of the kind's collection in {@code namespace} (no trailing slash), from the client's master URL */
    static String collectionUrl(KubernetesClient client, ResourceDefinitionContext context, String namespace) {
        StringBuilder url = new StringBuilder(client.getMasterUrl().toString().replaceFirst("/*$", ""));
        String group = context.getGroup();
        if (group == null || group.isEmpty()) {
            url.append("/api/").append(context.getVersion());
        } else {
            url.append("/apis/").append(group).append('/').append(context.getVersion());
        }
        if (context.isNamespaceScoped()) {
            url.append("/namespaces/").append(namespace);
        }
        return url.append('/').append(context.getPlural()).toString();
    }

    private KubernetesClientException failure(HttpResponse<String> response, HasMetadata desired) {
        Status status = null;
        try {
            status = client.getKubernetesSerialization().unmarshal(response.body(), Status.class);
        } catch (RuntimeException notAStatus) {
            // an answer from something other than the API server (a proxy): keep the body as the message
        }
        String message = status != null && status.getMessage() != null
                ? status.getMessage()
                : "HTTP " + response.code() + ": " + response.body();
        return new KubernetesClientException("applying " + describe(desired) + ": " + message, response.code(), status);
    }

    private static String describe(HasMetadata object) {
        return object.getKind() + " " + object.getMetadata().getNamespace() + "/"
                + object.getMetadata().getName();
    }
}
