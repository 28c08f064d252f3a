package dev.hangar.provider.kubevirt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.provider.kubernetes.ApplyMode;
import dev.hangar.provider.kubernetes.MergePatchApplier;
import dev.hangar.provider.kubernetes.ObjectApplier;
import dev.hangar.provider.kubernetes.ParallelWrites;
import dev.hangar.provider.kubernetes.ServerSideApplier;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.zjsonpatch.JsonDiff;
import java.util.List;
import java.util.Objects;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;

/**
 * Writes the workspace's objects with the Pod provider's semantics ({@link ObjectApplier}: the live
 * object gets every field the desired one sets; re-applying the same object sends no write; an object
 * of another workspace is never overwritten). In server-side mode every object, core or KubeVirt/CDI,
 * goes through one {@link ServerSideApplier} (one unforced PATCH as the workspace's own field manager,
 * a read instead when the desired object is the one last written; KubeVirt and CDI kinds with their
 * {@link ResourceDefinitionContext}, so no discovery request is sent per write). In merge mode core
 * objects go through {@link MergePatchApplier} and KubeVirt/CDI objects through fabric8's generic
 * client with a GET and at most one JSON Patch.
 *
 * <p>Thread-safe.
 */
final class VmObjectApplier {
    private static final BinaryOperator<GenericKubernetesResource> SAME = (live, desired) -> desired;
    private final KubernetesClient client;
    private final ApplyMode mode;
    private final ObjectApplier typed;
    private final ServerSideApplier serverSide;

    VmObjectApplier(KubernetesClient client, ApplyMode mode) {
        this.client = Objects.requireNonNull(client, "client");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.serverSide = new ServerSideApplier(client);
        this.typed = mode == ApplyMode.SERVER_SIDE ? serverSide : ObjectApplier.of(mode, client);
    }

    /** Forgets what was written for the workspace ({@link ObjectApplier#forget}). */
    void forget(String workspaceId) {
        typed.forget(workspaceId);
    }

    /** {@link #write} of an object known to exist or not worth telling apart: the live object after the call. */
    HasMetadata apply(HasMetadata desired) {
        return write(desired).object();
    }

    /**
     * {@link #apply} of independent objects (none refers to another's answer), all at once ({@link
     * ParallelWrites}: their requests are in flight together and the call takes about as long as the
     * slowest one rather than the sum). Each object is written exactly as {@link #apply} writes it
     * alone; every write runs to its end even when another fails.
     *
     * @return the live objects after the calls, in the order of {@code desired}
     * @throws RuntimeException the first failure in the order of {@code desired} (the others'
     *     added as suppressed), as {@link #write} throws it
     */
    List<HasMetadata> applyAll(List<? extends HasMetadata> desired) {
        return ParallelWrites.all(desired.stream()
                .map(object -> (Supplier<HasMetadata>) () -> apply(object))
                .toList());
    }

    /**
     * @return the live object after the call, and whether the call created it
     * @throws io.fabric8.kubernetes.client.KubernetesClientException if the API server refuses
     * @throws dev.hangar.provider.spi.ProviderException if the object belongs to another workspace
     */
    ObjectApplier.Applied<? extends HasMetadata> write(HasMetadata desired) {
        if (!(desired instanceof GenericKubernetesResource generic)) {
            return typed.write(desired, (live, same) -> same);
        }
        ResourceDefinitionContext context = switch (generic.getKind()) {
            case "VirtualMachine" -> KubevirtApi.VIRTUAL_MACHINE;
            case "DataVolume" -> KubevirtApi.DATA_VOLUME;
            default -> throw new IllegalArgumentException("not a KubeVirt or CDI kind: " + generic.getKind());
        };
        if (mode == ApplyMode.SERVER_SIDE) {
            return serverSide.write(generic, context, GenericKubernetesResource.class, SAME);
        }
        Resource<GenericKubernetesResource> resource = client.genericKubernetesResources(context)
                .inNamespace(generic.getMetadata().getNamespace())
                .resource(generic);
        GenericKubernetesResource live = resource.get();
        if (live == null) {
            return new ObjectApplier.Applied<>(resource.create(), true);
        }
        ObjectApplier.requireSameWorkspace(live, generic);
        JsonNode liveJson = client.getKubernetesSerialization().convertValue(live, JsonNode.class);
        JsonNode patch = client.getKubernetesSerialization().convertValue(generic, JsonNode.class);
        JsonNode target = MergePatchApplier.mergePatch(liveJson, patch);
        if (target.equals(liveJson)) {
            return new ObjectApplier.Applied<>(live, false);
        }
        return new ObjectApplier.Applied<>(
                resource.patch(
                        PatchContext.of(PatchType.JSON),
                        JsonDiff.asJson(liveJson, target).toString()),
                false);
    }
}
