package dev.hangar.provider.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.DeviceRequest;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.vm.CloudInitUserData;
import dev.hangar.provider.vm.ImageCatalog;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pure builder: the exact objects of one workspace, compared with golden YAML files in {@code
 * src/test/resources/golden/} (run with {@code -Dgolden.update=true} to rewrite them after a
 * deliberate change, then review the diff).
 */
class KubevirtManifestsTest {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final String FIXED_ID = "0b7c3c1e-0000-4000-8000-0000000000a1";

    private final KubevirtManifests manifests =
            new KubevirtManifests(VmSpecs.settings(Map.of("storage-class", "fast-ssd")), ImageCatalog.shipped());

    private static WorkspaceSpec fixedSpec(Map<String, String> settings) {
        return VmSpecs.spec(
                FIXED_ID,
                "alice",
                "fw-dev",
                "debian-12",
                settings,
                new CloudInitConfig(List.of("git"), List.of("echo hello"), ""));
    }

    @Test
    void ownedByAddsTheOwnerToCopiesOfTheDependentsAndLeavesTheOriginalsAsTheyWere() {
        KubevirtObjects objects = manifests.build(fixedSpec(Map.of()), PowerState.STOPPED);
        String diskBefore = SERIALIZATION.asJson(objects.rootDisk());
        GenericKubernetesResource live = SERIALIZATION.clone(objects.virtualMachine());
        live.getMetadata().setUid("6f1c1f2e-0000-4000-8000-00000000a001");

        KubevirtObjects owned = objects.ownedBy(live);

        // The DataVolume's copy shares its spec with the original (no JSON round trip): the body sent
        // must still be the original plus the owner reference, field for field.
        GenericKubernetesResource expected = SERIALIZATION.clone(objects.rootDisk());
        expected.getMetadata()
                .setOwnerReferences(owned.cloudInit().getMetadata().getOwnerReferences());
        assertThat(SERIALIZATION.asJson(owned.rootDisk())).isEqualTo(SERIALIZATION.asJson(expected));
        assertThat(SERIALIZATION.asJson(objects.rootDisk())).isEqualTo(diskBefore);
        assertThat(objects.rootDisk().getMetadata().getOwnerReferences()).isEmpty();
        for (HasMetadata dependent : owned.dependents()) {
            assertThat(dependent.getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(o -> {
                        assertThat(o.getKind()).isEqualTo("VirtualMachine");
                        assertThat(o.getName()).isEqualTo(live.getMetadata().getName());
                        assertThat(o.getUid()).isEqualTo("6f1c1f2e-0000-4000-8000-00000000a001");
                    });
        }
    }

    @Test
    void theObjectsOfARunningWorkspaceAreExactlyTheGoldenOnes() throws IOException {
        KubevirtObjects objects = manifests.build(
                fixedSpec(Map.of(
                        "eviction-strategy", "LiveMigrate",
                        "node-selector.kubevirt.io/schedulable", "true",
                        "tolerations", "dedicated=vm:NoSchedule")),
                PowerState.RUNNING);

        assertGolden("virtualmachine.yaml", objects.virtualMachine());
        assertGolden("datavolume.yaml", objects.rootDisk());
        assertGolden("service.yaml", objects.service());
        assertGolden("secret.yaml", objects.cloudInit());
    }

    @Test
    void devicesBecomeOneGpuOrHostDeviceEntryPerUnitWithTheRequestsNameAsDeviceName() {
        KubevirtObjects objects = manifests.build(
                fixedSpec(Map.of("device-kind.intel.com/qat", "hostDevice")),
                List.of(
                        new DeviceRequest("nvidia.com/gpu", 2),
                        new DeviceRequest("intel.com/qat", 1),
                        new DeviceRequest("nvidia.com/GA102GL_A10", 1)),
                PowerState.RUNNING);
        assertThat(devicesOf(objects)).satisfies(d -> {
            assertThat(d.get("gpus"))
                    .isEqualTo(List.of(
                            Map.of("name", "gpu1", "deviceName", "nvidia.com/gpu"),
                            Map.of("name", "gpu2", "deviceName", "nvidia.com/gpu"),
                            Map.of("name", "gpu3", "deviceName", "nvidia.com/GA102GL_A10")));
            assertThat(d.get("hostDevices"))
                    .isEqualTo(List.of(Map.of("name", "hostdevice1", "deviceName", "intel.com/qat")));
            assertThat(d).containsKeys("disks", "interfaces");
        });
    }

    @Test
    void noDevicesWritesNeitherListAndTheOldBuildIsTheEmptyList() {
        WorkspaceSpec spec = fixedSpec(Map.of());
        KubevirtObjects none = manifests.build(spec, List.of(), PowerState.RUNNING);
        assertThat(devicesOf(none)).containsOnlyKeys("disks", "interfaces");
        assertThat(manifests.build(spec, PowerState.RUNNING)).isEqualTo(none);
    }

    @Test
    void theSecretHoldsTheSharedRenderersUserData() {
        WorkspaceSpec spec = fixedSpec(Map.of());
        KubevirtObjects objects = manifests.build(spec, PowerState.RUNNING);
        String userData = new String(
                Base64.getDecoder().decode(objects.cloudInit().getData().get(KubevirtManifests.USER_DATA_KEY)),
                StandardCharsets.UTF_8);
        assertThat(userData).isEqualTo(CloudInitUserData.render(spec)).startsWith("#cloud-config\n");
        assertThat(objects.cloudInit().getData()).containsOnlyKeys("userdata");
    }

    @Test
    void stoppedMeansHaltedAndTheNameFitsALabel() {
        WorkspaceSpec spec = VmSpecs.spec(
                "a-very-long-owner-name-for-test",
                "and-an-even-longer-workspace-name-x",
                "debian-12",
                Map.of(),
                CloudInitConfig.EMPTY);
        KubevirtObjects objects = manifests.build(spec, PowerState.STOPPED);
        assertThat(ObservedVm.text(objects.virtualMachine(), "spec", "runStrategy"))
                .contains("Halted");
        for (HasMetadata o : objects.all()) {
            assertThat(o.getMetadata().getName().length()).isLessThanOrEqualTo(63);
        }
        assertThat(objects.virtualMachine().getMetadata().getName()).hasSizeLessThanOrEqualTo(47);
    }

    @Test
    void aRegistryEntryImportsFromTheRegistryAndGoldenSourcesClone() {
        ImageCatalog catalog = ImageCatalog.parse("""
                images:
                  - name: fedora-42
                    url: https://example.invalid/fedora.qcow2
                    sha256: %s
                    registry: docker://quay.example/containerdisks/fedora:42
                """.formatted("ab".repeat(32)), "test");
        KubevirtManifests m = new KubevirtManifests(VmSpecs.settings(Map.of()), catalog);
        WorkspaceSpec fedora = VmSpecs.spec("alice", "f1", "fedora-42", Map.of(), CloudInitConfig.EMPTY);
        assertThat(m.build(fedora, PowerState.RUNNING).rootDisk().getAdditionalProperties())
                .extracting("spec")
                .isEqualTo(Map.of(
                        "source", Map.of("registry", Map.of("url", "docker://quay.example/containerdisks/fedora:42")),
                        "storage", Map.of("resources", Map.of("requests", Map.of("storage", "16Gi")))));

        WorkspaceSpec cloned = VmSpecs.spec(
                "alice", "f2", "not-in-catalog", Map.of("source-pvc", "golden/debian-12"), CloudInitConfig.EMPTY);
        assertThat(m.build(cloned, PowerState.RUNNING).rootDisk().getAdditionalProperties())
                .extracting("spec")
                .extracting("source")
                .isEqualTo(Map.of("pvc", Map.of("namespace", "golden", "name", "debian-12")));

        WorkspaceSpec fromDataSource =
                VmSpecs.spec("alice", "f3", "x", Map.of("source-data-source", "fedora"), CloudInitConfig.EMPTY);
        assertThat(m.build(fromDataSource, PowerState.RUNNING).rootDisk().getAdditionalProperties())
                .extracting("spec")
                .extracting("sourceRef")
                .isEqualTo(Map.of("kind", "DataSource", "namespace", VmSpecs.NS, "name", "fedora"));
    }

    @Test
    void aPinnedDigestBecomesCdisChecksumAndAPublishedChecksumFileDoesNot() {
        ImageCatalog catalog = ImageCatalog.parse("""
                images:
                  - name: pinned-256
                    url: https://example.invalid/a.qcow2
                    sha256: %s
                  - name: pinned-512
                    url: https://example.invalid/b.qcow2
                    sha512: %s
                  - name: published
                    url: https://example.invalid/c.qcow2
                    checksum-url: https://example.invalid/SHA256SUMS
                """.formatted("AB".repeat(32), "cd".repeat(64)), "test");
        KubevirtManifests m = new KubevirtManifests(VmSpecs.settings(Map.of()), catalog);

        assertThat(httpSource(m, "pinned-256"))
                .isEqualTo(Map.of("url", "https://example.invalid/a.qcow2", "checksum", "sha256:" + "ab".repeat(32)));
        assertThat(httpSource(m, "pinned-512"))
                .isEqualTo(Map.of("url", "https://example.invalid/b.qcow2", "checksum", "sha512:" + "cd".repeat(64)));
        // A digest looked up in a file that can change under the same URL is not written into a DataVolume
        // that is re-applied unchanged for its whole life.
        assertThat(httpSource(m, "published")).isEqualTo(Map.of("url", "https://example.invalid/c.qcow2"));
    }

    private static Object httpSource(KubevirtManifests m, String image) {
        WorkspaceSpec spec = VmSpecs.spec("alice", "c-" + image, image, Map.of(), CloudInitConfig.EMPTY);
        Map<?, ?> dvSpec = (Map<?, ?>) m.build(spec, PowerState.RUNNING)
                .rootDisk()
                .getAdditionalProperties()
                .get("spec");
        return ((Map<?, ?>) dvSpec.get("source")).get("http");
    }

    @Test
    void badInputIsAPermanentErrorNamingWhatIsWrong() {
        assertThatThrownBy(() -> manifests.build(
                        VmSpecs.spec("alice", "x1", "windows-11", Map.of(), CloudInitConfig.EMPTY), PowerState.RUNNING))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("image 'windows-11'")
                .hasMessageContaining("debian-12")
                .satisfies(e -> assertThat(((ProviderException) e).permanent()).isTrue());
        assertThatThrownBy(() -> manifests.build(VmSpecs.spec(Map.of("privileged", "true")), PowerState.RUNNING))
                .hasMessageContaining("unknown kubevirt template setting(s) [privileged]");
        assertThatThrownBy(() -> manifests.build(
                        VmSpecs.spec(Map.of("source-pvc", "a", "source-data-source", "b")), PowerState.RUNNING))
                .hasMessageContaining("exclude each other");
        assertThatThrownBy(() ->
                        manifests.build(VmSpecs.spec(Map.of("eviction-strategy", "Sometimes")), PowerState.RUNNING))
                .hasMessageContaining("eviction-strategy");
    }

    /** @return the VirtualMachine's {@code spec.template.spec.domain.devices} */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> devicesOf(KubevirtObjects objects) {
        Object node = objects.virtualMachine().getAdditionalProperties().get("spec");
        for (String key : List.of("template", "spec", "domain", "devices")) {
            node = ((Map<String, Object>) node).get(key);
        }
        return (Map<String, Object>) node;
    }

    private static void assertGolden(String file, HasMetadata object) throws IOException {
        String actual = SERIALIZATION.asYaml(object);
        Path source = Path.of("src/test/resources/golden", file);
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(source, actual);
        }
        try (InputStream in = KubevirtManifestsTest.class.getResourceAsStream("/golden/" + file)) {
            assertThat(in)
                    .as("golden file %s (create it with -Dgolden.update=true)", file)
                    .isNotNull();
            assertThat(actual).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
