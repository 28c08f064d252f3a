package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.ManifestRenderer;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The dry run of a Pod workspace: the objects of {@link WorkspaceManifests} for a running workspace
 * (StatefulSet with 1 replica, SSH Secret, home claim, Service, in the order {@link
 * WorkspaceObjects#all()} lists them), as trees, without owner references (they need the live
 * StatefulSet's uid). In the SSH Secret the private host key ({@code ssh_host_<type>_key}) is
 * {@value ManifestRenderer#REDACTED}; {@code authorized_keys}, the public key and the certificate
 * stay. In the user-secrets Secret every value is {@value ManifestRenderer#REDACTED} (the names
 * stay). Pure: no cluster access; thread-safe.
 */
public final class KubernetesManifestRenderer implements ManifestRenderer {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final WorkspaceManifests manifests;

    /** @param manifests the builder the provider applies objects from */
    public KubernetesManifestRenderer(WorkspaceManifests manifests) {
        this.manifests = Objects.requireNonNull(manifests, "manifests");
    }

    /** @throws dev.hangar.provider.spi.ProviderException as {@link WorkspaceManifests#build} */
    @Override
    public List<Map<String, Object>> render(WorkspaceSpec spec) {
        WorkspaceObjects objects = manifests.build(spec, PowerState.RUNNING);
        return objects.all().stream()
                .map(o -> o == objects.userSecrets()
                        ? redactSecret(tree(o), key -> true)
                        : redactSecret(tree(o), KubernetesManifestRenderer::isPrivateHostKey))
                .toList();
    }

    /** @return whether a key of the SSH Secret holds a private host key ({@code ssh_host_*_key}) */
    static boolean isPrivateHostKey(String key) {
        return key.startsWith("ssh_host_") && key.endsWith("_key");
    }

    /**
     * @param object a fabric8 model object
     * @return {@code object} as a JSON tree of maps and lists, as the API server would read it
     *     (fields that are not set left out); a fresh copy
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> tree(HasMetadata object) {
        return new LinkedHashMap<String, Object>(SERIALIZATION.convertValue(object, Map.class));
    }

    /**
     * Replaces secret values of a {@code v1/Secret} tree by {@value ManifestRenderer#REDACTED}; other
     * kinds are returned unchanged.
     *
     * @param tree an object as {@link #tree} makes it
     * @param secret which keys of the Secret's {@code data} and {@code stringData} are secret
     * @return {@code tree} itself, changed in place
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> redactSecret(Map<String, Object> tree, Predicate<String> secret) {
        if (!"Secret".equals(tree.get("kind")) || !"v1".equals(tree.get("apiVersion"))) return tree;
        for (String field : List.of("data", "stringData")) {
            if (tree.get(field) instanceof Map<?, ?> data) {
                Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) data);
                copy.replaceAll((k, v) -> secret.test(k) ? ManifestRenderer.REDACTED : v);
                tree.put(field, copy);
            }
        }
        return tree;
    }
}
