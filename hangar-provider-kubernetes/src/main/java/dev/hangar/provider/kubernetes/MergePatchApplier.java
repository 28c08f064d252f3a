package dev.hangar.provider.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.zjsonpatch.JsonDiff;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BinaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Create-or-merge-patch: GET the object; create it when absent; when present, compute what an RFC
 * 7386 JSON merge patch of the desired object would make of the live one and, only if that differs
 * from the live object, send the difference as an RFC 6902 JSON Patch (computed with zjsonpatch).
 * JSON Patch rather than the merge patch itself because fabric8's mock server merges lists in merge
 * patches (a second owner reference was appended instead of replacing the first); a JSON Patch of
 * exact operations means the same on every server.
 *
 * <p>Used where server-side apply is missing (fabric8's mock server). Its limit, compared to
 * server-side apply: a merge patch cannot tell which fields Hangar set before, so a map key or
 * field that disappears from the desired object (say a removed node-selector entry) stays on the
 * live object. Lists are replaced whole, as RFC 7386 says.
 *
 * <p>Thread-safe; one GET and at most one write per call.
 */
public final class MergePatchApplier implements ObjectApplier {
    private static final Logger LOG = LoggerFactory.getLogger(MergePatchApplier.class);
    private final KubernetesClient client;

    public MergePatchApplier(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public <T extends HasMetadata> Applied<T> write(T wanted, BinaryOperator<T> adapt) {
        Resource<T> resource = client.resource(wanted);
        T live = resource.get();
        if (live == null) {
            return new Applied<>(resource.create(), true);
        }
        ObjectApplier.requireSameWorkspace(live, wanted);
        T desired = adapt.apply(live, wanted);
        JsonNode liveJson = client.getKubernetesSerialization().convertValue(live, JsonNode.class);
        JsonNode patch = client.getKubernetesSerialization().convertValue(desired, JsonNode.class);
        JsonNode target = mergePatch(liveJson, patch);
        if (target.equals(liveJson)) {
            return new Applied<>(live, false);
        }
        JsonNode operations = JsonDiff.asJson(liveJson, target);
        if (LOG.isDebugEnabled()) {
            // Paths only: values may be Secret data.
            List<String> paths = new ArrayList<>();
            operations.forEach(op ->
                    paths.add(op.path("op").asText() + " " + op.path("path").asText()));
            LOG.debug("patching {} {}: {}", live.getKind(), live.getMetadata().getName(), paths);
        }
        return new Applied<>(resource.patch(PatchContext.of(PatchType.JSON), operations.toString()), false);
    }

    /**
     * The MergePatch function of RFC 7386 section 2.
     *
     * @param target the document to patch; not modified
     * @param patch the merge patch; {@code null} members remove keys
     * @return the patched document
     */
    public static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject()
                ? ((ObjectNode) target).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> member : patch.properties()) {
            if (member.getValue().isNull()) {
                result.remove(member.getKey());
            } else {
                result.set(member.getKey(), mergePatch(result.get(member.getKey()), member.getValue()));
            }
        }
        return result;
    }
}
