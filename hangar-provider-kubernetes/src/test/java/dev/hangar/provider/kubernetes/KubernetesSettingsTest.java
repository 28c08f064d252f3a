package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.ProviderException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubernetesSettingsTest {

    @Test
    void defaults() {
        KubernetesSettings s = KubernetesSettings.parse(Map.of("namespace", "dev"));
        assertThat(s.namespace()).isEqualTo("dev");
        assertThat(s.allowPrivileged()).isFalse();
        assertThat(s.serviceRoutable()).isFalse();
        assertThat(s.storageClassName()).isEmpty();
        assertThat(s.kubeconfigPath()).isEmpty();
        assertThat(s.applyMode()).isEqualTo(ApplyMode.SERVER_SIDE);
        assertThat(s.secrets()).isEmpty();
        assertThat(s.runAsUser()).isEqualTo(1000L);
        assertThat(s.terminal()).isTrue();
    }

    @Test
    void everySettingIsRead() {
        KubernetesSettings s = KubernetesSettings.parse(Map.of(
                "namespace", "dev",
                "kubeconfig", "/etc/hangar/kubeconfig",
                "context", "lab",
                "allow-privileged", "true",
                "service-routable", "TRUE",
                "storage-class", "local-path",
                "apply-mode", "merge",
                "secrets", "a, b",
                "run-as-user", "2000",
                "terminal", "false"));
        assertThat(s)
                .isEqualTo(new KubernetesSettings(
                        "dev",
                        "/etc/hangar/kubeconfig",
                        "lab",
                        true,
                        true,
                        "local-path",
                        ApplyMode.MERGE,
                        List.of("a", "b"),
                        2000,
                        false));
    }

    @Test
    void unknownKeysAreNamed() {
        assertThatThrownBy(() -> KubernetesSettings.parse(Map.of("namespace", "dev", "namepsace", "x", "zone", "a")))
                .isInstanceOfSatisfying(
                        ProviderException.class, e -> assertThat(e.permanent()).isTrue())
                .hasMessageContaining("[namepsace, zone]")
                .hasMessageContaining("known keys are");
    }

    @Test
    void badValuesSayWhatToWrite() {
        assertThatThrownBy(() -> KubernetesSettings.parse(Map.of())).hasMessageContaining("'namespace' is required");
        assertThatThrownBy(() -> KubernetesSettings.parse(Map.of("namespace", "Dev_1")))
                .hasMessageContaining("DNS-1123");
        assertThatThrownBy(() -> KubernetesSettings.parse(Map.of("namespace", "dev", "allow-privileged", "yes")))
                .hasMessageContaining("allow-privileged must be true or false");
        assertThatThrownBy(() -> KubernetesSettings.parse(Map.of("namespace", "dev", "apply-mode", "client")))
                .hasMessageContaining("server-side, merge");
        assertThatThrownBy(() -> KubernetesSettings.parse(Map.of("namespace", "dev", "run-as-user", "0")))
                .hasMessageContaining("root is not allowed");
        assertThatThrownBy(() -> KubernetesSettings.parse(Map.of("namespace", "dev", "secrets", "ok,Not_OK")))
                .hasMessageContaining("'Not_OK'");
        assertThatThrownBy(() -> KubernetesSettings.parse(Map.of("namespace", "dev", "terminal", "off")))
                .hasMessageContaining("terminal must be true or false");
    }
}
