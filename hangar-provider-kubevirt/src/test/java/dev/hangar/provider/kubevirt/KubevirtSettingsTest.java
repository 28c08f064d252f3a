package dev.hangar.provider.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.kubernetes.ApplyMode;
import dev.hangar.provider.spi.ProviderException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubevirtSettingsTest {
    @Test
    void clusterKeysAreParsedByThePodProvidersCodeAndTheCatalogIsOptional() {
        KubevirtSettings s = KubevirtSettings.parse(Map.of(
                "namespace", "vms",
                "storage-class", "ceph-block",
                "service-routable", "true",
                "apply-mode", "merge",
                "image-catalog", "/etc/hangar/images.yaml"));
        assertThat(s.namespace()).isEqualTo("vms");
        assertThat(s.cluster().storageClassName()).contains("ceph-block");
        assertThat(s.cluster().serviceRoutable()).isTrue();
        assertThat(s.cluster().applyMode()).isEqualTo(ApplyMode.MERGE);
        assertThat(s.imageCatalogPath()).contains("/etc/hangar/images.yaml");
        assertThat(KubevirtSettings.parse(Map.of("namespace", "vms")).imageCatalogPath())
                .isEmpty();
    }

    /** The module README's settings table lists exactly the keys the provider accepts. */
    @Test
    void theReadmeDocumentsExactlyTheSettings() throws java.io.IOException {
        java.util.regex.Pattern row = java.util.regex.Pattern.compile("^\\| `([a-z-]+)` \\| .*");
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("README.md"));
        String table = readme.substring(readme.indexOf("## Settings"), readme.indexOf("Template settings:"));
        java.util.List<String> keys = table.lines()
                .map(row::matcher)
                .filter(java.util.regex.Matcher::matches)
                .map(m -> m.group(1))
                .toList();
        assertThat(keys).containsExactlyInAnyOrderElementsOf(KubevirtSettings.KEYS);
    }

    @Test
    void podOnlyKeysAndBadValuesAreRejectedNamingTheKubevirtProvider() {
        assertThatThrownBy(() -> KubevirtSettings.parse(Map.of("namespace", "vms", "run-as-user", "1000")))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("unknown kubevirt provider setting(s) [run-as-user]");
        assertThatThrownBy(() -> KubevirtSettings.parse(Map.of()))
                .hasMessageContaining("kubevirt provider setting 'namespace' is required");
        assertThatThrownBy(() -> KubevirtSettings.parse(Map.of("namespace", "Bad_NS")))
                .hasMessageContaining("kubevirt provider setting namespace='Bad_NS'");
    }

    @Test
    void templateSettingsNameTheirSourceAndRejectUnknownKeys() {
        assertThat(VmTemplateSettings.parse(Map.of("source-pvc", "golden/deb"), "vms")
                        .source())
                .isEqualTo(new VmTemplateSettings.RootDiskSource.Pvc("golden", "deb"));
        assertThat(VmTemplateSettings.parse(Map.of("source-data-source", "fedora"), "vms")
                        .source())
                .isEqualTo(new VmTemplateSettings.RootDiskSource.DataSource("vms", "fedora"));
        VmTemplateSettings t = VmTemplateSettings.parse(
                Map.of("node-selector.kvm", "true", "tolerations", "gpu:NoSchedule", "eviction-strategy", "None"),
                "vms");
        assertThat(t.nodeSelector()).containsExactly(Map.entry("kvm", "true"));
        assertThat(t.tolerations())
                .singleElement()
                .satisfies(x -> assertThat(x.getOperator()).isEqualTo("Exists"));
        assertThat(t.eviction()).contains("None");
        assertThatThrownBy(() -> VmTemplateSettings.parse(Map.of("source-pvc", "Not/A/Name"), "vms"))
                .hasMessageContaining("source-pvc");
        assertThatThrownBy(() -> VmTemplateSettings.parse(Map.of("image-pull-policy", "Never"), "vms"))
                .hasMessageContaining("unknown kubevirt template setting(s) [image-pull-policy]");
    }

    @Test
    void deviceKindsAreGpuOrHostDevicePerValidDeviceName() {
        VmTemplateSettings t = VmTemplateSettings.parse(
                Map.of("device-kind.intel.com/qat", "hostDevice", "device-kind.nvidia.com/gpu", "gpu"), "vms");
        assertThat(t.deviceKinds())
                .containsExactly(
                        Map.entry("intel.com/qat", VmDevices.Kind.HOST_DEVICE),
                        Map.entry("nvidia.com/gpu", VmDevices.Kind.GPU));
        assertThat(VmTemplateSettings.parse(Map.of(), "vms").deviceKinds()).isEmpty();
        assertThatThrownBy(() -> VmTemplateSettings.parse(Map.of("device-kind.nvidia.com/gpu", "vgpu"), "vms"))
                .isInstanceOf(ProviderException.class)
                .hasMessage("template setting device-kind.nvidia.com/gpu must be gpu or hostDevice, got 'vgpu'");
        assertThatThrownBy(() -> VmTemplateSettings.parse(Map.of("device-kind.gpu", "gpu"), "vms"))
                .hasMessageContaining("template setting device-kind.gpu: device name 'gpu' needs a domain prefix");
    }
}
