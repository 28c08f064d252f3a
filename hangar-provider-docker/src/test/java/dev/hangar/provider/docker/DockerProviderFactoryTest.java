package dev.hangar.provider.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceProviderFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerProviderFactoryTest {
    @TempDir
    Path dir;

    @Test
    void registeredForServiceLoader() {
        assertThat(ServiceLoader.load(WorkspaceProviderFactory.class).stream()
                        .map(ServiceLoader.Provider::get)
                        .map(WorkspaceProviderFactory::type))
                .contains("docker");
    }

    @Test
    void aMissingEngineSocketIsAClearTransientErrorNamingTheSetting() {
        Path socket = dir.resolve("no-engine-" + UUID.randomUUID() + ".sock");
        try (WorkspaceProvider provider = new DockerProviderFactory()
                .create(new ProviderContext(dir, Map.of("socket", "unix://" + socket), Clock.systemUTC()))) {
            var spec = ContainerManifestsTest.spec(UUID.randomUUID().toString(), Map.of());
            assertThatThrownBy(() -> provider.observe(spec))
                    .isInstanceOf(ProviderException.class)
                    .hasMessageContaining(socket.toString())
                    .hasMessageContaining("does not exist")
                    .hasMessageContaining("providers.docker.socket")
                    .matches(e -> !((ProviderException) e).permanent());
            assertThatThrownBy(() -> provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE))
                    .hasMessageContaining("providers.docker.socket");
        }
    }

    @Test
    void invalidSettingsStopTheFactory() {
        assertThatThrownBy(() -> new DockerProviderFactory()
                        .create(new ProviderContext(dir, Map.of("namespace", "x"), Clock.systemUTC())))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("namespace");
    }
}
