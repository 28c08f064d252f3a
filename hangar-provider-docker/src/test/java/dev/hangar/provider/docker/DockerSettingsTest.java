package dev.hangar.provider.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.ProviderException;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DockerSettingsTest {
    @Test
    void defaults() {
        DockerSettings s = DockerSettings.parse(Map.of());
        assertThat(s.socket()).isEqualTo(URI.create("unix:///var/run/docker.sock"));
        assertThat(s.allowPrivileged()).isFalse();
        assertThat(s.runAsUser()).isEqualTo(1000);
        assertThat(s.publishAddress()).isEqualTo("127.0.0.1");
        assertThat(s.featureRegistries()).containsExactly("ghcr.io");
        assertThat(s.pullRegistries())
                .as("never pull unless an administrator lists registries")
                .isEmpty();
    }

    @Test
    void readsEveryKey() {
        DockerSettings s = DockerSettings.parse(Map.of(
                "socket", "unix:///run/podman/podman.sock",
                "allow-privileged", "true",
                "run-as-user", "1001",
                "publish-address", "169.254.3.2",
                "feature-registries", " ghcr.io, 127.0.0.1:5000 ,Mirror.Example.org",
                "pull-registries", "docker.io,mcr.microsoft.com"));
        assertThat(s)
                .isEqualTo(new DockerSettings(
                        URI.create("unix:///run/podman/podman.sock"),
                        true,
                        1001,
                        "169.254.3.2",
                        Set.of("ghcr.io", "127.0.0.1:5000", "mirror.example.org"),
                        Set.of("docker.io", "mcr.microsoft.com")));
        assertThat(DockerSettings.parse(Map.of("feature-registries", "")).featureRegistries())
                .as("empty: no registry features at all")
                .isEmpty();
    }

    @Test
    void refusesBadValuesNamingThem() {
        assertThatThrownBy(() -> DockerSettings.parse(Map.of("sockett", "x")))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("sockett")
                .hasMessageContaining("socket");
        assertThatThrownBy(() -> DockerSettings.parse(Map.of("socket", "/var/run/docker.sock")))
                .hasMessageContaining("unix:///PATH");
        assertThatThrownBy(() -> DockerSettings.parse(Map.of("run-as-user", "0")))
                .hasMessageContaining("root is not allowed");
        assertThatThrownBy(() -> DockerSettings.parse(Map.of("allow-privileged", "yes")))
                .hasMessageContaining("allow-privileged");
        assertThatThrownBy(() -> DockerSettings.parse(Map.of("publish-address", "0.0.0.0.1")))
                .hasMessageContaining("publish-address");
        assertThatThrownBy(() -> DockerSettings.parse(Map.of("feature-registries", "ghcr.io,https://evil/x")))
                .hasMessageContaining("feature-registries: 'https://evil/x' is not a registry host");
        assertThatThrownBy(() -> DockerSettings.parse(Map.of("pull-registries", "docker.io/library")))
                .hasMessageContaining("pull-registries: 'docker.io/library' is not a registry host");
    }
}
