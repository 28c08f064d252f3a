package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link NamedDeletion} reads a custom resource's delete-collection answer as the real API server
 * gives it: a {@code <Kind>List} of the deleted objects (the CRUD mock answers otherwise, which is how
 * fabric8's misreading of that answer, "one object without a name" even for an empty list, went
 * unseen until a real API server kept a KubeVirt deletion from ever ending).
 */
class NamedDeletionTest {
    private static final ResourceDefinitionContext VMS = new ResourceDefinitionContext.Builder()
            .withGroup("kubevirt.io")
            .withVersion("v1")
            .withKind("VirtualMachine")
            .withPlural("virtualmachines")
            .withNamespaced(true)
            .build();

    /** Answers a delete of the VM collection with the real API server's list shape, {@code items} as given. */
    private static final class ListAnswer extends KubernetesCrudDispatcher {
        private final String items;

        ListAnswer(String items) {
            this.items = items;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            if (request.getMethod().equals("DELETE") && request.getPath().contains("/virtualmachines?")) {
                return new MockResponse()
                        .setResponseCode(200)
                        .setBody("{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineList\","
                                + "\"metadata\":{\"resourceVersion\":\"42\"},\"items\":[" + items + "]}");
            }
            return super.dispatch(request);
        }
    }

    @Test
    void anEmptyListAnswerMeansNothingWasFound() throws InterruptedException {
        try (MockCluster cluster = new MockCluster(new ListAnswer(""))) {
            NamedDeletion deletion = new NamedDeletion(cluster.client, "test", "x-deleted");

            assertThat(deletion.deleteNamed("VirtualMachine", VMS, "ws-a-b", "id-1"))
                    .isEmpty();
            List<String> sent = cluster.takeRequests();
            assertThat(sent)
                    .singleElement()
                    .satisfies(r -> assertThat(r)
                            .startsWith("DELETE /apis/kubevirt.io/v1/namespaces/test/virtualmachines?")
                            .contains("labelSelector=hangar.dev%2Fworkspace-id%3Did-1")
                            .contains("fieldSelector=metadata.name%3Dws-a-b"));
        }
    }

    @Test
    void eachListedObjectIsAnsweredByName() {
        String vm = "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"ws-a-b\","
                + "\"namespace\":\"test\",\"deletionTimestamp\":\"2026-12-04T23:00:00Z\",\"finalizers\":[\"f\"]}}";
        try (MockCluster cluster = new MockCluster(new ListAnswer(vm))) {
            NamedDeletion deletion = new NamedDeletion(cluster.client, "test", "x-deleted");

            assertThat(deletion.deleteNamed("VirtualMachine", VMS, "ws-a-b", "id-1"))
                    .containsExactly("VirtualMachine test/ws-a-b");
        }
    }

    @Test
    void anErrorAnswerKeepsTheApiServersCodeAndMessage() {
        try (MockCluster cluster = new MockCluster(new KubernetesCrudDispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse()
                        .setResponseCode(403)
                        .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                                + "\"message\":\"virtualmachines.kubevirt.io is forbidden\",\"code\":403}");
            }
        })) {
            NamedDeletion deletion = new NamedDeletion(cluster.client, "test", "x-deleted");

            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> deletion.deleteNamed("VirtualMachine", VMS, "ws-a-b", "id-1"))
                    .isInstanceOfSatisfying(
                            io.fabric8.kubernetes.client.KubernetesClientException.class,
                            e -> assertThat(e.getCode()).isEqualTo(403))
                    .hasMessageContaining("forbidden");
        }
    }
}
