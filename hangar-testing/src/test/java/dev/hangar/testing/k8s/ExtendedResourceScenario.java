package dev.hangar.testing.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.api.Json;
import dev.hangar.provider.kubernetes.KubernetesProviderFactory;
import dev.hangar.provider.kubernetes.WorkspaceNames;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Issue #19 on the real cluster of {@link KubernetesWorkspaceIT} (reused: no second cluster). The
 * node advertises {@code example.com/gpu: 2} by Kubernetes' documented JSON patch of its status
 * capacity; three Pod workspaces created through the control plane ask for one each: two run, the
 * third waits (phase Starting, pod Pending) with the scheduler's reason naming {@code Insufficient
 * example.com/gpu}, and runs once one of the others is deleted. The capacity is removed at the end.
 */
final class ExtendedResourceScenario {
    static final String RESOURCE = "example.com/gpu";
    private static final String PATH = "/status/capacity/example.com~1gpu";
    private static final Duration TIMEOUT = Duration.ofMinutes(8);

    private final KubernetesClient admin;
    private final String namespace;
    private final Supplier<String> describe;

    ExtendedResourceScenario(KubernetesClient admin, String namespace, Supplier<String> describe) {
        this.admin = admin;
        this.namespace = namespace;
        this.describe = describe;
    }

    /**
     * Runs the scenario with a control plane whose kubernetes provider uses {@code serverKubeconfig}.
     *
     * @param home an empty directory for the control plane's home
     * @param image the workspace image already on the node
     * @return the scenario's wall time in seconds
     */
    double run(Path home, Path serverKubeconfig, String image) throws Exception {
        long t0 = System.nanoTime();
        String node = admin.nodes().list().getItems().getFirst().getMetadata().getName();
        advertise(node, "add", "2");
        try {
            Files.createDirectories(home.resolve("templates"));
            Files.writeString(home.resolve("templates/pod-gpu-it.yaml"), template(image));
            try (TestControlPlane cp = TestControlPlane.builder()
                    .home(home)
                    .addProviderFactory(new KubernetesProviderFactory())
                    .configure(c -> c.withProvider(
                            "kubernetes",
                            Map.of(
                                    "namespace",
                                    namespace,
                                    "kubeconfig",
                                    serverKubeconfig.toString(),
                                    "apply-mode",
                                    "server-side",
                                    "service-routable",
                                    "false")))
                    .start()) {
                TestHttp http = cp.http();
                String token = cp.createUser("gpu-user", false).token();
                create(http, token, "gpu-a");
                create(http, token, "gpu-b");
                awaitWorkspace(
                        http,
                        token,
                        "gpu-a",
                        "Running",
                        w -> w.path("phase").asText().equals("Running"));
                awaitWorkspace(
                        http,
                        token,
                        "gpu-b",
                        "Running",
                        w -> w.path("phase").asText().equals("Running"));
                JsonNode shown = TestHttp.json(http.get("/api/v1/workspaces/gpu-a", token));
                assertThat(shown.path("devices").toString()).isEqualTo("[{\"name\":\"example.com/gpu\",\"count\":1}]");

                create(http, token, "gpu-c");
                JsonNode waiting = awaitWorkspace(
                        http,
                        token,
                        "gpu-c",
                        "waiting with the scheduler's reason",
                        w -> w.path("reason").asText().contains("Insufficient " + RESOURCE));
                assertThat(waiting.path("phase").asText()).isEqualTo("Starting");
                assertThat(waiting.path("reason").asText()).startsWith("Unschedulable: 0/1 nodes are available");
                Pod pending = pod("gpu-c");
                assertThat(pending.getStatus().getPhase()).isEqualTo("Pending");
                assertThat(pending.getSpec()
                                .getContainers()
                                .getFirst()
                                .getResources()
                                .getLimits())
                        .containsEntry(RESOURCE, new Quantity("1"));

                assertThat(http.delete("/api/v1/workspaces/gpu-a", token).statusCode())
                        .isEqualTo(202);
                awaitWorkspace(
                        http,
                        token,
                        "gpu-c",
                        "Running",
                        w -> w.path("phase").asText().equals("Running"));
                assertThat(TestHttp.json(http.get("/api/v1/workspaces/gpu-b", token))
                                .path("phase")
                                .asText())
                        .isEqualTo("Running");

                for (String name : List.of("gpu-b", "gpu-c"))
                    assertThat(http.delete("/api/v1/workspaces/" + name, token).statusCode())
                            .isEqualTo(202);
                for (String name : List.of("gpu-a", "gpu-b", "gpu-c"))
                    await().atMost(TIMEOUT)
                            .pollInterval(Duration.ofMillis(500))
                            .alias(name + " removed")
                            .until(() -> http.get("/api/v1/workspaces/" + name, token)
                                            .statusCode()
                                    == 404);
            }
        } finally {
            advertise(node, "remove", null);
        }
        Node after = admin.nodes().withName(node).get();
        assertThat(after.getStatus().getCapacity()).doesNotContainKey(RESOURCE);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Kubernetes' documented way to advertise (or withdraw) an extended resource on a node. */
    private void advertise(String node, String op, String value) {
        ObjectNode patch = Json.mapper().createObjectNode().put("op", op).put("path", PATH);
        if (value != null) patch.put("value", value);
        ArrayNode ops = Json.mapper().createArrayNode().add(patch);
        admin.nodes().withName(node).subresource("status").patch(PatchContext.of(PatchType.JSON), ops.toString());
        await().atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(250))
                .alias(RESOURCE + " allocatable after " + op)
                .until(() -> {
                    Map<String, Quantity> allocatable =
                            admin.nodes().withName(node).get().getStatus().getAllocatable();
                    return value == null
                            ? !allocatable.containsKey(RESOURCE)
                            : new Quantity(value).equals(allocatable.get(RESOURCE));
                });
    }

    private static void create(TestHttp http, String token, String name) {
        ObjectNode body = Json.mapper().createObjectNode().put("name", name).put("template", "pod-gpu-it");
        body.putArray("devices").addObject().put("name", RESOURCE).put("count", 1);
        HttpResponse<String> created = http.post("/api/v1/workspaces", token, body.toString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    private JsonNode awaitWorkspace(TestHttp http, String token, String name, String what, Predicate<JsonNode> done) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .alias(name + " " + what)
                .until(() -> {
                    JsonNode w = TestHttp.json(http.get("/api/v1/workspaces/" + name, token));
                    last.set(w);
                    if (w.path("phase").asText().equals("Failed"))
                        throw new AssertionError(name + " failed: " + w + "\n" + describe.get());
                    return done.test(w);
                });
        return last.get();
    }

    private Pod pod(String workspace) {
        return admin.pods()
                .inNamespace(namespace)
                .withName(WorkspaceNames.of("gpu-user", workspace).pod())
                .get();
    }

    private static String template(String image) {
        return """
                name: pod-gpu-it
                description: One example.com/gpu per workspace (issue 19)
                provider: kubernetes
                image: %s
                defaults: {cpus: 1, memoryMiB: 256, diskGiB: 1}
                limits:
                  cpus: {min: 1, max: 1}
                  memoryMiB: {min: 256, max: 256}
                  diskGiB: {min: 1, max: 1}
                devices:
                  - {name: example.com/gpu, count: 1, min: 1, max: 1}
                settings: {image-pull-policy: Never}
                """.formatted(image);
    }
}
