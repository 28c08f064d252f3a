package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.ProviderException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Objects;
import java.util.function.BinaryOperator;

/**
 * Writes one desired object so that the live object has every field the desired one sets.
 *
 * <p>Kept behind an interface because fabric8's mock server (the fast-test stand-in for an API
 * server) lacks server-side apply: {@link ServerSideApplier} is for real clusters, {@link
 * MergePatchApplier} works everywhere.
 *
 * <p><b>Idempotency.</b> Applying the same desired object again changes nothing: no write is sent
 * ({@link MergePatchApplier}) or the API server finds nothing to change and keeps the {@code
 * resourceVersion} ({@link ServerSideApplier}). A call that creates the object says so ({@link
 * Applied#created()}); a crash between two calls leaves objects that the next, identical calls
 * complete.
 *
 * <p><b>Ownership.</b> An existing object whose {@code hangar.dev/workspace-id} label names another
 * workspace is never overwritten: {@link #apply} throws a transient {@link ProviderException}
 * (usually an earlier workspace of the same owner and name that is still being deleted).
 *
 * <p>Implementations are thread-safe.
 */
public interface ObjectApplier {

    /**
     * The live object after a write, as the API server returned it.
     *
     * @param object the object (with uid, resourceVersion and status)
     * @param created whether this write created it
     */
    record Applied<T extends HasMetadata>(T object, boolean created) {
        public Applied {
            Objects.requireNonNull(object, "object");
        }
    }

    /**
     * @param desired an object with apiVersion, kind, metadata.name and metadata.namespace set
     * @param adapt given the live object and {@code desired}, the object to write over that live one
     *     (for example {@code desired} with the live claim's immutable storage class); called only when
     *     the object exists and only when the implementation had to read it (always for {@link
     *     MergePatchApplier}; for {@link ServerSideApplier} after the API server refused the apply with
     *     422 or 409)
     * @return the live object after the call, and whether the call created it
     * @throws io.fabric8.kubernetes.client.KubernetesClientException if the API server refuses
     * @throws ProviderException if the object belongs to another workspace
     */
    <T extends HasMetadata> Applied<T> write(T desired, BinaryOperator<T> adapt);

    /**
     * Drops what the applier remembers about a workspace's objects (they are being deleted); default:
     * nothing. Idempotent.
     *
     * @param workspaceId the value of the objects' {@code hangar.dev/workspace-id} label
     */
    default void forget(String workspaceId) {}

    /**
     * {@link #write} with nothing to adapt.
     *
     * @return the live object after the call
     */
    default <T extends HasMetadata> T apply(T desired) {
        return write(desired, (live, same) -> same).object();
    }

    /** @return the applier for {@code mode} over {@code client} */
    static ObjectApplier of(ApplyMode mode, KubernetesClient client) {
        return switch (mode) {
            case SERVER_SIDE -> new ServerSideApplier(client);
            case MERGE -> new MergePatchApplier(client);
        };
    }

    /**
     * @throws ProviderException (transient) if {@code live} carries another workspace id than {@code
     *     desired}
     */
    static void requireSameWorkspace(HasMetadata live, HasMetadata desired) {
        String want = label(desired);
        String have = label(live);
        if (want != null && have != null && !Objects.equals(want, have)) {
            throw new ProviderException(
                    live.getKind() + " " + live.getMetadata().getNamespace() + "/"
                            + live.getMetadata().getName()
                            + " belongs to workspace " + have + ", not " + want
                            + " (an earlier workspace of the same name still being deleted?); retrying",
                    false);
        }
    }

    private static String label(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels == null ? null : labels.get(WorkspaceManifests.LABEL_WORKSPACE_ID);
    }
}
