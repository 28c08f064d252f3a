package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a workspace's home volume claim ({@code v1/PersistentVolumeClaim} {@link
 * WorkspaceNames#homeClaim()}): {@code accessModes [ReadWriteOnce]}, {@code volumeMode Filesystem},
 * {@code resources.requests.storage} = the spec's {@code diskGiB} in {@code Gi} (binary gibibytes),
 * and {@code storageClassName} from the template's {@code storage-class}, else the provider's, else
 * unset (the cluster's default class). The pod mounts it at {@value
 * WorkspaceManifests#STORAGE_MOUNT}; it outlives the pod, so stop (scale to 0) keeps the data.
 *
 * <p>These are the values for a new claim; {@link WorkspaceObjects#withExistingClaim} keeps the
 * immutable ones of a claim that already exists. Pure: no cluster access, same input gives equal
 * output, thread-safe.
 */
final class HomeClaimManifests {
    private final KubernetesSettings settings;

    /** @param settings the provider settings; the namespace and default storage class are used */
    HomeClaimManifests(KubernetesSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * @param spec the workspace; {@code resources().diskGiB()} is the requested size
     * @param template the template's parsed settings ({@code storage-class})
     * @param names the workspace's object names
     * @param labels the labels every workspace object carries ({@link WorkspaceManifests#labels})
     * @return a new claim in the provider's namespace
     */
    PersistentVolumeClaim build(
            WorkspaceSpec spec, TemplateSettings template, WorkspaceNames names, Map<String, String> labels) {
        String storageClass = template.storageClass().isEmpty() ? settings.storageClass() : template.storageClass();
        return new PersistentVolumeClaimBuilder()
                .withMetadata(WorkspaceManifests.meta(settings.namespace(), names.homeClaim(), labels))
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withVolumeMode("Filesystem")
                .withStorageClassName(storageClass.isEmpty() ? null : storageClass)
                .withNewResources()
                .addToRequests("storage", new Quantity(spec.resources().diskGiB() + "Gi"))
                .endResources()
                .endSpec()
                .build();
    }
}
