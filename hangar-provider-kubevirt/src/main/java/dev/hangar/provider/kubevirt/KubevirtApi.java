package dev.hangar.provider.kubevirt;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The KubeVirt and CDI kinds this provider reads and writes, as fabric8 {@link
 * ResourceDefinitionContext}s (group, version, plural: no discovery request per call), and the
 * discovery check that the cluster serves them.
 *
 * <p>Thread-safe; {@link #missing} sends one request per API group version.
 */
public final class KubevirtApi {
    /** KubeVirt's API group version. */
    public static final String KUBEVIRT_V1 = "kubevirt.io/v1";
    /** CDI's API group version. */
    public static final String CDI_V1BETA1 = "cdi.kubevirt.io/v1beta1";

    /** {@code kubevirt.io/v1 VirtualMachine}. */
    public static final ResourceDefinitionContext VIRTUAL_MACHINE =
            context("kubevirt.io", "v1", "VirtualMachine", "virtualmachines");
    /** {@code kubevirt.io/v1 VirtualMachineInstance} (read only). */
    public static final ResourceDefinitionContext VIRTUAL_MACHINE_INSTANCE =
            context("kubevirt.io", "v1", "VirtualMachineInstance", "virtualmachineinstances");
    /** {@code cdi.kubevirt.io/v1beta1 DataVolume}. */
    public static final ResourceDefinitionContext DATA_VOLUME =
            context("cdi.kubevirt.io", "v1beta1", "DataVolume", "datavolumes");

    /** {@code cdi.kubevirt.io/v1beta1 DataSource} (read only: a clone source checked to exist). */
    public static final ResourceDefinitionContext DATA_SOURCE =
            context("cdi.kubevirt.io", "v1beta1", "DataSource", "datasources");

    private KubevirtApi() {}

    private static ResourceDefinitionContext context(String group, String version, String kind, String plural) {
        return new ResourceDefinitionContext.Builder()
                .withGroup(group)
                .withVersion(version)
                .withKind(kind)
                .withPlural(plural)
                .withNamespaced(true)
                .build();
    }

    /**
     * Asks the API server (API group discovery, {@code GET /apis/<group>/<version>}) whether it serves
     * the kinds this provider needs.
     *
     * @return empty when both KubeVirt's VirtualMachine and CDI's DataVolume are served; else what to
     *     install, naming the missing group versions
     * @throws io.fabric8.kubernetes.client.KubernetesClientException when the API server cannot be
     *     asked (unreachable, credentials refused)
     */
    public static Optional<String> missing(KubernetesClient client) {
        List<String> missing = new ArrayList<>();
        if (!serves(client, KUBEVIRT_V1, "virtualmachines")) {
            missing.add(KUBEVIRT_V1 + " (VirtualMachine): install KubeVirt (its operator and a KubeVirt custom"
                    + " resource)");
        }
        if (!serves(client, CDI_V1BETA1, "datavolumes")) {
            missing.add(CDI_V1BETA1 + " (DataVolume): install the Containerized Data Importer, CDI (its operator"
                    + " and a CDI custom resource)");
        }
        if (missing.isEmpty()) return Optional.empty();
        return Optional.of("the cluster does not serve " + String.join("; nor ", missing)
                + ". KubeVirt workspaces need both; ask the cluster administrator, or use another template");
    }

    private static boolean serves(KubernetesClient client, String groupVersion, String plural) {
        APIResourceList resources = client.getApiResources(groupVersion);
        if (resources == null || resources.getResources() == null) return false;
        return resources.getResources().stream().map(APIResource::getName).anyMatch(plural::equals);
    }
}
