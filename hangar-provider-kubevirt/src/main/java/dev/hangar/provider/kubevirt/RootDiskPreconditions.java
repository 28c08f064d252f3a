package dev.hangar.provider.kubevirt;

import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Objects;
import java.util.Optional;

/**
 * What must exist in the cluster before a workspace's DataVolume is written, so that a template or
 * setting naming something missing fails at once and leaves nothing behind (rather than a
 * DataVolume that CDI never fills). Stateless apart from the client; thread-safe.
 */
final class RootDiskPreconditions {
    private final KubernetesClient client;
    private final KubevirtSettings settings;

    RootDiskPreconditions(KubernetesClient client, KubevirtSettings settings) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * @return whether {@link #check} reads anything for {@code spec}: a StorageClass is configured, or
     *     the template clones a DataSource or a golden claim (an image URL needs no read)
     */
    boolean reads(WorkspaceSpec spec) {
        if (settings.cluster().storageClassName().isPresent()) return true;
        VmTemplateSettings.RootDiskSource source =
                VmTemplateSettings.parse(spec.settings(), settings.namespace()).source();
        return source instanceof VmTemplateSettings.RootDiskSource.DataSource
                || source instanceof VmTemplateSettings.RootDiskSource.Pvc;
    }

    /**
     * Checks what a new root disk needs, when the cluster lets Hangar look: the configured
     * StorageClass (skipped when reading StorageClasses is forbidden: CDI then reports a wrong class on
     * the DataVolume), the template's DataSource or golden PersistentVolumeClaim. Reads only.
     *
     * @throws ProviderException (permanent) naming what is missing and the setting that names it
     * @throws KubernetesClientException for other API errors
     */
    void check(WorkspaceSpec spec) {
        Optional<String> storageClass = settings.cluster().storageClassName();
        if (storageClass.isPresent()) {
            try {
                if (client.storage()
                                .v1()
                                .storageClasses()
                                .withName(storageClass.get())
                                .get()
                        == null) {
                    throw new ProviderException(
                            "StorageClass '" + storageClass.get() + "' (kubevirt provider setting storage-class)"
                                    + " does not exist in the cluster; name an existing one or leave it unset for"
                                    + " the cluster default",
                            true);
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() != 403) throw e;
                // Not allowed to read StorageClasses: CDI reports a wrong class on the DataVolume.
            }
        }
        VmTemplateSettings.RootDiskSource source =
                VmTemplateSettings.parse(spec.settings(), settings.namespace()).source();
        if (source instanceof VmTemplateSettings.RootDiskSource.DataSource ds
                && client.genericKubernetesResources(KubevirtApi.DATA_SOURCE)
                                .inNamespace(ds.namespace())
                                .withName(ds.name())
                                .get()
                        == null) {
            throw new ProviderException(
                    "DataSource " + ds.namespace() + "/" + ds.name() + " (template '" + spec.template()
                            + "' setting source-data-source) does not exist",
                    true);
        }
        if (source instanceof VmTemplateSettings.RootDiskSource.Pvc pvc) {
            if (client.persistentVolumeClaims()
                            .inNamespace(pvc.namespace())
                            .withName(pvc.name())
                            .get()
                    == null) {
                throw new ProviderException(
                        "golden PersistentVolumeClaim " + pvc.namespace() + "/" + pvc.name() + " (template '"
                                + spec.template() + "' setting source-pvc) does not exist",
                        true);
            }
        }
    }
}
