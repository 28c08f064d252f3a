package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.SecretFile;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Builds a workspace's user-secrets Secret ({@code v1/Secret} {@link WorkspaceNames#userSecrets()},
 * type {@code Opaque}): one {@code data} key per Hangar secret of the owner ({@link
 * WorkspaceSpec#secrets()}), the name as the key and the value base64 (as {@code data} requires).
 * The pod projects it read-only at {@value WorkspaceManifests#USER_SECRETS_MOUNT}, so each secret is
 * the file {@code /var/secrets/<name>}. The provider applies it on starts only (the spec carries the
 * secrets then), so a new value arrives with the next start; its data is not in the pod template's
 * hash, so a changed secret never rolls a running pod. The dry run redacts every value ({@link
 * KubernetesManifestRenderer}). Pure; thread-safe.
 */
final class UserSecretManifests {
    private final KubernetesSettings settings;

    /** @param settings the provider settings; only the namespace is used */
    UserSecretManifests(KubernetesSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** @return a new Secret in the provider's namespace with the spec's secrets (empty data for none) */
    Secret build(WorkspaceSpec spec, WorkspaceNames names, Map<String, String> labels) {
        Map<String, String> data = new TreeMap<>();
        for (SecretFile f : spec.secrets())
            data.put(f.name(), Base64.getEncoder().encodeToString(f.value()));
        return new SecretBuilder()
                .withMetadata(WorkspaceManifests.meta(settings.namespace(), names.userSecrets(), labels))
                .withType("Opaque")
                .withData(data)
                .build();
    }
}
