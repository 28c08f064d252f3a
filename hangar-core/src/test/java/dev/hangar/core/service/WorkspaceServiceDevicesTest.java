package dev.hangar.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.User;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.store.InMemoryStore;
import dev.hangar.core.template.Range;
import dev.hangar.core.template.Template;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.core.template.TemplateDevice;
import dev.hangar.provider.spi.DeviceRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Devices in templates and create requests (issue #19), checked in {@link WorkspaceService#create}. */
class WorkspaceServiceDevicesTest {
    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    private static final User ALICE = new User("alice", false, NOW);

    private final InMemoryStore store = new InMemoryStore();

    private static Template gpuTemplate() {
        return TemplateCatalog.parse(
                "gpu.yaml",
                ("name: gpu\nprovider: fake\nimage: img\n"
                                + "devices:\n"
                                + "  - {name: nvidia.com/gpu, count: 1, max: 2}\n"
                                + "  - {name: example.com/fpga, max: 4}\n")
                        .getBytes(StandardCharsets.UTF_8));
    }

    /** A template whose workspaces always get at least one GPU (min 1). */
    private static Template gpuRequiredTemplate() {
        return TemplateCatalog.parse(
                "gpu-required.yaml",
                ("name: gpu-required\nprovider: fake\nimage: img\n"
                                + "devices:\n"
                                + "  - {name: nvidia.com/gpu, count: 1, min: 1, max: 2}\n")
                        .getBytes(StandardCharsets.UTF_8));
    }

    private WorkspaceService service() {
        return new WorkspaceService(
                store,
                TemplateCatalog.of(
                        List.of(gpuTemplate(), gpuRequiredTemplate(), WorkspaceServiceCreateTest.template("plain"))),
                Clock.fixed(NOW, ZoneOffset.UTC),
                id -> {},
                "gpu");
    }

    @Test
    void theTemplateFileListsDevicesWithDefaultCountAndRange() {
        assertThat(gpuTemplate().devices())
                .containsExactly(
                        new TemplateDevice("nvidia.com/gpu", 1, new Range(0, 2)),
                        new TemplateDevice("example.com/fpga", 0, new Range(0, 4)));
        assertThat(WorkspaceServiceCreateTest.template("plain").devices()).isEmpty();
    }

    @Test
    void aTemplateFileWithABadDeviceNamesTheEntry() {
        assertThatThrownBy(() -> TemplateCatalog.parse(
                        "bad.yaml",
                        "name: bad\nprovider: fake\nimage: img\ndevices: [{name: gpu, max: 1}]\n"
                                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("devices[0]")
                .hasMessageContaining("needs a domain prefix");
        assertThatThrownBy(() -> TemplateCatalog.parse(
                        "bad.yaml",
                        "name: bad\nprovider: fake\nimage: img\ndevices: [{name: a.io/x, count: 3, max: 2}]\n"
                                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("devices[0]")
                .hasMessageContaining("default count 3 is outside the allowed range 0..2");
    }

    @Test
    void withoutDevicesInTheRequestTheWorkspaceGetsTheTemplatesNonZeroDefaults() {
        Workspace w = service().create(ALICE, CreateWorkspace.named("dflt"));
        assertThat(w.parameters().devices()).containsExactly(new DeviceRequest("nvidia.com/gpu", 1));
        assertThat(store.allEvents())
                .singleElement()
                .satisfies(e -> assertThat(e.message()).endsWith(", devices nvidia.com/gpu=1)"));
    }

    @Test
    void requestedCountsReplaceTheDefaultsInTheTemplatesOrder() {
        Workspace w = service()
                .create(
                        ALICE,
                        CreateWorkspace.named("asked")
                                .withDevices(List.of(
                                        new DeviceRequest("example.com/fpga", 3),
                                        new DeviceRequest("nvidia.com/gpu", 2))));
        assertThat(w.parameters().devices())
                .containsExactly(new DeviceRequest("nvidia.com/gpu", 2), new DeviceRequest("example.com/fpga", 3));
    }

    @Test
    void aCountAboveTheTemplatesMaximumIsRefusedNamingTheField() {
        assertThatThrownBy(() -> service()
                        .create(
                                ALICE,
                                CreateWorkspace.named("big")
                                        .withDevices(List.of(new DeviceRequest("nvidia.com/gpu", 3)))))
                .isInstanceOf(ValidationException.class)
                .hasMessage("devices[0].count: 3 is above the template's maximum 2 for nvidia.com/gpu")
                .extracting(e -> ((ValidationException) e).field())
                .isEqualTo("devices[0].count");
        assertThat(store.allEvents()).isEmpty();
    }

    @Test
    void aDeviceTheTemplateDoesNotOfferIsRefusedNamingTheOnesItOffers() {
        assertThatThrownBy(() -> service()
                        .create(
                                ALICE,
                                CreateWorkspace.named("tpu")
                                        .withDevices(List.of(
                                                new DeviceRequest("nvidia.com/gpu", 1),
                                                new DeviceRequest("google.com/tpu", 1)))))
                .isInstanceOf(ValidationException.class)
                .hasMessage("devices[1].name: template 'gpu' does not offer device google.com/tpu;"
                        + " it offers nvidia.com/gpu, example.com/fpga")
                .extracting(e -> ((ValidationException) e).field())
                .isEqualTo("devices[1].name");
        assertThatThrownBy(() -> service()
                        .create(
                                ALICE,
                                CreateWorkspace.of("none", "plain")
                                        .withDevices(List.of(new DeviceRequest("nvidia.com/gpu", 1)))))
                .isInstanceOf(ValidationException.class)
                .hasMessage("devices[0].name: template 'plain' does not offer device nvidia.com/gpu;"
                        + " it offers no devices");
    }

    @Test
    void aDeviceAskedForTwiceIsRefused() {
        assertThatThrownBy(() -> service()
                        .create(
                                ALICE,
                                CreateWorkspace.named("twice")
                                        .withDevices(List.of(
                                                new DeviceRequest("nvidia.com/gpu", 1),
                                                new DeviceRequest("nvidia.com/gpu", 2)))))
                .isInstanceOf(ValidationException.class)
                .hasMessage("devices[1].name: device nvidia.com/gpu is asked for twice");
    }

    @Test
    void zeroOfADefaultDeviceRemovesItWhenTheTemplatesMinimumIsZero() {
        Workspace w = service()
                .create(
                        ALICE,
                        CreateWorkspace.named("no-gpu")
                                .withDeviceCounts(List.of(new DeviceCount("nvidia.com/gpu", 0))));
        assertThat(w.parameters().devices()).isEmpty();
        assertThat(store.allEvents())
                .singleElement()
                .satisfies(e -> assertThat(e.message()).doesNotContain("devices"));
        // 0 of a device whose default is 0 already changes nothing; the other device is still asked for
        Workspace fpga = service()
                .create(
                        ALICE,
                        CreateWorkspace.named("fpga-only")
                                .withDeviceCounts(List.of(
                                        new DeviceCount("example.com/fpga", 2), new DeviceCount("nvidia.com/gpu", 0))));
        assertThat(fpga.parameters().devices()).containsExactly(new DeviceRequest("example.com/fpga", 2));
    }

    @Test
    void zeroOfADeviceTheTemplateRequiresIsRefusedNamingTheMinimum() {
        assertThatThrownBy(() -> service()
                        .create(
                                ALICE,
                                CreateWorkspace.of("no-gpu", "gpu-required")
                                        .withDeviceCounts(List.of(new DeviceCount("nvidia.com/gpu", 0)))))
                .isInstanceOf(ValidationException.class)
                .hasMessage("devices[0].count: 0 is below the template's minimum 1 for nvidia.com/gpu")
                .extracting(e -> ((ValidationException) e).field())
                .isEqualTo("devices[0].count");
        assertThat(store.allEvents()).isEmpty();
        assertThat(service()
                        .create(ALICE, CreateWorkspace.of("with-gpu", "gpu-required"))
                        .parameters()
                        .devices())
                .containsExactly(new DeviceRequest("nvidia.com/gpu", 1));
    }

    @Test
    void aDeviceCountIsZeroOrMoreWithAValidName() {
        assertThat(new DeviceCount("nvidia.com/gpu", 0)).hasToString("nvidia.com/gpu=0");
        assertThatThrownBy(() -> new DeviceCount("nvidia.com/gpu", -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device count must be 0 or more, got -1");
        assertThatThrownBy(() -> new DeviceCount("gpu", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a domain prefix");
    }
}
