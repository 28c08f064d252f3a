package dev.hangar.testing.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.api.Json;
import dev.hangar.provider.kubernetes.WorkspaceManifests;
import dev.hangar.provider.kubevirt.KubevirtApi;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What {@link KubevirtScenario} reads of KubeVirt's and CDI's objects in one namespace, as the
 * cluster admin: the CRDs' installation, VMs, VMIs, DataVolumes, a stored object compared with the
 * dry run's, a bystander VM, and a description of them all for a failure message. Not thread-safe (a test's own view).
 */
final class KubevirtCluster {
    private final KubernetesClient admin;
    private final String namespace;

    KubevirtCluster(KubernetesClient admin, String namespace) {
        this.admin = admin;
        this.namespace = namespace;
    }

    /** Installs the CRDs (server-side apply, idempotent) and waits until the API server serves them. */
    static void installCrds(KubernetesClient admin, Path crds) throws Exception {
        try (InputStream in = Files.newInputStream(crds)) {
            for (HasMetadata crd : admin.load(in).items()) {
                admin.resource(crd).fieldManager("hangar-it").forceConflicts().serverSideApply();
            }
        }
        for (String name : List.of(
                "virtualmachines.kubevirt.io",
                "virtualmachineinstances.kubevirt.io",
                "datavolumes.cdi.kubevirt.io",
                "datasources.cdi.kubevirt.io")) {
            admin.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(name)
                    .waitUntilCondition(KubevirtCluster::established, 1, TimeUnit.MINUTES);
        }
    }

    private static boolean established(CustomResourceDefinition crd) {
        return crd != null
                && crd.getStatus() != null
                // a CRD just created has a status without conditions until the API server names it
                && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
            vms() {
        return admin.genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE).inNamespace(namespace);
    }

    NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
            dataVolumes() {
        return admin.genericKubernetesResources(KubevirtApi.DATA_VOLUME).inNamespace(namespace);
    }

    GenericKubernetesResource vm(String name) {
        return vms().withName(name).get();
    }

    GenericKubernetesResource vmiOrNull(String name) {
        return admin.genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE_INSTANCE)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    GenericKubernetesResource vmi(String name) {
        GenericKubernetesResource vmi = vmiOrNull(name);
        assertThat(vmi).as("VMI " + name).isNotNull();
        return vmi;
    }

    /** @return the uid of the VMI {@code name}, empty when there is none */
    String vmiUid(String name) {
        GenericKubernetesResource vmi = vmiOrNull(name);
        return vmi == null ? "" : vmi.getMetadata().getUid();
    }

    /** @return the text at {@code path} in {@code o}'s fields, empty when absent */
    @SuppressWarnings("unchecked")
    static String text(GenericKubernetesResource o, String... path) {
        Object node = o.getAdditionalProperties();
        for (String p : path) node = node instanceof Map<?, ?> m ? ((Map<String, Object>) m).get(p) : null;
        return node == null ? "" : node.toString();
    }

    /** @return every VM, VMI, DataVolume and pod of the namespace with its status, for a failure message */
    String describe() {
        List<String> lines = new ArrayList<>();
        for (ResourceDefinitionContext kind :
                List.of(KubevirtApi.VIRTUAL_MACHINE, KubevirtApi.VIRTUAL_MACHINE_INSTANCE, KubevirtApi.DATA_VOLUME)) {
            for (GenericKubernetesResource o : admin.genericKubernetesResources(kind)
                    .inNamespace(namespace)
                    .list()
                    .getItems()) {
                lines.add(o.getKind() + "/" + o.getMetadata().getName() + " spec.runStrategy="
                        + text(o, "spec", "runStrategy") + " status="
                        + o.getAdditionalProperties().get("status"));
            }
        }
        for (var pod : admin.pods().inNamespace(namespace).list().getItems()) {
            lines.add("Pod/" + pod.getMetadata().getName() + " " + pod.getStatus());
        }
        return String.join("\n", lines);
    }

    /**
     * The stored object's {@code spec} equals the dry run's (its workspace id replaced by the real
     * one): the API server pruned nothing, so every field the provider writes is in KubeVirt's and
     * CDI's schema, at its place.
     */
    static void assertStoredAsBuilt(JsonNode dryItems, String id, String kind, GenericKubernetesResource stored)
            throws Exception {
        JsonNode built = null;
        for (JsonNode item : dryItems) if (item.path("kind").asText().equals(kind)) built = item;
        assertThat(built).as("dry run lists a " + kind).isNotNull();
        String dryId = built.path("metadata")
                .path("labels")
                .path(WorkspaceManifests.LABEL_WORKSPACE_ID)
                .asText();
        JsonNode expected = Json.mapper().readTree(built.path("spec").toString().replace(dryId, id));
        JsonNode actual =
                Json.mapper().valueToTree(stored.getAdditionalProperties().get("spec"));
        if (kind.equals("VirtualMachine")) {
            // The dry run shows a running workspace; the first apply writes it Halted until its disk exists.
            ((ObjectNode) expected)
                    .put("runStrategy", actual.path("runStrategy").asText());
        }
        assertThat(actual).as(kind + " spec as stored vs as built").isEqualTo(expected);
    }

    /** @return a halted VM named {@code bystander} that is no workspace's (delete must not touch it) */
    GenericKubernetesResource bystanderVm() {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(KubevirtApi.KUBEVIRT_V1)
                .withKind("VirtualMachine")
                .withNewMetadata()
                .withName("bystander")
                .withNamespace(namespace)
                .endMetadata()
                .withAdditionalProperties(Map.of(
                        "spec",
                        Map.of(
                                "runStrategy",
                                "Halted",
                                "template",
                                Map.of("spec", Map.of("domain", Map.of("devices", Map.of()))))))
                .build();
    }
}
