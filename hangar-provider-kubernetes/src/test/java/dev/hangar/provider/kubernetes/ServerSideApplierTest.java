package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.ProviderException;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The wire format of server-side apply. fabric8's mock server stands in for an API server but does
 * not implement server-side apply, so this test checks the request Hangar sends (method, content
 * type, field manager, force) rather than the result; the result needs a real API server (see the
 * module README, real-cluster level).
 */
class ServerSideApplierTest {

    @Test
    void sendsAnApplyPatchAsFieldManagerHangarWithForce() throws InterruptedException {
        try (MockCluster cluster = new MockCluster()) {
            ServerSideApplier applier = new ServerSideApplier(cluster.client);
            try {
                applier.apply(configMap("ssa", "id-1"));
            } catch (RuntimeException expected) {
                // the mock may answer the apply patch with an error; the request is what is checked
            }
            List<RecordedRequest> requests = cluster.takeRecordedRequests();
            RecordedRequest patch = requests.stream()
                    .filter(r -> r.getMethod().equals("PATCH"))
                    .findFirst()
                    .orElseThrow();
            assertThat(patch.getPath())
                    .startsWith("/api/v1/namespaces/hangar-test/configmaps/ssa?")
                    .contains("fieldManager=hangar")
                    .contains("force=true");
            assertThat(patch.getHeader("Content-Type")).startsWith("application/apply-patch+yaml");
        }
    }

    @Test
    void refusesToOverwriteAnotherWorkspacesObject() {
        try (MockCluster cluster = new MockCluster()) {
            cluster.client.configMaps().resource(configMap("taken", "id-old")).create();
            ServerSideApplier applier = new ServerSideApplier(cluster.client);
            assertThatThrownBy(() -> applier.apply(configMap("taken", "id-new")))
                    .isInstanceOfSatisfying(
                            ProviderException.class,
                            e -> assertThat(e.permanent()).isFalse())
                    .hasMessageContaining("belongs to workspace id-old, not id-new");
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
