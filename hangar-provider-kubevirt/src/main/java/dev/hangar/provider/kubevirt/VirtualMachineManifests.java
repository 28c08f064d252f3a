package dev.hangar.provider.kubevirt;

import dev.hangar.provider.spi.DeviceRequest;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a workspace's {@code kubevirt.io/v1} VirtualMachine (seed 004's design).
 *
 * <ul>
 *   <li>{@code runStrategy} {@code Always} or {@code Halted}: KubeVirt's controller creates or removes
 *       the VirtualMachineInstance; stop keeps the root disk.
 *   <li>{@code spec.cpus} cores and {@code memoryMiB} MiB of memory (template defaults 2 / 4096).
 *   <li>Two virtio disks: {@code root}, the DataVolume {@link KubevirtNames#rootDisk()} (a {@code
 *       dataVolume} volume, not a {@code dataVolumeTemplates} entry: Hangar writes the DataVolume
 *       itself, so it sees import progress and failures from the start and deletes it explicitly), and
 *       {@code cloudinit}, a {@code cloudInitNoCloud} volume whose {@code secretRef} names the Secret
 *       holding the user-data (never inline: KubeVirt caps inline user-data at 2048 bytes).
 *   <li>One {@code masquerade} interface on the {@code pod} network, port 22 declared.
 *   <li>The VMI template's labels are the Service's selector ({@link KubevirtManifests#selector}),
 *       which KubeVirt copies onto the virt-launcher pod.
 *   <li>The requested devices as {@code gpus} / {@code hostDevices} entries ({@link VmDevices}), each
 *       list only when non-empty.
 *   <li>{@code evictionStrategy}, {@code nodeSelector} and {@code tolerations} from the template
 *       settings, each only when set.
 * </ul>
 *
 * <p>Pure: no cluster access, same input gives equal output, thread-safe.
 */
final class VirtualMachineManifests {
    /** The disk and volume name of the root disk. */
    static final String ROOT_DISK = "root";
    /** The disk and volume name of the cloud-init NoCloud disk. */
    static final String CLOUD_INIT_DISK = "cloudinit";
    /** The interface and network name. */
    static final String NETWORK = "default";

    private VirtualMachineManifests() {}

    static GenericKubernetesResource build(
            String namespace,
            WorkspaceSpec spec,
            VmTemplateSettings template,
            KubevirtNames names,
            Map<String, String> labels,
            String runStrategy,
            List<DeviceRequest> devices) {
        Map<String, Object> domain = new LinkedHashMap<>();
        domain.put("cpu", Map.of("cores", spec.resources().cpus()));
        domain.put(
                "resources",
                Map.of("requests", Map.of("memory", spec.resources().memoryMiB() + "Mi")));
        Map<String, Object> domainDevices = map(
                "disks",
                List.of(
                        map("name", ROOT_DISK, "disk", Map.of("bus", "virtio")),
                        map("name", CLOUD_INIT_DISK, "disk", Map.of("bus", "virtio"))),
                "interfaces",
                List.of(map(
                        "name",
                        NETWORK,
                        "masquerade",
                        Map.of(),
                        "ports",
                        List.of(map("name", "ssh", "port", 22, "protocol", "TCP")))));
        VmDevices.of(devices, template.deviceKinds()).addTo(domainDevices);
        domain.put("devices", domainDevices);

        Map<String, Object> vmiSpec = new LinkedHashMap<>();
        vmiSpec.put("domain", domain);
        vmiSpec.put("networks", List.of(map("name", NETWORK, "pod", Map.of())));
        vmiSpec.put(
                "volumes",
                List.of(
                        map("name", ROOT_DISK, "dataVolume", Map.of("name", names.rootDisk())),
                        map(
                                "name",
                                CLOUD_INIT_DISK,
                                "cloudInitNoCloud",
                                Map.of("secretRef", Map.of("name", names.cloudInitSecret())))));
        template.eviction().ifPresent(e -> vmiSpec.put("evictionStrategy", e));
        if (!template.nodeSelector().isEmpty()) vmiSpec.put("nodeSelector", template.nodeSelector());
        if (!template.tolerations().isEmpty()) vmiSpec.put("tolerations", tolerations(template.tolerations()));

        Map<String, Object> vmSpec = new LinkedHashMap<>();
        vmSpec.put("runStrategy", runStrategy);
        vmSpec.put(
                "template", map("metadata", Map.of("labels", KubevirtManifests.selectorOf(labels)), "spec", vmiSpec));
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(KubevirtApi.KUBEVIRT_V1)
                .withKind("VirtualMachine")
                .withMetadata(new ObjectMetaBuilder()
                        .withName(names.virtualMachine())
                        .withNamespace(namespace)
                        .withLabels(labels)
                        .build())
                .withAdditionalProperties(Map.of("spec", vmSpec))
                .build();
    }

    private static List<Map<String, Object>> tolerations(List<Toleration> tolerations) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Toleration t : tolerations) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", t.getKey());
            m.put("operator", t.getOperator());
            if (t.getValue() != null) m.put("value", t.getValue());
            if (t.getEffect() != null) m.put("effect", t.getEffect());
            out.add(m);
        }
        return out;
    }

    /** @return a mutable insertion-ordered map of the key/value pairs */
    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }
}
