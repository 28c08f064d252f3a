package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.ProviderException;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The wire protocol of server-side apply. fabric8's mock server stands in for an API server but does
 * not implement server-side apply, so these tests check the requests Hangar sends (method, content
 * type, field manager, force) and, where it matters, script the API server's documented answer to an
 * unforced apply that conflicts with another field manager (409 Conflict); the result of a real apply
 * needs a real API server (ReconcileBenchmark, KubernetesWorkspaceIT).
 */
class ServerSideApplierTest {

    @Test
    void sendsOneUnforcedApplyPatchAsTheWorkspacesOwnFieldManager() throws InterruptedException {
        try (MockCluster cluster = new MockCluster()) {
            ServerSideApplier applier = new ServerSideApplier(cluster.client);
            try {
                applier.apply(configMap("ssa", "id-1"));
            } catch (RuntimeException expected) {
                // the mock may answer the apply patch with an error; the request is what is checked
            }
            List<RecordedRequest> requests = cluster.takeRecordedRequests();
            RecordedRequest patch = requests.getFirst();
            assertThat(patch.getMethod()).as("no guard GET before the apply").isEqualTo("PATCH");
            assertThat(patch.getPath())
                    .startsWith("/api/v1/namespaces/hangar-test/configmaps/ssa?")
                    .contains("fieldManager=hangar-id-1")
                    .contains("force=false");
            assertThat(patch.getHeader("Content-Type")).startsWith("application/apply-patch+yaml");
        }
    }

    @Test
    void aConflictOnAnotherWorkspacesObjectIsRefusedWithoutForcing() throws InterruptedException {
        try (MockCluster cluster = new MockCluster(new ConflictingApplies())) {
            cluster.client.configMaps().resource(configMap("taken", "id-old")).create();
            cluster.takeRequests();
            ServerSideApplier applier = new ServerSideApplier(cluster.client);
            assertThatThrownBy(() -> applier.apply(configMap("taken", "id-new")))
                    .isInstanceOfSatisfying(
                            ProviderException.class,
                            e -> assertThat(e.permanent()).isFalse())
                    .hasMessageContaining("belongs to workspace id-old, not id-new");
            assertThat(cluster.takeRequests())
                    .as("the unforced apply, then the read that found the other workspace's label")
                    .hasSize(2)
                    .noneMatch(r -> r.contains("force=true"));
        }
    }

    @Test
    void aConflictOnTheWorkspacesOwnObjectIsAppliedAgainWithForce() throws InterruptedException {
        try (MockCluster cluster = new MockCluster(new ConflictingApplies())) {
            // e.g. written by the single "hangar" field manager of earlier versions, or scaled by hand
            cluster.client.configMaps().resource(configMap("mine", "id-1")).create();
            cluster.takeRequests();
            ServerSideApplier applier = new ServerSideApplier(cluster.client);
            try {
                applier.apply(configMap("mine", "id-1"));
            } catch (RuntimeException expected) {
                // the mock's answer to the forced apply patch does not matter here
            }
            List<String> requests = cluster.takeRequests();
            assertThat(requests).hasSize(3);
            assertThat(requests.get(0)).startsWith("PATCH ").contains("force=false");
            assertThat(requests.get(1)).startsWith("GET /api/v1/namespaces/hangar-test/configmaps/mine");
            assertThat(requests.get(2)).startsWith("PATCH ").contains("fieldManager=hangar-id-1", "force=true");
        }
    }

    @Test
    void theFieldManagerIsTheWorkspacesOwn() {
        assertThat(ServerSideApplier.fieldManager(configMap("a", "0f6e"))).isEqualTo("hangar-0f6e");
        assertThat(ServerSideApplier.fieldManager(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("b")
                        .endMetadata()
                        .build()))
                .isEqualTo("hangar");
    }

    /** Answers every unforced apply patch as an API server does when another manager owns a field. */
    private static final class ConflictingApplies extends KubernetesCrudDispatcher {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String type = request.getHeader("Content-Type");
            if (request.getMethod().equals("PATCH")
                    && type != null
                    && type.startsWith("application/apply-patch")
                    && request.getPath().contains("force=false")) {
                return new MockResponse()
                        .setResponseCode(409)
                        .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":"
                                + "\"Apply failed with 1 conflict: conflict with \\\"hangar-id-old\\\":"
                                + " .metadata.labels.hangar.dev/workspace-id\",\"reason\":\"Conflict\",\"code\":409}");
            }
            return super.dispatch(request);
        }
    }

    private static ConfigMap configMap(String name, String workspaceId) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("hangar-test")
                .addToLabels(WorkspaceManifests.LABEL_WORKSPACE_ID, workspaceId)
                .endMetadata()
                .addToData("key", "v")
                .build();
    }
}
