package dev.hangar.testing.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.provider.kubernetes.WorkspaceManifests;
import dev.hangar.testing.TestHttp;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * What the Kubernetes ITs ({@link KubernetesWorkspaceIT}, {@link InClusterIT}) do with a workspace on
 * the real cluster, one copy: wait for a phase through the API, check what a stop leaves, and list the objects the
 * provider made for it by label.
 */
final class ClusterWorkspaces {
    private ClusterWorkspaces() {}

    /**
     * Polls {@code GET /api/v1/workspaces/NAME} every 250 ms until its phase is {@code phase}; fails
     * at once on {@code Failed}, and after {@code timeout} with the last body and {@code diagnostics}.
     *
     * @return the workspace as last read
     */
    static JsonNode awaitPhase(
            TestHttp http,
            String token,
            String workspace,
            String phase,
            Duration timeout,
            Supplier<String> diagnostics) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
                JsonNode ws = TestHttp.json(http.get("/api/v1/workspaces/" + workspace, token));
                last.set(ws);
                if (ws.path("phase").asText().equals("Failed"))
                    fail("workspace failed: " + ws + "\n" + diagnostics.get());
                return ws.path("phase").asText().equals(phase);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            fail("workspace not " + phase + " within " + timeout + "; last " + last.get() + "\n" + diagnostics.get());
        }
        return last.get();
    }

    /**
     * Checks what a Stopped Pod workspace may still show in the cluster: no Pod of it, or Pods that
     * are deleted ({@code metadata.deletionTimestamp}) with no container {@code running} (the kubelet
     * still removing them; see the provider's {@code PodObservations}).
     *
     * @throws AssertionError when a Pod of the workspace is not deleted or still runs a container
     */
    static void assertNoPodRuns(KubernetesClient admin, String namespace, String id) {
        for (Pod pod : pods(admin, namespace, id)) {
            assertThat(pod.getMetadata().getDeletionTimestamp())
                    .as(
                            "deletion of pod %s of a Stopped workspace",
                            pod.getMetadata().getName())
                    .isNotNull();
            assertThat(pod.getStatus().getContainerStatuses())
                    .as(
                            "containers of pod %s of a Stopped workspace",
                            pod.getMetadata().getName())
                    .noneMatch(c -> c.getState() != null && c.getState().getRunning() != null);
        }
    }

    /**
     * Waits up to {@code timeout} until no Pod of the workspace is listed. Removing a deleted pod
     * whose containers ended is the kubelet's work (its status manager's 10-second batch on 1.20),
     * so {@code timeout} is not a figure Hangar answers for.
     *
     * @throws org.awaitility.core.ConditionTimeoutException when one is still listed after {@code timeout}
     */
    static void awaitNoPod(KubernetesClient admin, String namespace, String id, Duration timeout) {
        await().atMost(timeout)
                .pollInterval(Duration.ofMillis(250))
                .alias("the kubelet removes the pods of workspace " + id)
                .until(() -> pods(admin, namespace, id).isEmpty());
    }

    private static List<Pod> pods(KubernetesClient admin, String namespace, String id) {
        return admin.pods()
                .inNamespace(namespace)
                .withLabel(WorkspaceManifests.LABEL_WORKSPACE_ID, id)
                .list()
                .getItems();
    }

    /**
     * Every object of the kinds the provider makes (StatefulSet, Service, Secret, PersistentVolumeClaim),
     * its ControllerRevisions and its Pods in {@code namespace}, labelled with the workspace id.
     */
    static List<HasMetadata> labelled(KubernetesClient admin, String namespace, String id) {
        String key = WorkspaceManifests.LABEL_WORKSPACE_ID;
        List<HasMetadata> all = new ArrayList<>();
        all.addAll(admin.apps()
                .statefulSets()
                .inNamespace(namespace)
                .withLabel(key, id)
                .list()
                .getItems());
        all.addAll(pods(admin, namespace, id));
        all.addAll(admin.services()
                .inNamespace(namespace)
                .withLabel(key, id)
                .list()
                .getItems());
        all.addAll(
                admin.secrets().inNamespace(namespace).withLabel(key, id).list().getItems());
        all.addAll(admin.persistentVolumeClaims()
                .inNamespace(namespace)
                .withLabel(key, id)
                .list()
                .getItems());
        all.addAll(admin.apps()
                .controllerRevisions()
                .inNamespace(namespace)
                .withLabel(key, id)
                .list()
                .getItems());
        return all;
    }

    /**
     * @return how many of {@link #labelled} there are of each kind the provider makes, by kind (Pods
     *     and ControllerRevisions are the StatefulSet controller's)
     */
    static Map<String, Long> kinds(KubernetesClient admin, String namespace, String id) {
        Map<String, Long> kinds = new TreeMap<>();
        for (HasMetadata o : labelled(admin, namespace, id))
            if (!o.getKind().equals("Pod") && !o.getKind().equals("ControllerRevision"))
                kinds.merge(o.getKind(), 1L, Long::sum);
        return kinds;
    }
}
