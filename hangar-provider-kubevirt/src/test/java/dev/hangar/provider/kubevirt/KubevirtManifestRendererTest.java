package dev.hangar.provider.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.ManifestRenderer;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.vm.CloudInitUserData;
import dev.hangar.provider.vm.ImageCatalog;
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
 * The dry run of a KubeVirt workspace: the exact objects, compared with {@code
 * src/test/resources/golden/dry-run-kubevirt.yaml} (rewrite with {@code -Dgolden.update=true} after a
 * deliberate change, then review the diff), built by a provider whose client points at a closed
 * loopback port (so API discovery or any other request would fail the test); and the cloud-init
 * user-data, which carries the private host key, redacted.
 */
class KubevirtManifestRendererTest {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final String FIXED_ID = "0b7c3c1e-0000-4000-8000-0000000000c3";

    private static WorkspaceSpec fixedSpec() {
        return VmSpecs.spec(
                FIXED_ID,
                "alice",
                "fw-dev",
                "debian-12",
                Map.of("node-selector.kubevirt.io/schedulable", "true"),
                new CloudInitConfig(List.of("git"), List.of("echo hello"), ""));
    }

    @Test
    void theDryRunOfAVmIsTheGoldenListAndNeedsNoCluster() throws IOException {
        List<Map<String, Object>> objects;
        KubevirtProvider.SshCheck never = (spec, endpoint) -> new Observation.Failed("not probed in a dry run");
        try (KubernetesClient client = closedPortClient();
                KubevirtProvider provider = new KubevirtProvider(
                        client,
                        VmSpecs.settings(Map.of("storage-class", "fast-ssd")),
                        ImageCatalog.shipped(),
                        never,
                        Clock.systemUTC(),
                        false,
                        VmSpecs.CONSOLE_DIR)) {
            objects = provider.manifests().orElseThrow().render(fixedSpec());
        }

        assertThat(objects)
                .extracting(o -> o.get("kind"))
                .containsExactly("VirtualMachine", "Secret", "Service", "DataVolume");
        assertGolden("dry-run-kubevirt.yaml", SERIALIZATION.asYaml(list(objects)));
    }

    @Test
    void theUserDataIsRedactedForItHoldsThePrivateHostKey() {
        WorkspaceSpec spec = fixedSpec();
        List<Map<String, Object>> objects = new KubevirtManifestRenderer(
                        new KubevirtManifests(VmSpecs.settings(Map.of()), ImageCatalog.shipped()))
                .render(spec);
        Map<String, Object> secret = objects.stream()
                .filter(o -> "Secret".equals(o.get("kind")))
                .findFirst()
                .orElseThrow();

        assertThat(secret.get("data")).isEqualTo(Map.of(KubevirtManifests.USER_DATA_KEY, ManifestRenderer.REDACTED));
        String userData = CloudInitUserData.render(spec);
        assertThat(userData).contains("test-only-not-a-key"); // what is redacted really was secret
        String yaml = SERIALIZATION.asYaml(list(objects));
        assertThat(yaml)
                .doesNotContain("test-only-not-a-key")
                .doesNotContain(Base64.getEncoder().encodeToString(userData.getBytes(StandardCharsets.UTF_8)));
    }

    private static Map<String, Object> list(List<Map<String, Object>> items) {
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("apiVersion", "v1");
        list.put("kind", "List");
        list.put("items", items);
        return list;
    }

    /** A client of an API server that is not there: a loopback port that was free a moment ago. */
    private static KubernetesClient closedPortClient() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl("https://127.0.0.1:" + port)
                .withNamespace(VmSpecs.NS)
                .withRequestRetryBackoffLimit(0)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static void assertGolden(String file, String actual) throws IOException {
        Path source = Path.of("src/test/resources/golden", file);
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(source, actual);
        }
        try (InputStream in = KubevirtManifestRendererTest.class.getResourceAsStream("/golden/" + file)) {
            assertThat(in)
                    .as("golden file %s (create it with -Dgolden.update=true)", file)
                    .isNotNull();
            assertThat(actual).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
