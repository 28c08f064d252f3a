package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceProviderFactory;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The factory as the server uses it: found with ServiceLoader, configured from settings, reaching
 * the cluster through a kubeconfig file. fabric8's mock server in CRUD mode stands in for the API
 * server the kubeconfig names.
 */
class KubernetesProviderFactoryTest {

    @TempDir
    Path dir;

    @Test
    void serviceLoaderFindsTheFactory() {
        assertThat(ServiceLoader.load(WorkspaceProviderFactory.class).stream()
                        .map(ServiceLoader.Provider::get)
                        .filter(f -> f.type().equals("kubernetes"))
                        .toList())
                .singleElement()
                .isInstanceOf(KubernetesProviderFactory.class);
    }

    @Test
    void kubeconfigSettingReachesTheClusterItNames() throws Exception {
        try (MockCluster cluster = new MockCluster()) {
            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - name: mock
                      cluster:
                        server: %s
                    users:
                    - name: tester
                      user:
                        token: test-token
                    contexts:
                    - name: mock
                      context:
                        cluster: mock
                        user: tester
                    current-context: mock
                    """.formatted(cluster.url()));
            WorkspaceSpec spec = Specs.spec(Map.of());
            try (WorkspaceProvider provider = new KubernetesProviderFactory()
                    .create(new ProviderContext(
                            dir,
                            Map.of(
                                    "namespace",
                                    "via-kubeconfig",
                                    "kubeconfig",
                                    kubeconfig.toString(),
                                    "apply-mode",
                                    "merge"),
                            Clock.systemUTC()))) {
                assertThat(provider.type()).isEqualTo("kubernetes");
                Observation o = provider.apply(spec, PowerState.STOPPED, ProviderListener.NONE);
                assertThat(o).isInstanceOf(Observation.Stopped.class);
            }
            assertThat(cluster.client
                            .apps()
                            .statefulSets()
                            .inNamespace("via-kubeconfig")
                            .list()
                            .getItems())
                    .singleElement()
                    .satisfies(s -> assertThat(s.getMetadata().getLabels())
                            .containsEntry("hangar.dev/workspace-id", spec.id()));
        }
    }

    @Test
    void invalidSettingsAreRefusedAtCreation() {
        KubernetesProviderFactory factory = new KubernetesProviderFactory();
        assertThatThrownBy(() -> factory.create(
                        new ProviderContext(dir, Map.of("namespace", "x", "nodes", "3"), Clock.systemUTC())))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("[nodes]");
        assertThatThrownBy(() -> factory.create(new ProviderContext(
                        dir,
                        Map.of(
                                "namespace",
                                "x",
                                "kubeconfig",
                                dir.resolve("missing").toString()),
                        Clock.systemUTC())))
                .isInstanceOfSatisfying(
                        ProviderException.class, e -> assertThat(e.permanent()).isTrue())
                .hasMessageContaining("names no readable file");
    }
}
