package dev.hangar.provider.kubevirt;

import dev.hangar.provider.kubernetes.KubernetesManifestRenderer;
import dev.hangar.provider.spi.ManifestRenderer;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The dry run of a KubeVirt workspace: the objects of {@link KubevirtManifests} for a running
 * workspace (VirtualMachine with {@code runStrategy: Always}, cloud-init Secret, Service, root disk
 * DataVolume, in the order {@link KubevirtObjects#all()} lists them), as trees, without owner
 * references (they need the live VirtualMachine's uid). The cloud-init Secret's {@value
 * KubevirtManifests#USER_DATA_KEY} is {@value ManifestRenderer#REDACTED}: the user-data holds the
 * workspace's private host key. Pure: no cluster access (not even API discovery); thread-safe.
 */
public final class KubevirtManifestRenderer implements ManifestRenderer {
    private final KubevirtManifests manifests;

    /** @param manifests the builder the provider applies objects from */
    public KubevirtManifestRenderer(KubevirtManifests manifests) {
        this.manifests = Objects.requireNonNull(manifests, "manifests");
    }

    /** @throws dev.hangar.provider.spi.ProviderException as {@link KubevirtManifests#build} */
    @Override
    public List<Map<String, Object>> render(WorkspaceSpec spec) {
        KubevirtObjects objects = manifests.build(spec, PowerState.RUNNING);
        return objects.all().stream()
                // every key of the cloud-init Secret is secret: its user-data carries the private host key
                .map(o -> KubernetesManifestRenderer.redactSecret(KubernetesManifestRenderer.tree(o), key -> true))
                .toList();
    }
}
