package dev.hangar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/v1/workspaces?dryRun=All} over a real socket: the server runs the real kubernetes
 * and kubevirt providers (built-in {@code pod} and {@code kubevirt-*} templates) with a kubeconfig
 * naming a loopback port where nothing listens, so any request to a cluster would fail: the dry run
 * builds the objects only. It creates nothing (no row, no event, no audit success), validates as a
 * real create does, and refuses templates whose provider does not run Kubernetes objects (qemu) and
 * any {@code dryRun} value other than {@code All} with 422.
 */
class DryRunRoutesTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static TestControlPlane cp;

    @BeforeAll
    static void start() {
        cp = ClusterlessControlPlane.start();
    }

    @AfterAll
    static void stop() {
        if (cp != null) cp.close();
    }

    private static String unique(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet();
    }

    private static String body(String name, String template) {
        return "{\"name\":\"" + name + "\",\"template\":\"" + template + "\"}";
    }

    @Test
    void aKubevirtDryRunListsTheObjectsWithSecretsRedactedAndCreatesNothing() {
        String name = unique("vm");
        HttpResponse<String> r =
                cp.http().post("/api/v1/workspaces?dryRun=All", cp.adminToken(), body(name, "kubevirt-debian-12"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode list = TestHttp.json(r);
        assertThat(list.path("apiVersion").asText()).isEqualTo("v1");
        assertThat(list.path("kind").asText()).isEqualTo("List");
        assertThat(list.path("items").findValuesAsText("kind"))
                .containsSubsequence("VirtualMachine", "Secret", "Service", "DataVolume");
        JsonNode secret = item(list, "Secret");
        assertThat(secret.path("data").path("userdata").asText()).isEqualTo("<redacted>");
        assertThat(secret.path("metadata").path("namespace").asText()).isEqualTo(ClusterlessControlPlane.VM_NAMESPACE);
        assertThat(item(list, "VirtualMachine")
                        .path("metadata")
                        .path("labels")
                        .path("hangar.dev/owner")
                        .asText())
                .isEqualTo(TestControlPlane.ADMIN);
        assertThat(r.body()).doesNotContain("PRIVATE KEY");

        assertNothingCreated(name);
        JsonNode audit = TestHttp.json(cp.http().get("/api/v1/audit?action=workspace.create", cp.adminToken()));
        assertThat(audit.findValuesAsText("target")).contains(TestControlPlane.ADMIN + "/" + name);
        for (JsonNode e : audit) {
            if (e.path("target").asText().equals(TestControlPlane.ADMIN + "/" + name)) {
                assertThat(e.path("outcome").asText()).isEqualTo("dry-run");
            }
        }
    }

    @Test
    void aPodDryRunAnswersYamlWhenAskedAndRedactsThePrivateHostKey() throws IOException {
        String name = unique("pod");
        HttpResponse<String> r = cp.http()
                .send(HttpRequest.newBuilder(URI.create(cp.baseUri() + "/api/v1/workspaces?dryRun=All"))
                        .header("Authorization", "Bearer " + cp.adminToken())
                        .header("Content-Type", "application/json")
                        .header("Accept", "application/yaml")
                        .POST(HttpRequest.BodyPublishers.ofString(body(name, "pod")))
                        .build());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/yaml");
        JsonNode list = YAML.readTree(r.body());
        assertThat(list.path("kind").asText()).isEqualTo("List");
        assertThat(list.path("items").findValuesAsText("kind"))
                .containsSubsequence("StatefulSet", "Secret", "PersistentVolumeClaim", "Service");
        assertThat(item(list, "Secret")
                        .path("data")
                        .path("ssh_host_ed25519_key")
                        .asText())
                .isEqualTo("<redacted>");
        assertThat(item(list, "StatefulSet").path("metadata").path("namespace").asText())
                .isEqualTo(ClusterlessControlPlane.POD_NAMESPACE);
        assertNothingCreated(name);
    }

    @Test
    void aQemuTemplateIs422SayingWhy() {
        String name = unique("qemu");
        HttpResponse<String> r =
                cp.http().post("/api/v1/workspaces?dryRun=All", cp.adminToken(), body(name, "debian-12"));

        JsonNode p = ProblemAssert.problem(r, 422, "template");
        assertThat(p.path("detail").asText())
                .isEqualTo("dry run lists Kubernetes objects; template 'debian-12' uses provider qemu");
        assertNothingCreated(name);
    }

    @Test
    void aDryRunValueOtherThanAllIs422() {
        String name = unique("bad");
        for (String value : List.of("true", "all", "None", "")) {
            HttpResponse<String> r = cp.http()
                    .post("/api/v1/workspaces?dryRun=" + value, cp.adminToken(), body(name, "kubevirt-debian-12"));
            JsonNode p = ProblemAssert.problem(r, 422, "dryRun");
            assertThat(p.path("detail").asText()).contains("'All'");
        }
        assertNothingCreated(name);
    }

    @Test
    void aDryRunValidatesExactlyLikeACreate() {
        // the same problems as a real create: bad name, unknown template, size out of range, name in use
        String bad = "{\"name\":\"Not_A_Label\",\"template\":\"pod\"}";
        for (String query : List.of("", "?dryRun=All")) {
            ProblemAssert.problem(cp.http().post("/api/v1/workspaces" + query, cp.adminToken(), bad), 422, "name");
            ProblemAssert.problem(
                    cp.http().post("/api/v1/workspaces" + query, cp.adminToken(), body(unique("t"), "no-such")),
                    422,
                    "template");
            ProblemAssert.problem(
                    cp.http()
                            .post(
                                    "/api/v1/workspaces" + query,
                                    cp.adminToken(),
                                    "{\"name\":\"" + unique("c") + "\",\"template\":\"pod\",\"cpus\":0}"),
                    422,
                    "cpus");
        }
        String taken = unique("taken");
        assertThat(cp.http()
                        .post("/api/v1/workspaces", cp.adminToken(), body(taken, "fake"))
                        .statusCode())
                .isEqualTo(201);
        ProblemAssert.problem(
                cp.http().post("/api/v1/workspaces?dryRun=All", cp.adminToken(), body(taken, "kubevirt-debian-12")),
                409,
                "name");
    }

    private static JsonNode item(JsonNode list, String kind) {
        for (JsonNode i : list.path("items")) {
            if (i.path("kind").asText().equals(kind)) return i;
        }
        throw new AssertionError("no " + kind + " in " + list);
    }

    /** No row (404 and not listed) and so no event: events hang off the row. */
    private static void assertNothingCreated(String name) {
        assertThat(cp.http().get("/api/v1/workspaces/" + name, cp.adminToken()).statusCode())
                .isEqualTo(404);
        assertThat(cp.http()
                        .get("/api/v1/workspaces/" + name + "/events", cp.adminToken())
                        .statusCode())
                .isEqualTo(404);
        assertThat(TestHttp.json(cp.http().get("/api/v1/workspaces", cp.adminToken()))
                        .findValuesAsText("name"))
                .doesNotContain(name);
    }
}
