package dev.hangar.provider.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.Objects;

/**
 * Kubernetes server-side apply with field manager {@value #FIELD_MANAGER}, conflicts forced (Hangar
 * owns the fields it sets on its workspace objects). The API server tracks which fields Hangar set,
 * so fields dropped from the desired object are removed, and an apply that changes nothing keeps
 * the object's {@code resourceVersion}.
 *
 * <p>Needs a real API server (1.18+; fabric8's mock server does not implement it). One GET (for
 * the ownership check) and one PATCH per call; thread-safe.
 */
public final class ServerSideApplier implements ObjectApplier {
    /** The field manager name recorded in {@code metadata.managedFields}. */
    public static final String FIELD_MANAGER = "hangar";

    private final KubernetesClient client;

    public ServerSideApplier(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public <T extends HasMetadata> T apply(T desired) {
        Resource<T> resource = client.resource(desired);
        T live = resource.get();
        if (live != null) {
            ObjectApplier.requireSameWorkspace(live, desired);
        }
        return resource.fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }
}
