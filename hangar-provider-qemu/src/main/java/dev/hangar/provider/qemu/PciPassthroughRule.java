package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.DeviceRequest;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One entry of the admin's allow-list of host PCI devices that local VMs may get by passthrough
 * ({@code vfio-pci}; issue #19), from {@code providers.qemu.pci-devices}: the device name a
 * workspace asks for ({@link DeviceRequest#name()}, e.g. {@code nvidia.com/gpu}) and which host
 * devices serve it, either one PCI address or every device with a {@code vendor:device} id.
 */
public sealed interface PciPassthroughRule {
    /** A PCI address in sysfs form: domain, bus, device, function ({@code 0000:01:00.0}). */
    Pattern ADDRESS = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\\.[0-7]");
    /** A PCI {@code vendor:device} id, as {@code lspci -nn} prints it ({@code 10de:1eb8}). */
    Pattern ID = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{4}");

    /** @return the device name workspaces ask for */
    String name();

    /**
     * The device at one PCI address.
     *
     * @param name the device name, e.g. {@code nvidia.com/gpu}
     * @param address the sysfs PCI address, e.g. {@code 0000:01:00.0} (lower-case hex)
     */
    record ByAddress(String name, String address) implements PciPassthroughRule {
        /** @throws IllegalArgumentException for an invalid name or address (the message says which) */
        public ByAddress {
            checkName(name);
            Objects.requireNonNull(address, "address");
            if (!ADDRESS.matcher(address).matches())
                throw new IllegalArgumentException("PCI address '" + address
                        + "' must be domain:bus:device.function in lower-case hex, e.g. 0000:01:00.0");
        }
    }

    /**
     * Every host device with one {@code vendor:device} id.
     *
     * @param name the device name, e.g. {@code nvidia.com/gpu}
     * @param id the PCI id, e.g. {@code 10de:1eb8} (lower-case hex)
     */
    record ById(String name, String id) implements PciPassthroughRule {
        /** @throws IllegalArgumentException for an invalid name or id (the message says which) */
        public ById {
            checkName(name);
            Objects.requireNonNull(id, "id");
            if (!ID.matcher(id).matches())
                throw new IllegalArgumentException(
                        "PCI id '" + id + "' must be vendor:device in lower-case hex, e.g. 10de:1eb8");
        }

        /** @return the vendor id, e.g. {@code 10de} */
        public String vendor() {
            return id.substring(0, 4);
        }

        /** @return the device id, e.g. {@code 1eb8} */
        public String device() {
            return id.substring(5);
        }
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        String problem = DeviceRequest.nameProblem(name);
        if (!problem.isEmpty()) throw new IllegalArgumentException(problem);
    }
}
