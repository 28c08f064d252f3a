package dev.hangar.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.core.service.DeviceCount;
import dev.hangar.core.template.Template;
import dev.hangar.core.template.TemplateCatalog;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The create form's device fields: reading, the counts sent, and where a problem is shown. */
class DeviceFieldsTest {
    private static final Template GPU = TemplateCatalog.parse(
            "gpu.yaml",
            ("name: gpu\nprovider: fake\nimage: img\n"
                            + "devices:\n"
                            + "  - {name: nvidia.com/gpu, count: 1, max: 2}\n"
                            + "  - {name: example.com/fpga, max: 4}\n")
                    .getBytes(StandardCharsets.UTF_8));

    @Test
    void rowsFollowTheTemplatesOrderAndRanges() {
        assertThat(DeviceFields.rows(GPU))
                .containsExactly(
                        new Pages.DeviceRow("nvidia.com/gpu", "device.nvidia.com/gpu", "device-0", 1, 0, 2),
                        new Pages.DeviceRow("example.com/fpga", "device.example.com/fpga", "device-1", 0, 0, 4));
    }

    @Test
    void emptyFieldsAreLeftOutAndOthersBecomeCountsOrFieldErrors() {
        Map<String, String> values = new LinkedHashMap<>();
        DeviceFields.read(GPU, f -> Map.of("device.nvidia.com/gpu", " 0 ").get(f), values);
        assertThat(values)
                .containsExactly(Map.entry("device.nvidia.com/gpu", "0"), Map.entry("device.example.com/fpga", ""));
        Map<String, String> errors = new LinkedHashMap<>();
        assertThat(DeviceFields.counts(GPU, values, errors)).containsExactly(new DeviceCount("nvidia.com/gpu", 0));
        assertThat(errors).isEmpty();

        values.put("device.example.com/fpga", "two");
        values.put("device.nvidia.com/gpu", "-1");
        assertThat(DeviceFields.counts(GPU, values, errors)).isEmpty();
        assertThat(errors)
                .containsExactly(
                        Map.entry(
                                "device.nvidia.com/gpu",
                                "must be 0 or more, got -1; leave the device out for the template's default"),
                        Map.entry("device.example.com/fpga", "example.com/fpga must be a whole number, got 'two'"));
    }

    @Test
    void aProblemOfAnEntryOrOfADevicesQuotaIsShownAtThatDevice() {
        List<DeviceCount> sent = List.of(new DeviceCount("example.com/fpga", 3));
        assertThat(DeviceFields.formField("devices[0].count", sent)).contains("device.example.com/fpga");
        assertThat(DeviceFields.formField("devices[1].count", sent)).isEmpty();
        assertThat(DeviceFields.formField("devices.nvidia.com/gpu", sent)).contains("device.nvidia.com/gpu");
        assertThat(DeviceFields.formField("cpus", sent)).isEmpty();
        assertThat(DeviceFields.message("devices[0].count: 3 is above the template's maximum 2 for nvidia.com/gpu"))
                .isEqualTo("3 is above the template's maximum 2 for nvidia.com/gpu");
    }
}
