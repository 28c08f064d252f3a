package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.ProviderException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the host must offer before QEMU can pass a PCI device through with {@code vfio-pci}, read from
 * sysfs and {@code /dev} under an injectable root ({@code /} on a real host, a fake tree in tests):
 *
 * <ol>
 *   <li>the IOMMU is on: {@code /sys/kernel/iommu_groups} has at least one group;
 *   <li>the device exists: {@code /sys/bus/pci/devices/<address>};
 *   <li>it is bound to {@code vfio-pci}: its {@code driver} symlink names that driver;
 *   <li>its IOMMU group's VFIO node {@code /dev/vfio/<group>} exists (and the server may open it).
 * </ol>
 *
 * <p>The first unmet condition is reported as a sentence saying what the host lacks and how to fix
 * it. Also resolves the allow-list's {@code vendor:device} ids to the addresses of the devices that
 * have them. Reads only; thread-safe.
 */
public final class VfioHostCheck {
    /** The driver a passed-through device must be bound to. */
    public static final String VFIO_DRIVER = "vfio-pci";

    private final Path root;

    /** @param root the directory holding {@code sys/} and {@code dev/}: {@code /} on a real host */
    public VfioHostCheck(Path root) {
        this.root = Objects.requireNonNull(root, "root");
    }

    /** @return the check of this host ({@code /sys}, {@code /dev}) */
    public static VfioHostCheck ofThisHost() {
        return new VfioHostCheck(Path.of("/"));
    }

    /**
     * @param address a PCI address, e.g. {@code 0000:01:00.0}
     * @return what the host lacks to pass the device through, as a sentence with the fix; empty
     *     when it can
     */
    public Optional<String> problem(String address) {
        Path groups = root.resolve("sys/kernel/iommu_groups");
        if (isEmptyDir(groups)) {
            return Optional.of("this host has no IOMMU enabled (" + groups + " is "
                    + (Files.isDirectory(groups) ? "empty" : "missing")
                    + "), which PCI passthrough with vfio-pci needs: enable VT-d (Intel) or AMD-Vi (AMD) in the"
                    + " firmware setup and boot the kernel with intel_iommu=on (Intel) or amd_iommu=on (AMD)"
                    + " plus iommu=pt, then reboot");
        }
        Path device = root.resolve("sys/bus/pci/devices").resolve(address);
        if (!Files.isDirectory(device)) {
            return Optional.of("this host has no PCI device " + address + " (" + device + " is missing): find the"
                    + " device's address with 'lspci -Dnn' and correct providers.qemu.pci-devices");
        }
        Optional<String> driver = linkName(device.resolve("driver"));
        if (!driver.equals(Optional.of(VFIO_DRIVER))) {
            return Optional.of("PCI device " + address + " is bound to "
                    + driver.map(d -> "driver " + d).orElse("no driver") + ", not " + VFIO_DRIVER
                    + ": bind it with 'driverctl set-override " + address + " " + VFIO_DRIVER
                    + "' (or the kernel parameter vfio-pci.ids=<vendor:device>; load the module with"
                    + " 'modprobe vfio-pci')");
        }
        Optional<String> group = linkName(device.resolve("iommu_group"));
        if (group.isEmpty()) {
            return Optional.of("PCI device " + address + " has no IOMMU group (" + device.resolve("iommu_group")
                    + " is missing): the IOMMU does not cover it; check the firmware's VT-d/AMD-Vi setting"
                    + " and the kernel parameter intel_iommu=on or amd_iommu=on");
        }
        Path node = root.resolve("dev/vfio").resolve(group.get());
        if (!Files.exists(node)) {
            return Optional.of("this host has no " + node + " for IOMMU group " + group.get() + " of PCI device "
                    + address + ": every device of the group must be bound to " + VFIO_DRIVER + " (see 'ls "
                    + root.resolve("sys/kernel/iommu_groups")
                            .resolve(group.get())
                            .resolve("devices")
                    + "'; bind each with 'driverctl set-override <address> " + VFIO_DRIVER + "')");
        }
        if (!Files.isReadable(node) || !Files.isWritable(node)) {
            return Optional.of("the server's user cannot open " + node + " (IOMMU group " + group.get()
                    + " of PCI device " + address + "): give it read and write access, e.g. with a udev rule"
                    + " SUBSYSTEM==\"vfio\", GROUP=\"kvm\", MODE=\"0660\" and the user in group kvm");
        }
        return Optional.empty();
    }

    /**
     * Checks every address, in order.
     *
     * @throws ProviderException (permanent) with the {@link #problem} of the first device the host
     *     cannot pass through, naming the workspace
     */
    public void check(String workspace, List<String> addresses) {
        for (String address : addresses) {
            Optional<String> problem = problem(address);
            if (problem.isPresent())
                throw new ProviderException(
                        "cannot pass PCI device " + address + " through to workspace " + workspace + ": "
                                + problem.get(),
                        true);
        }
    }

    /**
     * Resolves the allow-list to addresses: an address rule is its address (whether or not the
     * device exists: {@link #problem} says so at start), an id rule every device under {@code
     * /sys/bus/pci/devices} whose {@code vendor} and {@code device} files match, in address order.
     *
     * @return device name to its allowed addresses, in the allow-list's order, each address once
     */
    public Map<String, List<String>> allowed(List<PciPassthroughRule> rules) {
        Map<String, LinkedHashSet<String>> out = new LinkedHashMap<>();
        for (PciPassthroughRule rule : rules) {
            LinkedHashSet<String> addresses = out.computeIfAbsent(rule.name(), n -> new LinkedHashSet<>());
            switch (rule) {
                case PciPassthroughRule.ByAddress a -> addresses.add(a.address());
                case PciPassthroughRule.ById id -> addresses.addAll(withId(id));
            }
        }
        Map<String, List<String>> result = new LinkedHashMap<>();
        out.forEach((name, addresses) -> result.put(name, List.copyOf(addresses)));
        return result;
    }

    private List<String> withId(PciPassthroughRule.ById id) {
        Path devices = root.resolve("sys/bus/pci/devices");
        if (!Files.isDirectory(devices)) return List.of();
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(devices)) {
            for (Path d : s.sorted().toList()) {
                if (hexFile(d.resolve("vendor")).equals(id.vendor())
                        && hexFile(d.resolve("device")).equals(id.device()))
                    out.add(d.getFileName().toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + devices, e);
        }
        return out;
    }

    /** @return a sysfs id file's value without {@code 0x}, lower-case; empty if unreadable */
    private static String hexFile(Path file) {
        try {
            String v = Files.readString(file).strip().toLowerCase(java.util.Locale.ROOT);
            return v.startsWith("0x") ? v.substring(2) : v;
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean isEmptyDir(Path dir) {
        if (!Files.isDirectory(dir)) return true;
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return true;
        }
    }

    /** @return the last name of a symlink's target ({@code ../../bus/pci/drivers/vfio-pci}) */
    private static Optional<String> linkName(Path link) {
        try {
            if (!Files.isSymbolicLink(link)) return Optional.empty();
            return Optional.of(Files.readSymbolicLink(link).getFileName().toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
