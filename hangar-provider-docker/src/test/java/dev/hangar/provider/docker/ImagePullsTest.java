package dev.hangar.provider.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import java.net.URI;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImagePullsTest {
    @ParameterizedTest
    @CsvSource({
        "debian:12, docker.io",
        "library/debian, docker.io",
        "mcr.microsoft.com/devcontainers/base:bookworm, mcr.microsoft.com",
        "127.0.0.1:5000/hangar/ws:1, 127.0.0.1:5000",
        "localhost/hangar/workspace:dc-it, localhost",
        "Registry.Example.org/a/b@sha256:00, registry.example.org",
    })
    void theRegistryIsTheEnginesReading(String reference, String registry) {
        assertThat(ImagePulls.registry(reference)).isEqualTo(registry);
    }

    @org.junit.jupiter.api.Test
    void aRegistryNotListedIsRefusedBeforeTheEngineIsAskedNamingTheSetting() {
        // the socket does not exist: a refusal that reached the engine would say so instead
        DockerEngine engine = DockerEngine.connect(URI.create("unix:///nonexistent/hangar-test.sock"));
        ImagePulls pulls = new ImagePulls(engine, Set.of("mcr.microsoft.com"));
        assertThat(pulls.allowed("mcr.microsoft.com/devcontainers/base:bookworm"))
                .isTrue();
        assertThat(pulls.allowed("debian:12")).isFalse();
        assertThatThrownBy(() -> pulls.pull("debian:12", ProviderListener.NONE))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("its registry docker.io is not in the docker provider's pull-registries setting"
                        + " [mcr.microsoft.com]")
                .hasMessageContaining("hangar image import")
                .hasMessageContaining("providers.docker.pull-registries");
    }
}
