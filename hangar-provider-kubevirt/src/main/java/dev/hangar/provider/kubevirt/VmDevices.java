package dev.hangar.provider.kubevirt;

import dev.hangar.provider.spi.DeviceRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a workspace's device requests (issue #19) into the entries of a KubeVirt VMI's {@code
 * spec.domain.devices.gpus[]} and {@code spec.domain.devices.hostDevices[]}.
 *
 * <p>Each unit of a request's count is one entry ({@code nvidia.com/gpu=2} gives two), because a
 * KubeVirt {@code V1GPU}/{@code V1HostDevice} stands for exactly one device: {@code deviceName} is
 * the request's name (the resource name the device plugin advertises and KubeVirt's {@code
 * permittedHostDevices} lists), {@code name} is unique within its list ({@code gpu1}, {@code gpu2},
 * ... and {@code hostdevice1}, ...), numbered in request order. Which list a request goes to is the
 * template's {@link Kind} for that name ({@link VmTemplateSettings#deviceKinds()}); a name the
 * template does not mention is a {@link Kind#GPU}, KubeVirt's usual way to pass a GPU through.
 *
 * <p>Pure: same input gives equal output, thread-safe.
 *
 * @param gpus the {@code gpus[]} entries, each {@code {name, deviceName}}; empty when none
 * @param hostDevices the {@code hostDevices[]} entries, each {@code {name, deviceName}}; empty when none
 */
public record VmDevices(List<Map<String, Object>> gpus, List<Map<String, Object>> hostDevices) {
    /** The JSON name of the GPU list in {@code spec.domain.devices}. */
    static final String GPUS = "gpus";
    /** The JSON name of the host device list in {@code spec.domain.devices}. */
    static final String HOST_DEVICES = "hostDevices";

    public VmDevices {
        gpus = List.copyOf(gpus);
        hostDevices = List.copyOf(hostDevices);
    }

    /** How KubeVirt is asked for a device: as a GPU or as a generic PCI/mediated host device. */
    public enum Kind {
        /** {@code spec.domain.devices.gpus[]}. */
        GPU("gpu"),
        /** {@code spec.domain.devices.hostDevices[]}. */
        HOST_DEVICE("hostDevice");

        private final String setting;

        Kind(String setting) {
            this.setting = setting;
        }

        /** @return the template setting's value for this kind: {@code gpu} or {@code hostDevice} */
        public String setting() {
            return setting;
        }
    }

    /**
     * @param requests the workspace's device requests, in order
     * @param kinds the template's kind per device name; names not in it are {@link Kind#GPU}
     * @return the entries of both lists
     */
    public static VmDevices of(List<DeviceRequest> requests, Map<String, Kind> kinds) {
        Objects.requireNonNull(kinds, "kinds");
        List<Map<String, Object>> gpus = new ArrayList<>();
        List<Map<String, Object>> hostDevices = new ArrayList<>();
        for (DeviceRequest r : requests) {
            boolean host = kinds.getOrDefault(r.name(), Kind.GPU) == Kind.HOST_DEVICE;
            List<Map<String, Object>> list = host ? hostDevices : gpus;
            for (int i = 0; i < r.count(); i++) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("name", (host ? "hostdevice" : "gpu") + (list.size() + 1));
                entry.put("deviceName", r.name());
                list.add(entry);
            }
        }
        return new VmDevices(gpus, hostDevices);
    }

    /**
     * Adds the non-empty lists to a VMI's {@code spec.domain.devices} map (an empty list is left out,
     * as KubeVirt itself writes it).
     *
     * @param devices the mutable {@code spec.domain.devices} map
     */
    public void addTo(Map<String, Object> devices) {
        if (!gpus.isEmpty()) devices.put(GPUS, gpus);
        if (!hostDevices.isEmpty()) devices.put(HOST_DEVICES, hostDevices);
    }
}
