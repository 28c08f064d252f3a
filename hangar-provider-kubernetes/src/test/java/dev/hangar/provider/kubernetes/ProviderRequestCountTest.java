package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the API requests per workspace and operation (issue #18 item 9: kubectl sends one PATCH per
 * object), so that a guard read or a second write cannot come back silently. bench/README.md has the
 * figures against a real API server.
 *
 * <p>Server-side apply runs against a stand-in ({@link ServerSideApplyStandIn}): fabric8's mock
 * server lacks it. The delete counts use the mock's real CRUD
 * (merge mode).
 */
class ProviderRequestCountTest {

    @Test
    void serverSideApplyOfAStoppedWorkspaceIsOnePatchPerObjectCreatedOrUnchanged() throws InterruptedException {
        try (MockCluster cluster = new MockCluster(new ServerSideApplyStandIn());
                KubernetesProvider provider = new KubernetesProvider(
                        cluster.client,
                        Specs.settings(Map.of("apply-mode", "server-side")),
                        Clock.systemUTC(),
                        false)) {
            WorkspaceSpec spec = Specs.spec(Map.of());
            cluster.takeRequests();

            Observation created = provider.apply(spec, PowerState.STOPPED, ProviderListener.NONE);
            List<String> create = cluster.takeRequests();
            Observation unchanged = provider.apply(spec, PowerState.STOPPED, ProviderListener.NONE);
            List<String> again = cluster.takeRequests();

            assertThat(created).isInstanceOf(Observation.Stopped.class);
            assertThat(unchanged).isInstanceOf(Observation.Stopped.class);
            assertThat(create)
                    .as("StatefulSet first (its uid for the owner references), then the ssh Secret, claim and"
                            + " Service; no guard read, no second StatefulSet write, no pod read for a StatefulSet"
                            + " at 0")
                    .hasSize(4)
                    .allMatch(r -> r.startsWith("PATCH ") && r.contains("force=false"));
            assertThat(create.getFirst()).contains("/statefulsets/");
            assertThat(again)
                    .as("the same desired objects: one read each shows they are as the last write left them")
                    .hasSize(4)
                    .allMatch(r -> r.startsWith("GET ") && !r.contains("?"));
            assertThat(again.getFirst()).contains("/statefulsets/");
        }
    }

    @Test
    void aStartOfAWorkspaceNotYetWrittenReadsItsStatefulSetOnceThenNot() throws InterruptedException {
        try (MockCluster cluster = new MockCluster(new ServerSideApplyStandIn());
                KubernetesProvider provider = new KubernetesProvider(
                        cluster.client,
                        Specs.settings(Map.of("apply-mode", "server-side")),
                        Clock.systemUTC(),
                        false)) {
            WorkspaceSpec spec = Specs.spec(Map.of());
            cluster.takeRequests();

            provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
            List<String> first = cluster.takeRequests();
            provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
            List<String> second = cluster.takeRequests();

            // GET StatefulSet (absent), apply at 0, 4 dependents, apply at 1, then the observation: pod, events
            assertThat(first.getFirst()).startsWith("GET ").contains("/statefulsets/");
            assertThat(first.stream().filter(r -> r.startsWith("PATCH ")).count())
                    .isEqualTo(6);
            // Known and unchanged: one read of each of the 5 objects, no write, then the observation
            assertThat(second).noneMatch(r -> r.startsWith("PATCH "));
            assertThat(second.stream()
                            .filter(r -> r.startsWith("GET ") && !r.contains("/pods/") && !r.contains("/events")))
                    .hasSize(5);
        }
    }

    @Test
    void aStartsDependentsAreInFlightTogetherBetweenTheTwoStatefulSetWrites() throws InterruptedException {
        RequestsHeldTogether held = new RequestsHeldTogether(
                4, RequestsHeldTogether.patchOf("/secrets/", "/persistentvolumeclaims/", "/services/"));
        try (MockCluster cluster = new MockCluster(new ServerSideApplyStandIn());
                KubernetesClient client = new KubernetesClientBuilder()
                        .withConfig(cluster.client.getConfiguration())
                        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("held", held))
                        .build();
                KubernetesProvider provider = new KubernetesProvider(
                        client, Specs.settings(Map.of("apply-mode", "server-side")), Clock.systemUTC(), false)) {
            WorkspaceSpec spec = Specs.spec(Map.of());
            cluster.takeRequests();

            provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
            List<String> patches = cluster.takeRequests().stream()
                    .filter(r -> r.startsWith("PATCH "))
                    .toList();

            assertThat(held.mostAtOnce())
                    .as("both Secrets, the claim and the Service wait for one another before they are sent;"
                            + " sent one after another, each would be held alone")
                    .isEqualTo(4);
            assertThat(patches)
                    .as("the StatefulSet at 0 first (its uid), the 4 dependents, the StatefulSet at 1 last")
                    .hasSize(6);
            assertThat(patches.getFirst()).contains("/statefulsets/");
            assertThat(patches.getLast()).contains("/statefulsets/");
            assertThat(patches.subList(1, 5)).noneMatch(r -> r.contains("/statefulsets/"));
        }
    }

    @Test
    void deleteIsOneRequestPerObjectAndSweepsByLabelOnlyWhenNothingIsLeftByName() throws InterruptedException {
        try (MockCluster cluster = new MockCluster();
                KubernetesProvider provider =
                        new KubernetesProvider(cluster.client, Specs.settings(Map.of()), Clock.systemUTC(), false)) {
            WorkspaceSpec spec = Specs.spec(Map.of());
            provider.apply(spec, PowerState.STOPPED, ProviderListener.NONE);
            cluster.takeRequests();

            assertThat(provider.delete(spec, ProviderListener.NONE)).isInstanceOf(Observation.Stopping.class);
            List<String> byName = cluster.takeRequests();
            assertThat(byName)
                    .as("StatefulSet, both Secrets, claim; the Service goes with the StatefulSet")
                    .hasSize(4)
                    .allMatch(r -> r.startsWith("DELETE ")
                            && r.contains("labelSelector=hangar.dev%2Fworkspace-id%3D" + spec.id())
                            && r.contains("fieldSelector=metadata.name%3D"));

            // The mock has no garbage collector: the next call finds nothing by name, sweeps by label and
            // deletes the Service the collector would have; the one after finds nothing at all.
            assertThat(provider.delete(spec, ProviderListener.NONE)).isInstanceOf(Observation.Stopping.class);
            cluster.takeRequests();
            assertThat(provider.delete(spec, ProviderListener.NONE)).isInstanceOf(Observation.Absent.class);
            List<String> sweep = cluster.takeRequests();
            assertThat(sweep.stream().filter(r -> r.startsWith("DELETE "))).hasSize(4);
            assertThat(sweep.stream().filter(r -> r.startsWith("GET ")))
                    .as("one list per kind, by label")
                    .hasSize(5)
                    .allMatch(r -> r.contains("labelSelector="));
        }
    }
}
