package dev.hangar.provider.kubevirt;

import dev.hangar.provider.kubevirt.VmTemplateSettings.RootDiskSource;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.vm.CatalogImage;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a workspace's root disk, a {@code cdi.kubevirt.io/v1beta1} DataVolume named {@link
 * KubevirtNames#rootDisk()}: CDI creates a PersistentVolumeClaim of the same name and fills it.
 *
 * <ul>
 *   <li>Source: the catalog entry's {@code registry} image when it has one ({@code source.registry}),
 *       else its URL ({@code source.http}, with the catalog's pinned digest as CDI's {@code checksum});
 *       or, when the template names one, a clone of a golden PVC
 *       ({@code source.pvc}) or of a DataSource ({@code sourceRef}).
 *   <li>Size: {@code spec.diskGiB} Gi (template default 16), through CDI's {@code storage} API, so CDI
 *       picks access and volume modes from the StorageClass's profile; {@code storageClassName} from the
 *       provider's {@code storage-class} setting, else the cluster default.
 * </ul>
 *
 * <p>Pure: no cluster access, same input gives equal output, thread-safe.
 */
final class DataVolumeManifests {
    private DataVolumeManifests() {}

    /**
     * CDI's {@code source.http}: the image URL and, when the catalog entry pins its digest ({@code
     * sha256}/{@code sha512} in the catalog), {@code checksum: "<algorithm>:<hex>"}, which CDI's
     * importer verifies after the download (a mismatch fails the import, so the DataVolume never
     * succeeds and the workspace is Failed with CDI's reason). An entry that only names a published
     * checksum file ({@code checksum-url}) gets no {@code checksum}: the digest in such a file changes
     * when the distribution re-publishes the image under the same URL, while the DataVolume's spec is
     * written once and re-applied unchanged on every pass; pin the digest in the catalog to have it
     * verified.
     */
    private static Map<String, Object> http(CatalogImage entry) {
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("url", entry.url().toString());
        if (entry.checksum() instanceof CatalogImage.ChecksumSource.Inline inline) {
            http.put("checksum", inline.checksum().toString());
        }
        return http;
    }

    /**
     * @param image the catalog entry of {@code spec.image()}; read only for a {@link
     *     RootDiskSource.Catalog} source
     */
    static GenericKubernetesResource build(
            String namespace,
            Optional<String> storageClass,
            WorkspaceSpec spec,
            RootDiskSource source,
            Optional<CatalogImage> image,
            KubevirtNames names,
            Map<String, String> labels) {
        Map<String, Object> dvSpec = new LinkedHashMap<>();
        switch (source) {
            case RootDiskSource.Catalog c -> {
                CatalogImage entry = image.orElseThrow(() -> new IllegalArgumentException("catalog image required"));
                dvSpec.put(
                        "source",
                        entry.registryImage()
                                .map(url -> Map.<String, Object>of("registry", Map.of("url", url)))
                                .orElseGet(() -> Map.of("http", http(entry))));
            }
            case RootDiskSource.Pvc p ->
                dvSpec.put(
                        "source",
                        Map.of("pvc", VirtualMachineManifests.map("namespace", p.namespace(), "name", p.name())));
            case RootDiskSource.DataSource d ->
                dvSpec.put(
                        "sourceRef",
                        VirtualMachineManifests.map(
                                "kind", "DataSource", "namespace", d.namespace(), "name", d.name()));
        }
        Map<String, Object> storage = new LinkedHashMap<>();
        storage.put(
                "resources",
                Map.of("requests", Map.of("storage", spec.resources().diskGiB() + "Gi")));
        storageClass.ifPresent(sc -> storage.put("storageClassName", sc));
        dvSpec.put("storage", storage);
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(KubevirtApi.CDI_V1BETA1)
                .withKind("DataVolume")
                .withMetadata(new ObjectMetaBuilder()
                        .withName(names.rootDisk())
                        .withNamespace(namespace)
                        .withLabels(labels)
                        .build())
                .withAdditionalProperties(Map.of("spec", dvSpec))
                .build();
    }
}
