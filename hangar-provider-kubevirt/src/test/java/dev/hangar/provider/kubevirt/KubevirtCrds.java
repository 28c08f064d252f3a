package dev.hangar.provider.kubevirt;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Registers KubeVirt's and CDI's kinds with fabric8's mock server, as installing KubeVirt and CDI
 * does on a real cluster: the mock then answers API discovery for {@code kubevirt.io/v1} and {@code
 * cdi.kubevirt.io/v1beta1}. Schemaless (the mock does not validate); the structural schemas are
 * real-API-server test ({@code src/test/resources/crds/kubevirt-cdi.yaml}, KubernetesWorkspaceIT).
 */
final class KubevirtCrds {
    private KubevirtCrds() {}

    static void install(KubernetesClient client) {
        create(client, "kubevirt.io", "v1", "VirtualMachine", "virtualmachines");
        create(client, "kubevirt.io", "v1", "VirtualMachineInstance", "virtualmachineinstances");
        create(client, "cdi.kubevirt.io", "v1beta1", "DataVolume", "datavolumes");
        create(client, "cdi.kubevirt.io", "v1beta1", "DataSource", "datasources");
    }

    private static void create(KubernetesClient client, String group, String version, String kind, String plural) {
        CustomResourceDefinition crd = new CustomResourceDefinitionBuilder()
                .withNewMetadata()
                .withName(plural + "." + group)
                .endMetadata()
                .withNewSpec()
                .withGroup(group)
                .withScope("Namespaced")
                .withNewNames()
                .withKind(kind)
                .withPlural(plural)
                .withSingular(kind.toLowerCase(java.util.Locale.ROOT))
                .endNames()
                .addNewVersion()
                .withName(version)
                .withServed(true)
                .withStorage(true)
                .withNewSchema()
                .withNewOpenAPIV3Schema()
                .withType("object")
                .withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema()
                .endSchema()
                .endVersion()
                .endSpec()
                .build();
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
}
