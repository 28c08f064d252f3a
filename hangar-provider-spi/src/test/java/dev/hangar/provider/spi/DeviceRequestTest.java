package dev.hangar.provider.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DeviceRequestTest {
    @ParameterizedTest
    @ValueSource(strings = {"nvidia.com/gpu", "example.com/gpu", "amd.com/gpu", "devices.example.org/st-link_v2.1"})
    void acceptsExtendedResourceNames(String name) {
        assertThat(DeviceRequest.nameProblem(name)).isEmpty();
        assertThat(new DeviceRequest(name, 2)).hasToString(name + "=2");
    }

    @ParameterizedTest
    @CsvSource({
        "gpu, needs a domain prefix",
        "Nvidia.com/gpu, must be a DNS subdomain",
        "/gpu, must be a DNS subdomain",
        "kubernetes.io/gpu, reserved for built-in",
        "foo.kubernetes.io/gpu, reserved for built-in",
        "requests.example.com/gpu, reserved for quotas",
        "example.com/, the part after '/'",
        "example.com/-gpu, the part after '/'",
        "example.com/a/b, the part after '/'"
    })
    void refusesOtherNamesSayingWhy(String name, String reason) {
        assertThat(DeviceRequest.nameProblem(name)).contains(reason);
        assertThatThrownBy(() -> new DeviceRequest(name, 1)).hasMessageContaining(reason);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void refusesCountsBelowOne(int count) {
        assertThatThrownBy(() -> new DeviceRequest("nvidia.com/gpu", count)).hasMessageContaining("at least 1");
    }
}
