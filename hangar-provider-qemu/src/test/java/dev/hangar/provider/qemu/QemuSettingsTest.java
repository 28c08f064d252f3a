package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.ProviderException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QemuSettingsTest {
    @Test
    void defaults() {
        assertThat(QemuSettings.parse(Map.of()))
                .isEqualTo(new QemuSettings(
                        Accelerator.AUTO,
                        "qemu-system-x86_64",
                        "qemu-img",
                        Optional.empty(),
                        Duration.ofSeconds(60),
                        Duration.ofSeconds(10),
                        false,
                        Optional.empty()));
    }

    @Test
    void parsesEveryKey() {
        QemuSettings s = QemuSettings.parse(Map.of(
                "accelerator", "TCG",
                "qemu-binary", "/opt/qemu/bin/qemu-system-x86_64",
                "qemu-img-binary", "/opt/qemu/bin/qemu-img",
                "image-catalog", "/etc/hangar/images.yaml",
                "shutdown-timeout-seconds", "15",
                "ssh-probe-timeout-seconds", "3",
                "restrict-network", "true",
                "ssh-port-range", "42000-42999"));

        assertThat(s)
                .isEqualTo(new QemuSettings(
                        Accelerator.TCG,
                        "/opt/qemu/bin/qemu-system-x86_64",
                        "/opt/qemu/bin/qemu-img",
                        Optional.of(Path.of("/etc/hangar/images.yaml")),
                        Duration.ofSeconds(15),
                        Duration.ofSeconds(3),
                        true,
                        Optional.of(new PortRange(42000, 42999))));
    }

    @Test
    void unknownKeysAreNamed() {
        assertThatThrownBy(() -> QemuSettings.parse(Map.of("acclerator", "kvm", "namespace", "x")))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("unknown qemu provider setting(s) [acclerator, namespace]")
                .hasMessageContaining("accelerator")
                .matches(e -> ((ProviderException) e).permanent());
    }

    @Test
    void invalidValuesSayWhatIsAccepted() {
        assertThatThrownBy(() -> QemuSettings.parse(Map.of("accelerator", "hvf")))
                .hasMessageContaining("accelerator must be auto, kvm or tcg, got 'hvf'");
        assertThatThrownBy(() -> QemuSettings.parse(Map.of("shutdown-timeout-seconds", "0")))
                .hasMessageContaining("shutdown-timeout-seconds must be a whole number of seconds from 1 to 86400");
        assertThatThrownBy(() -> QemuSettings.parse(Map.of("restrict-network", "yes")))
                .hasMessageContaining("restrict-network must be true or false");
        assertThatThrownBy(() -> QemuSettings.parse(Map.of("qemu-binary", " ")))
                .hasMessageContaining("qemu-binary must not be empty");
        for (String range : new String[] {"42000", "42999-42000", "80-90", "42000-70000", "a-b", "1-2-3"}) {
            assertThatThrownBy(() -> QemuSettings.parse(Map.of("ssh-port-range", range)))
                    .as(range)
                    .hasMessageContaining("ssh-port-range must be FIRST-LAST with 1024 <= FIRST <= LAST <= 65535")
                    .hasMessageContaining("got '" + range + "'")
                    .matches(e -> ((ProviderException) e).permanent());
        }
    }

    @Test
    void pciDevicesAreAnIndexedListOfNameWithAddressOrId() {
        QemuSettings s = QemuSettings.parse(Map.of(
                "pci-devices.0.name", "nvidia.com/gpu",
                "pci-devices.0.address", "0000:01:00.0",
                "pci-devices.1.name", "nvidia.com/gpu",
                "pci-devices.1.id", "10DE:1EB8",
                "pci-devices.2.name", "example.com/fpga",
                "pci-devices.2.address", "0000:3B:00.1"));
        assertThat(s.pciDevices())
                .containsExactly(
                        new PciPassthroughRule.ByAddress("nvidia.com/gpu", "0000:01:00.0"),
                        new PciPassthroughRule.ById("nvidia.com/gpu", "10de:1eb8"),
                        new PciPassthroughRule.ByAddress("example.com/fpga", "0000:3b:00.1"));
        assertThat(QemuSettings.parse(Map.of()).pciDevices()).isEmpty();
    }

    @Test
    void badPciDeviceEntriesSayWhichEntryAndWhatToFix() {
        assertThatThrownBy(() -> QemuSettings.parse(Map.of("pci-devices", "0000:01:00.0")))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("pci-devices must be a list of {name, address} or {name, id} mappings")
                .matches(e -> ((ProviderException) e).permanent());
        assertThatThrownBy(() -> QemuSettings.parse(Map.of("pci-devices.0.name", "nvidia.com/gpu")))
                .hasMessageContaining("pci-devices[0] needs a name and exactly one of address")
                .hasMessageContaining("got [name]");
        assertThatThrownBy(() -> QemuSettings.parse(Map.of(
                        "pci-devices.0.name", "nvidia.com/gpu",
                        "pci-devices.0.address", "0000:01:00.0",
                        "pci-devices.0.id", "10de:1eb8")))
                .hasMessageContaining("pci-devices[0] needs a name and exactly one of address");
        assertThatThrownBy(() -> QemuSettings.parse(
                        Map.of("pci-devices.0.name", "nvidia.com/gpu", "pci-devices.0.address", "01:00.0")))
                .hasMessage("qemu setting pci-devices[0]: PCI address '01:00.0' must be domain:bus:device.function"
                        + " in lower-case hex, e.g. 0000:01:00.0");
        assertThatThrownBy(() ->
                        QemuSettings.parse(Map.of("pci-devices.0.name", "nvidia.com/gpu", "pci-devices.0.id", "10de")))
                .hasMessageContaining("pci-devices[0]: PCI id '10de' must be vendor:device");
        assertThatThrownBy(() -> QemuSettings.parse(
                        Map.of("pci-devices.0.name", "gpu", "pci-devices.0.address", "0000:01:00.0")))
                .hasMessageContaining("pci-devices[0]: device name 'gpu' needs a domain prefix");
        assertThatThrownBy(() -> QemuSettings.parse(Map.of(
                        "pci-devices.0.name", "nvidia.com/gpu",
                        "pci-devices.0.address", "0000:01:00.0",
                        "pci-devices.1.name", "example.com/gpu",
                        "pci-devices.1.address", "0000:01:00.0")))
                .hasMessageContaining("pci-devices[1]: PCI address 0000:01:00.0 is listed twice");
        assertThatThrownBy(() -> QemuSettings.parse(
                        Map.of("pci-devices.1.name", "nvidia.com/gpu", "pci-devices.1.address", "0000:01:00.0")))
                .hasMessageContaining("pci-devices[1]: entries must be numbered 0, 1, 2, ... without gaps");
        assertThatThrownBy(() -> QemuSettings.parse(Map.of("pci-devices.0.vendor", "10de")))
                .hasMessageContaining("unknown qemu provider setting(s) [pci-devices.0.vendor]");
    }
}
