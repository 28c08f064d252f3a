package dev.hangar.provider.kubevirt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.provider.kubernetes.ApplyMode;
import dev.hangar.provider.kubernetes.MergePatchApplier;
import dev.hangar.provider.kubernetes.ObjectApplier;
import dev.hangar.provider.kubernetes.ServerSideApplier;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.zjsonpatch.JsonDiff;
import java.util.Objects;

/**
 * Writes the workspace's objects with the Pod provider's semantics ({@link ObjectApplier}: the live
 * object gets every field the desired one sets; re-applying the same object sends no write in merge
 * mode and changes nothing in server-side mode; an object of another workspace is never overwritten).
 * Core objects (Secret, Service) go through the Pod provider's {@link ObjectApplier}; KubeVirt and
 * CDI objects ({@link GenericKubernetesResource}) through fabric8's generic client with their {@link
 * ResourceDefinitionContext}, so no discovery request is sent per write.
 *
 * <p>Thread-safe; one GET and at most one write per call.
 */
final class VmObjectApplier {
    private final KubernetesClient client;
    private final ApplyMode mode;
    private final ObjectApplier typed;

    VmObjectApplier(KubernetesClient client, ApplyMode mode) {
        this.client = Objects.requireNonNull(client, "client");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.typed = ObjectApplier.of(mode, client);
    }

    /**
     * @return the live object after the call
     * @throws io.fabric8.kubernetes.client.KubernetesClientException if the API server refuses
     * @throws dev.hangar.provider.spi.ProviderException if the object belongs to another workspace
     */
    HasMetadata apply(HasMetadata desired) {
        if (!(desired instanceof GenericKubernetesResource generic)) {
            return typed.apply(desired);
        }
        ResourceDefinitionContext context = switch (generic.getKind()) {
            case "VirtualMachine" -> KubevirtApi.VIRTUAL_MACHINE;
            case "DataVolume" -> KubevirtApi.DATA_VOLUME;
            default -> throw new IllegalArgumentException("not a KubeVirt or CDI kind: " + generic.getKind());
        };
        Resource<GenericKubernetesResource> resource = client.genericKubernetesResources(context)
                .inNamespace(generic.getMetadata().getNamespace())
                .resource(generic);
        GenericKubernetesResource live = resource.get();
        if (live != null) {
            ObjectApplier.requireSameWorkspace(live, generic);
        }
        if (mode == ApplyMode.SERVER_SIDE) {
            return resource.fieldManager(ServerSideApplier.FIELD_MANAGER)
                    .forceConflicts()
                    .serverSideApply();
        }
        if (live == null) {
            return resource.create();
        }
        JsonNode liveJson = client.getKubernetesSerialization().convertValue(live, JsonNode.class);
        JsonNode patch = client.getKubernetesSerialization().convertValue(generic, JsonNode.class);
        JsonNode target = MergePatchApplier.mergePatch(liveJson, patch);
        if (target.equals(liveJson)) {
            return live;
        }
        return resource.patch(
                PatchContext.of(PatchType.JSON),
                JsonDiff.asJson(liveJson, target).toString());
    }
}
