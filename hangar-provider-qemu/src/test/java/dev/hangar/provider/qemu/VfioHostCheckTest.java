package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.ProviderException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The passthrough host check on a fake sysfs tree (the kernel's layout: {@code
 * /sys/bus/pci/devices/<addr>} with {@code driver} and {@code iommu_group} symlinks, {@code
 * /sys/kernel/iommu_groups/<n>}, {@code /dev/vfio/<n>}), one missing piece at a time, and on this
 * machine's real {@code /sys}.
 */
class VfioHostCheckTest {
    private static final String GPU = "0000:01:00.0";

    @TempDir
    Path root;

    private VfioHostCheck check;

    @BeforeEach
    void setUp() {
        check = new VfioHostCheck(root);
    }

    /** A host where {@link #GPU} is ready: IOMMU group 7, bound to vfio-pci, /dev/vfio/7. */
    private void readyHost() throws IOException {
        Files.createDirectories(root.resolve("sys/kernel/iommu_groups/7/devices"));
        Files.createDirectories(root.resolve("sys/bus/pci/drivers/vfio-pci"));
        Files.createDirectories(root.resolve("sys/bus/pci/drivers/nvidia"));
        device(GPU, "0x10de", "0x1eb8");
        bind(GPU, "vfio-pci");
        Files.createSymbolicLink(
                root.resolve("sys/bus/pci/devices").resolve(GPU).resolve("iommu_group"),
                root.resolve("sys/kernel/iommu_groups/7"));
        Files.createDirectories(root.resolve("dev/vfio"));
        Files.createFile(root.resolve("dev/vfio/7"));
    }

    private void device(String address, String vendor, String device) throws IOException {
        Path d = Files.createDirectories(root.resolve("sys/bus/pci/devices").resolve(address));
        Files.writeString(d.resolve("vendor"), vendor + "\n");
        Files.writeString(d.resolve("device"), device + "\n");
    }

    private void bind(String address, String driver) throws IOException {
        Path link = root.resolve("sys/bus/pci/devices").resolve(address).resolve("driver");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of("../../../bus/pci/drivers").resolve(driver));
    }

    @Test
    void aReadyDeviceHasNoProblem() throws IOException {
        readyHost();
        assertThat(check.problem(GPU)).isEmpty();
        check.check("cuda", List.of(GPU));
    }

    @Test
    void withoutIommuGroupsTheHostLacksTheIommuAndTheFixIsTheKernelParameter() throws IOException {
        assertThat(check.problem(GPU))
                .hasValueSatisfying(p -> assertThat(p)
                        .startsWith("this host has no IOMMU enabled (" + root.resolve("sys/kernel/iommu_groups")
                                + " is missing)")
                        .contains("intel_iommu=on (Intel) or amd_iommu=on (AMD)"));
        Files.createDirectories(root.resolve("sys/kernel/iommu_groups"));
        assertThat(check.problem(GPU)).hasValueSatisfying(p -> assertThat(p).contains("is empty)"));
    }

    @Test
    void aMissingDeviceSaysToFixTheAllowList() throws IOException {
        readyHost();
        assertThat(check.problem("0000:02:00.0"))
                .contains("this host has no PCI device 0000:02:00.0 ("
                        + root.resolve("sys/bus/pci/devices/0000:02:00.0")
                        + " is missing): find the device's address with 'lspci -Dnn' and correct"
                        + " providers.qemu.pci-devices");
    }

    @Test
    void aDeviceOnAnotherDriverOrNoneSaysHowToBindItToVfioPci() throws IOException {
        readyHost();
        bind(GPU, "nvidia");
        assertThat(check.problem(GPU))
                .hasValueSatisfying(p -> assertThat(p)
                        .startsWith("PCI device 0000:01:00.0 is bound to driver nvidia, not vfio-pci: bind it with"
                                + " 'driverctl set-override 0000:01:00.0 vfio-pci'"));
        Files.delete(root.resolve("sys/bus/pci/devices").resolve(GPU).resolve("driver"));
        assertThat(check.problem(GPU))
                .hasValueSatisfying(p -> assertThat(p).startsWith("PCI device 0000:01:00.0 is bound to no driver"));
    }

    @Test
    void aMissingVfioGroupNodeSaysToBindTheWholeGroup() throws IOException {
        readyHost();
        Files.delete(root.resolve("dev/vfio/7"));
        assertThat(check.problem(GPU))
                .hasValueSatisfying(p -> assertThat(p)
                        .startsWith("this host has no " + root.resolve("dev/vfio/7") + " for IOMMU group 7 of PCI"
                                + " device 0000:01:00.0: every device of the group must be bound to vfio-pci"));
        Files.delete(root.resolve("sys/bus/pci/devices").resolve(GPU).resolve("iommu_group"));
        assertThat(check.problem(GPU))
                .hasValueSatisfying(p -> assertThat(p).startsWith("PCI device 0000:01:00.0 has no IOMMU group"));
    }

    @Test
    void checkFailsPermanentlyNamingTheWorkspaceAndTheFirstBadDevice() throws IOException {
        readyHost();
        assertThatThrownBy(() -> check.check("cuda", List.of(GPU, "0000:02:00.0")))
                .isInstanceOf(ProviderException.class)
                .hasMessageStartingWith(
                        "cannot pass PCI device 0000:02:00.0 through to workspace cuda: this host has no PCI device")
                .matches(e -> ((ProviderException) e).permanent());
    }

    @Test
    void idRulesResolveToEveryMatchingDeviceInAddressOrder() throws IOException {
        readyHost();
        device("0000:81:00.0", "0x10de", "0x1eb8");
        device("0000:02:00.0", "0x10DE", "0x1EB8");
        device("0000:03:00.0", "0x8086", "0x1eb8");
        Map<String, List<String>> allowed = check.allowed(List.of(
                new PciPassthroughRule.ByAddress("nvidia.com/gpu", "0000:81:00.0"),
                new PciPassthroughRule.ById("nvidia.com/gpu", "10de:1eb8"),
                new PciPassthroughRule.ByAddress("example.com/fpga", "0000:5e:00.0")));
        assertThat(allowed)
                .containsExactly(
                        Map.entry("nvidia.com/gpu", List.of("0000:81:00.0", "0000:01:00.0", "0000:02:00.0")),
                        Map.entry("example.com/fpga", List.of("0000:5e:00.0")));
        assertThat(check.allowed(List.of())).isEmpty();
    }

    /**
     * The real host: this machine (a Firecracker guest without passthrough hardware) has an empty
     * {@code /sys/kernel/iommu_groups}, so the check must say that the IOMMU is missing; on a
     * machine with an IOMMU, the address no host has must be reported as missing. Either way the
     * message is one of the expected ones, never "ready".
     */
    @Test
    void thisHostReportsWhatItLacks() {
        Optional<String> problem = VfioHostCheck.ofThisHost().problem("ffff:ff:1f.7");
        assertThat(problem)
                .hasValueSatisfying(p -> assertThat(p)
                        .matches("this host has no IOMMU enabled \\(/sys/kernel/iommu_groups is (empty|missing)\\).*"
                                + "|this host has no PCI device ffff:ff:1f.7 .*"));
    }
}
