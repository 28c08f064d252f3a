package dev.hangar.core.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.store.InMemoryStore;
import dev.hangar.provider.spi.DeviceRequest;
import dev.hangar.provider.spi.HostDevices;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The wiring of {@link DeviceClaims} to a provider's host devices and the checks made before any
 * claim. Claiming itself, its transactions and the race are tested on the real stores
 * (hangar-store's DeviceClaimStoreContract on SQLite and PostgreSQL).
 */
class DeviceClaimsTest {
    private final InMemoryStore store = new InMemoryStore();

    /** A provider's host devices that records the claims hook it is given. */
    private static final class RecordingHost implements HostDevices {
        final List<Function<String, List<String>>> hooks = new ArrayList<>();

        @Override
        public Map<String, List<String>> allowed() {
            return Map.of("nvidia.com/gpu", List.of("0000:01:00.0", "0000:02:00.0"));
        }

        @Override
        public void useClaims(Function<String, List<String>> claims) {
            hooks.add(claims);
        }
    }

    @Test
    void connectTakesTheProvidersAllowListAndGivesItTheStoresClaims() {
        RecordingHost host = new RecordingHost();
        DeviceClaims claims = DeviceClaims.connect(Optional.of(host), store, Clock.systemUTC());

        assertThat(claims.allowed()).isEqualTo(host.allowed());
        assertThat(host.hooks)
                .singleElement()
                .satisfies(hook -> assertThat(hook.apply("ws-without-claims")).isEmpty());
    }

    @Test
    void withoutAProviderEveryDeviceIsRefusedBeforeAnythingIsWritten() {
        DeviceClaims none = DeviceClaims.connect(Optional.empty(), store, Clock.systemUTC());
        assertThat(none.allowed()).isEmpty();
        assertThatThrownBy(() -> none.claim(store, "ws-1", List.of(new DeviceRequest("nvidia.com/gpu", 1))))
                .isInstanceOf(ValidationException.class)
                .hasMessage("this server passes no nvidia.com/gpu through to local VMs; an admin lists host devices"
                        + " in providers.qemu.pci-devices");
        assertThat(none.claim(store, "ws-1", List.of())).isEmpty();
    }

    @Test
    void askingForMoreThanTheHostHasIsAValidationErrorNotAConflict() {
        DeviceClaims claims = DeviceClaims.connect(Optional.of(new RecordingHost()), store, Clock.systemUTC());
        assertThatThrownBy(() -> claims.claim(store, "ws-2", List.of(new DeviceRequest("nvidia.com/gpu", 3))))
                .isInstanceOf(ValidationException.class)
                .hasMessage("nvidia.com/gpu=3 asks for more than the 2 nvidia.com/gpu device(s) this server passes"
                        + " through")
                .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo("devices"));
    }
}
