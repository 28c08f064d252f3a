package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.ManifestRenderer;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The dry run of a Pod workspace: the exact objects, compared with {@code
 * src/test/resources/golden/dry-run-pod.yaml} (rewrite with {@code -Dgolden.update=true} after a
 * deliberate change, then review the diff), built by a provider whose client points at a closed
 * loopback port, so any API request would fail the test; and the private host key redacted.
 */
class KubernetesManifestRendererTest {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final String FIXED_ID = "0b7c3c1e-0000-4000-8000-0000000000b2";

    private static WorkspaceSpec fixedSpec() {
        return new WorkspaceSpec(
                FIXED_ID,
                "fw-dev",
                "alice",
                "pod",
                new Resources(2, 4096, 16),
                "registry.example/hangar/workspace:1",
                "alice",
                List.of(Specs.USER_KEY),
                Specs.HOST_KEY,
                Specs.HOST_CERTIFICATE,
                CloudInitConfig.EMPTY,
                Map.of());
    }

    @Test
    void theDryRunOfAPodIsTheGoldenListAndNeedsNoCluster() throws IOException {
        List<Map<String, Object>> objects;
        try (KubernetesClient client = closedPortClient();
                KubernetesProvider provider =
                        new KubernetesProvider(client, Specs.settings(Map.of()), Clock.systemUTC(), false)) {
            objects = provider.manifests().orElseThrow().render(fixedSpec());
        }

        assertThat(objects)
                .extracting(o -> o.get("kind"))
                .containsExactly("StatefulSet", "Secret", "PersistentVolumeClaim", "Service", "Secret");
        assertGolden("dry-run-pod.yaml", SERIALIZATION.asYaml(list(objects)));
    }

    @Test
    void thePrivateHostKeyIsRedactedAndThePublicPartsStay() {
        WorkspaceSpec spec = fixedSpec();
        Map<String, Object> secret = new KubernetesManifestRenderer(new WorkspaceManifests(Specs.settings(Map.of())))
                .render(spec).stream()
                        .filter(o -> "Secret".equals(o.get("kind")))
                        .findFirst()
                        .orElseThrow();

        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) secret.get("data");
        assertThat(data)
                .containsEntry("ssh_host_ed25519_key", ManifestRenderer.REDACTED)
                .containsEntry("authorized_keys", base64(Specs.USER_KEY + "\n"))
                .containsEntry("ssh_host_ed25519_key.pub", base64(Specs.HOST_KEY.publicKey() + "\n"))
                .containsKey("ssh_host_ed25519_key-cert.pub");
        String yaml = SERIALIZATION.asYaml(secret);
        assertThat(yaml)
                .doesNotContain(Specs.HOST_KEY.privateKeyOpenSsh().strip())
                .doesNotContain(base64(Specs.HOST_KEY.privateKeyOpenSsh()));
    }

    @Test
    void theUserSecretsVolumeShowsButNoValueEver() {
        String value = "dry-run-secret-value";
        WorkspaceSpec spec = fixedSpec()
                .withSecrets(List.of(new dev.hangar.provider.spi.SecretFile(
                        "github-token", value.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        List<Map<String, Object>> objects =
                new KubernetesManifestRenderer(new WorkspaceManifests(Specs.settings(Map.of()))).render(spec);
        Map<String, Object> userSecrets = objects.getLast();
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = (Map<String, Object>) userSecrets.get("metadata");
        assertThat(meta.get("name")).isEqualTo("ws-alice-fw-dev-secrets");
        assertThat(userSecrets.get("data")).isEqualTo(Map.of("github-token", ManifestRenderer.REDACTED));
        String yaml = SERIALIZATION.asYaml(list(objects));
        assertThat(yaml)
                .contains("ws-alice-fw-dev-secrets")
                .contains("/var/secrets")
                .doesNotContain(value)
                .doesNotContain(base64(value));
    }

    /** Wraps objects the way kubectl prints several: a {@code v1} {@code List}. */
    static Map<String, Object> list(List<Map<String, Object>> items) {
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("apiVersion", "v1");
        list.put("kind", "List");
        list.put("items", items);
        return list;
    }

    /** A client of an API server that is not there: a loopback port that was free a moment ago. */
    static KubernetesClient closedPortClient() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl("https://127.0.0.1:" + port)
                .withNamespace("hangar-test")
                .withRequestRetryBackoffLimit(0)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertGolden(String file, String actual) throws IOException {
        Path source = Path.of("src/test/resources/golden", file);
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(source.getParent());
            Files.writeString(source, actual);
        }
        try (InputStream in = KubernetesManifestRendererTest.class.getResourceAsStream("/golden/" + file)) {
            assertThat(in)
                    .as("golden file %s (create it with -Dgolden.update=true)", file)
                    .isNotNull();
            assertThat(actual).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
