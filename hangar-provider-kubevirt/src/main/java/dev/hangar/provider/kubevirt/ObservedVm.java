package dev.hangar.provider.kubevirt;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link KubevirtProvider#observe} read of one workspace: its VirtualMachine, the
 * VirtualMachineInstance and the root disk DataVolume, each as the API server returned it.
 *
 * @param names the workspace's object names
 * @param virtualMachine the VirtualMachine
 * @param instance the VirtualMachineInstance, when one exists
 * @param rootDisk the DataVolume, when it exists
 */
record ObservedVm(
        KubevirtNames names,
        GenericKubernetesResource virtualMachine,
        Optional<GenericKubernetesResource> instance,
        Optional<GenericKubernetesResource> rootDisk) {

    ObservedVm {
        Objects.requireNonNull(names, "names");
        Objects.requireNonNull(virtualMachine, "virtualMachine");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(rootDisk, "rootDisk");
    }

    /** @return the string at {@code path} in {@code object}, or empty */
    static Optional<String> text(GenericKubernetesResource object, String... path) {
        Object value = object.getAdditionalProperties();
        for (String key : path) {
            if (!(value instanceof Map<?, ?> map)) return Optional.empty();
            value = map.get(key);
        }
        return value == null ? Optional.empty() : Optional.of(String.valueOf(value));
    }

    /**
     * @return the {@code status.conditions} entry of {@code type}, as a map with {@code status},
     *     {@code reason} and {@code message} (missing ones empty)
     */
    static Optional<Map<String, String>> condition(GenericKubernetesResource object, String type) {
        if (!(object.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) return Optional.empty();
        if (!(status.get("conditions") instanceof List<?> conditions)) return Optional.empty();
        for (Object c : conditions) {
            if (c instanceof Map<?, ?> m && type.equals(m.get("type"))) {
                return Optional.of(Map.of(
                        "status", str(m.get("status")),
                        "reason", str(m.get("reason")),
                        "message", str(m.get("message"))));
            }
        }
        return Optional.empty();
    }

    private static String str(Object o) {
        return o == null ? "" : String.valueOf(o);
    }
}
