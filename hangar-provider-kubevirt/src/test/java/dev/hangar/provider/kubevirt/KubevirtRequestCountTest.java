package dev.hangar.provider.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.provider.kubernetes.MockCluster;
import dev.hangar.provider.kubernetes.RequestsHeldTogether;
import dev.hangar.provider.kubernetes.ServerSideApplyStandIn;
import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.vm.ImageCatalog;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the API requests per KubeVirt workspace and operation (issue #18 item 9: held to the Pod
 * provider's figures, one request per object like kubectl). Server-side apply runs against {@link
 * ServerSideApplyStandIn} (fabric8's mock server lacks it); the delete counts use the mock's CRUD
 * store (merge mode).
 */
class KubevirtRequestCountTest {

    @Test
    void serverSideApplyOfAHaltedWorkspaceIsOnePatchPerObjectCreatedAndOneReadPerObjectUnchanged()
            throws InterruptedException {
        try (MockCluster cluster = new MockCluster(new ServerSideApplyStandIn());
                KubevirtProvider provider = provider(cluster.client, Map.of("apply-mode", "server-side"))) {
            KubevirtCrds.install(cluster.client);
            WorkspaceSpec spec = VmSpecs.spec("alice", "count", "debian-12", Map.of(), CloudInitConfig.EMPTY);
            provider.observe(spec); // API discovery, once per provider
            cluster.takeRequests();

            Observation created = provider.apply(spec, PowerState.STOPPED, ProviderListener.NONE);
            List<String> create = cluster.takeRequests();
            Observation unchanged = provider.apply(spec, PowerState.STOPPED, ProviderListener.NONE);
            List<String> again = cluster.takeRequests();

            assertThat(created).isInstanceOf(Observation.Stopped.class);
            assertThat(unchanged).isInstanceOf(Observation.Stopped.class);
            assertThat(create)
                    .as("VM first (its uid for the owner references), then Secret, Service, DataVolume; no guard"
                            + " read, no second VM write, no VMI read for a Halted VM")
                    .hasSize(4)
                    .allMatch(r -> r.startsWith("PATCH ") && r.contains("force=false"));
            assertThat(create.getFirst()).contains("/virtualmachines/");
            assertThat(again).hasSize(4).allMatch(r -> r.startsWith("GET ") && !r.contains("?"));
        }
    }

    @Test
    void theSecretServiceAndDataVolumeAreInFlightTogetherAfterTheVm() throws InterruptedException {
        RequestsHeldTogether held =
                new RequestsHeldTogether(3, RequestsHeldTogether.patchOf("/secrets/", "/services/", "/datavolumes/"));
        try (MockCluster cluster = new MockCluster(new ServerSideApplyStandIn());
                KubernetesClient client = new KubernetesClientBuilder()
                        .withConfig(cluster.client.getConfiguration())
                        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("held", held))
                        .build();
                KubevirtProvider provider = provider(client, Map.of("apply-mode", "server-side"))) {
            KubevirtCrds.install(cluster.client);
            WorkspaceSpec spec = VmSpecs.spec("alice", "together", "debian-12", Map.of(), CloudInitConfig.EMPTY);
            provider.observe(spec);
            cluster.takeRequests();

            assertThat(provider.apply(spec, PowerState.STOPPED, ProviderListener.NONE))
                    .isInstanceOf(Observation.Stopped.class);

            assertThat(held.mostAtOnce())
                    .as("the three dependents' applies wait for one another before they are sent; sent one"
                            + " after another, each would be held alone")
                    .isEqualTo(3);
            assertThat(cluster.takeRequests()).hasSize(4).first().asString().contains("/virtualmachines/");
        }
    }

    @Test
    void deleteIsOneRequestPerObjectItOwnsByNameThenReadsTheRestOnce() throws InterruptedException {
        try (MockCluster cluster = new MockCluster();
                KubevirtProvider provider = provider(cluster.client, Map.of())) {
            KubevirtCrds.install(cluster.client);
            WorkspaceSpec spec = VmSpecs.spec("alice", "gone", "debian-12", Map.of(), CloudInitConfig.EMPTY);
            provider.apply(spec, PowerState.STOPPED, ProviderListener.NONE);
            cluster.takeRequests();

            assertThat(provider.delete(spec, ProviderListener.NONE)).isInstanceOf(Observation.Stopping.class);
            assertThat(cluster.takeRequests())
                    .as("VM, Secret, DataVolume by name and label; the Service goes with the VM")
                    .hasSize(3)
                    .allMatch(r -> r.startsWith("DELETE ") && r.contains("fieldSelector=metadata.name%3D"));

            // The mock has no garbage collector: the next call reads the five names and removes the Service.
            assertThat(provider.delete(spec, ProviderListener.NONE)).isInstanceOf(Observation.Stopping.class);
            cluster.takeRequests();
            assertThat(provider.delete(spec, ProviderListener.NONE)).isInstanceOf(Observation.Absent.class);
            List<String> last = cluster.takeRequests();
            assertThat(last.stream().filter(r -> r.startsWith("DELETE "))).hasSize(3);
            assertThat(last.stream().filter(r -> r.startsWith("GET "))).hasSize(5);
        }
    }

    private static KubevirtProvider provider(KubernetesClient client, Map<String, String> extra) {
        return new KubevirtProvider(
                client,
                VmSpecs.settings(extra),
                ImageCatalog.shipped(),
                (spec, endpoint) -> {
                    throw new IllegalStateException("a Halted workspace is never probed");
                },
                Clock.systemUTC(),
                false,
                VmSpecs.CONSOLE_DIR);
    }
}
