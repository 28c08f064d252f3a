package dev.hangar.testing.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.api.CliConfig;
import dev.hangar.api.HangarPaths;
import dev.hangar.api.TemplateView;
import dev.hangar.api.client.ClientSettings;
import dev.hangar.api.client.HangarClient;
import dev.hangar.server.HangarServer;
import dev.hangar.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped server (providers found by ServiceLoader, built-in templates on) offers the built-in
 * KubeVirt templates exactly when the kubevirt provider has a config section, as it does for the
 * Pod and container templates. The provider sends no request at start, so the kubeconfig may name
 * an API server that is not there (a closed loopback port).
 */
class KubevirtTemplatesTest {
    private static final List<String> KUBEVIRT_TEMPLATES =
            List.of("kubevirt-debian-12", "kubevirt-fedora", "kubevirt-ubuntu-24-04");

    @Test
    void theKubevirtTemplatesAreListedOnceTheProviderIsConfigured(@TempDir Path home) throws Exception {
        Path kubeconfig = home.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: absent
                  cluster: {server: "https://127.0.0.1:9"}
                contexts:
                - name: absent
                  context: {cluster: absent, user: nobody}
                current-context: absent
                users:
                - name: nobody
                  user: {token: not-a-token}
                """);
        ServerConfig config = base(home)
                .withProvider("kubevirt", Map.of("namespace", "hangar-vms", "kubeconfig", kubeconfig.toString()));

        List<TemplateView> templates = templates(config);

        assertThat(templates)
                .filteredOn(t -> t.provider().equals("kubevirt"))
                .extracting(TemplateView::name, TemplateView::image)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("kubevirt-debian-12", "debian-12"),
                        org.assertj.core.groups.Tuple.tuple("kubevirt-fedora", "fedora-42"),
                        org.assertj.core.groups.Tuple.tuple("kubevirt-ubuntu-24-04", "ubuntu-24.04"));
    }

    @Test
    void withoutAConfigSectionTheyAreHidden(@TempDir Path home) throws Exception {
        List<TemplateView> templates = templates(base(home));

        assertThat(templates).extracting(TemplateView::name).doesNotContainAnyElementsOf(KUBEVIRT_TEMPLATES);
        assertThat(templates).extracting(TemplateView::name).contains("debian-12");
    }

    private static ServerConfig base(Path home) {
        return ServerConfig.defaults(home, Map.of("USER", "admin"))
                .withListen("127.0.0.1", 0)
                .withProvider("qemu", Map.of("accelerator", "tcg"));
    }

    private static List<TemplateView> templates(ServerConfig config) throws Exception {
        try (HangarServer server = HangarServer.builder(config).start()) {
            String token = CliConfig.read(HangarPaths.cliConfig(config.home()))
                    .map(CliConfig::token)
                    .orElseThrow();
            try (HangarClient client =
                    new HangarClient(ClientSettings.of(server.baseUri().toString(), token))) {
                return client.templates();
            }
        }
    }
}
