package dev.hangar.provider.kubernetes;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * fabric8's mock server in CRUD mode, standing in for a Kubernetes API server in fast tests: it
 * stores, lists (with label selectors), patches and deletes objects, but runs no controllers (no
 * pods are created for a StatefulSet, no garbage collection, no ClusterIP allocation) and has no
 * server-side apply. Listens on 127.0.0.1 only, plain HTTP. Shared with the kubevirt provider's
 * tests through this module's test-jar.
 */
public final class MockCluster implements AutoCloseable {
    /** The mock API server. */
    public final KubernetesMockServer server;
    /** A client of {@link #server}. */
    public final NamespacedKubernetesClient client;

    private int seen;

    /** A CRUD-only mock server. */
    public MockCluster() {
        this(new KubernetesCrudDispatcher());
    }

    /**
     * @param dispatcher answers every request, e.g. a {@link KubernetesCrudDispatcher} subclass that
     *     also answers a WebSocket upgrade with a listener of the test's own (not the mock's scripted
     *     {@code expect().andUpgradeToWebSocket()}: that closes the stream after its last message,
     *     which raced with fabric8's port-forward and failed 1 run in 8)
     */
    public MockCluster(KubernetesCrudDispatcher dispatcher) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    /** @return the requests received since the last call, e.g. {@code "PATCH /apis/apps/v1/..."} */
    public List<String> takeRequests() throws InterruptedException {
        return takeRecordedRequests().stream()
                .map(r -> r.getMethod() + " " + r.getPath())
                .toList();
    }

    /** @return the requests received since the last call, with headers and bodies */
    public List<RecordedRequest> takeRecordedRequests() throws InterruptedException {
        List<RecordedRequest> requests = new ArrayList<>();
        int count = server.getRequestCount();
        for (; seen < count; seen++) {
            RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
            if (r == null) break;
            requests.add(r);
        }
        return requests;
    }

    /** @return the mock server's URL, e.g. {@code http://127.0.0.1:39123/} */
    public String url() {
        return server.url("/");
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
