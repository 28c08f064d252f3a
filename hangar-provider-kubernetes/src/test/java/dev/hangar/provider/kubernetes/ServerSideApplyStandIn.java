package dev.hangar.provider.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in for server-side apply, which fabric8's mock server lacks, for tests that count the
 * requests a provider sends: every apply patch is answered with the applied object plus a uid
 * ({@code uid-<name>}) and generation 1, 201 the first time and 200 after, and a GET of an applied
 * object with that answer; everything else goes to the mock's CRUD store (where applied objects do
 * not appear). That is what an API server answers for objects nobody else changed, and for a
 * StatefulSet or VirtualMachine whose controller has not written a status yet. Shared with the
 * kubevirt provider's tests through this module's test-jar; thread-safe.
 */
public final class ServerSideApplyStandIn extends KubernetesCrudDispatcher {
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, String> applied = new ConcurrentHashMap<>();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String type = request.getHeader("Content-Type");
        String stored = applied.get(request.getPath());
        if (request.getMethod().equals("GET") && stored != null) {
            return new MockResponse().setResponseCode(200).setBody(stored);
        }
        if (!request.getMethod().equals("PATCH") || type == null || !type.startsWith("application/apply-patch")) {
            return super.dispatch(request);
        }
        try {
            ObjectNode object = (ObjectNode) json.readTree(request.getBody().readUtf8());
            ObjectNode meta = (ObjectNode) object.get("metadata");
            meta.put("uid", "uid-" + meta.get("name").asText());
            meta.put("generation", 1);
            String body = json.writeValueAsString(object);
            boolean created =
                    applied.put(request.getPath().substring(0, request.getPath().indexOf('?')), body) == null;
            return new MockResponse().setResponseCode(created ? 201 : 200).setBody(body);
        } catch (IOException e) {
            return new MockResponse().setResponseCode(400).setBody(e.toString());
        }
    }
}
