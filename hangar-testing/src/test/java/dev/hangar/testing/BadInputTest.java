package dev.hangar.testing;

import static dev.hangar.testing.ProblemAssert.problem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.service.HostKeys;
import dev.hangar.core.store.WorkspaceFilter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPairGenerator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input matrix: each request is refused with the right 4xx problem+json naming the field,
 * and leaves no workspace row behind.
 */
class BadInputTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static TestControlPlane cp;
    private static String admin;

    @BeforeAll
    static void start() {
        cp = TestControlPlane.start();
        admin = cp.adminToken();
    }

    @AfterAll
    static void stop() {
        cp.close();
    }

    static Stream<Arguments> badCreates() {
        return Stream.of(
                // name rules (422, field name)
                Arguments.of("{\"name\":\"Upper\",\"template\":\"fake\"}", 422, "name"),
                Arguments.of("{\"name\":\"-lead\",\"template\":\"fake\"}", 422, "name"),
                Arguments.of("{\"name\":\"trail-\",\"template\":\"fake\"}", 422, "name"),
                Arguments.of("{\"name\":\"under_score\",\"template\":\"fake\"}", 422, "name"),
                Arguments.of("{\"name\":\"dot.ted\",\"template\":\"fake\"}", 422, "name"),
                Arguments.of("{\"name\":\"" + "a".repeat(64) + "\",\"template\":\"fake\"}", 422, "name"),
                Arguments.of("{\"name\":\"\",\"template\":\"fake\"}", 422, "name"),
                Arguments.of("{\"template\":\"fake\"}", 422, "name"),
                Arguments.of("{\"name\":null,\"template\":\"fake\"}", 422, "name"),
                Arguments.of("{\"name\":\"caf\u00e9\",\"template\":\"fake\"}", 422, "name"),
                // template (422, field template)
                // left out is the server's default (see bodyWithoutTemplateUsesTheDefault); empty is not a name
                Arguments.of("{\"name\":\"t1\",\"template\":\"\"}", 422, "template"),
                Arguments.of("{\"name\":\"t2\",\"template\":\"no-such-template\"}", 422, "template"),
                // sizes outside the template's ranges (422, field named)
                Arguments.of("{\"name\":\"s1\",\"template\":\"fake\",\"cpus\":9}", 422, "cpus"),
                Arguments.of("{\"name\":\"s2\",\"template\":\"fake\",\"cpus\":0}", 422, "cpus"),
                Arguments.of("{\"name\":\"s3\",\"template\":\"fake\",\"cpus\":-1}", 422, "cpus"),
                Arguments.of("{\"name\":\"s4\",\"template\":\"fake\",\"memoryMiB\":64}", 422, "memoryMiB"),
                Arguments.of("{\"name\":\"s5\",\"template\":\"fake\",\"memoryMiB\":16385}", 422, "memoryMiB"),
                Arguments.of("{\"name\":\"s6\",\"template\":\"fake\",\"diskGiB\":101}", 422, "diskGiB"),
                Arguments.of("{\"name\":\"s7\",\"template\":\"fake\",\"image\":\"bad image!\"}", 422, "image"),
                Arguments.of("{\"name\":\"s8\",\"template\":\"fake\",\"userData\":\"- a list\"}", 422, "userData"),
                Arguments.of("{\"name\":\"s9\",\"template\":\"fake\",\"userData\":\"a: [\"}", 422, "userData"),
                // devices (issue #19): the fake template offers none; malformed entries (422, entry named)
                Arguments.of(
                        "{\"name\":\"d1\",\"template\":\"fake\",\"devices\":[{\"name\":\"nvidia.com/gpu\",\"count\":1}]}",
                        422,
                        "devices[0].name"),
                Arguments.of(
                        "{\"name\":\"d2\",\"template\":\"fake\",\"devices\":[{\"name\":\"gpu\",\"count\":1}]}",
                        422,
                        "devices[0].name"),
                // a negative count is malformed; 0 is a count (none of a default device), checked against
                // the template, which here does not offer the device
                Arguments.of(
                        "{\"name\":\"d3\",\"template\":\"fake\",\"devices\":[{\"name\":\"nvidia.com/gpu\",\"count\":-1}]}",
                        422,
                        "devices[0].count"),
                Arguments.of(
                        "{\"name\":\"d5\",\"template\":\"fake\",\"devices\":[{\"name\":\"nvidia.com/gpu\",\"count\":0}]}",
                        422,
                        "devices[0].name"),
                Arguments.of(
                        "{\"name\":\"d4\",\"template\":\"fake\",\"devices\":[{\"name\":\"nvidia.com/gpu\"}]}",
                        422,
                        "devices[0].count"),
                // syntax (400)
                Arguments.of("{\"name\":\"m1\",\"template\":\"fake\"", 400, "template"),
                Arguments.of("{name: \"m2\"}", 400, ""),
                Arguments.of("[]", 400, ""),
                Arguments.of("null", 400, ""),
                Arguments.of("\"just a string\"", 400, ""),
                Arguments.of("{\"name\":\"m3\",\"template\":\"fake\"} trailing", 400, ""),
                Arguments.of("   ", 400, ""),
                // unknown fields (400, field named)
                Arguments.of("{\"name\":\"u1\",\"template\":\"fake\",\"cpu\":2}", 400, "cpu"),
                Arguments.of("{\"name\":\"u2\",\"template\":\"fake\",\"owner\":\"root\"}", 400, "owner"),
                // wrong types (400, field named)
                Arguments.of("{\"name\":\"w1\",\"template\":\"fake\",\"cpus\":\"2\"}", 400, "cpus"),
                Arguments.of("{\"name\":\"w2\",\"template\":\"fake\",\"cpus\":2.5}", 400, "cpus"),
                Arguments.of("{\"name\":\"w3\",\"template\":\"fake\",\"cpus\":true}", 400, "cpus"),
                Arguments.of("{\"name\":\"w4\",\"template\":\"fake\",\"cpus\":99999999999}", 400, "cpus"),
                Arguments.of("{\"name\":5,\"template\":\"fake\"}", 400, "name"),
                Arguments.of("{\"name\":[\"a\"],\"template\":\"fake\"}", 400, "name"),
                Arguments.of("{\"name\":{\"a\":1},\"template\":\"fake\"}", 400, "name"),
                Arguments.of("{\"name\":\"w5\",\"template\":\"fake\",\"memoryMiB\":{}}", 400, "memoryMiB"));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1} {2}")
    @MethodSource("badCreates")
    void badCreateIsRefusedNamingTheFieldAndLeavesNoRow(String body, int status, String field) {
        long before = cp.server().store().workspaces().count();
        problem(cp.http().post("/api/v1/workspaces", admin, body), status, field);
        assertThat(cp.server().store().workspaces().count()).isEqualTo(before);
    }

    @Test
    void duplicateNameIs409NamingNameAndKeepsTheFirst() {
        String name = "dup-" + SEQ.incrementAndGet();
        String body = "{\"name\":\"" + name + "\",\"template\":\"fake\"}";
        assertThat(cp.http().post("/api/v1/workspaces", admin, body).statusCode())
                .isEqualTo(201);
        long before = cp.server().store().workspaces().count();
        problem(cp.http().post("/api/v1/workspaces", admin, body.replace("}", ",\"cpus\":4}")), 409, "name");
        assertThat(cp.server().store().workspaces().count()).isEqualTo(before);
        List<Workspace> mine = cp.server().store().workspaces().list(WorkspaceFilter.ownedBy("admin")).stream()
                .filter(w -> w.name().equals(name))
                .toList();
        assertThat(mine)
                .singleElement()
                .satisfies(w -> assertThat(w.parameters().resources().cpus()).isEqualTo(1));
    }

    @Test
    void concurrentCreatesOfOneNameMakeExactlyOneRow() throws Exception {
        String body = "{\"name\":\"race-" + SEQ.incrementAndGet() + "\",\"template\":\"fake\"}";
        long before = cp.server().store().workspaces().count();
        List<java.util.concurrent.Future<HttpResponse<String>>> results = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 8; i++)
                results.add(pool.submit(() -> cp.http().post("/api/v1/workspaces", admin, body)));
        }
        List<Integer> codes = new java.util.ArrayList<>();
        for (var f : results) {
            HttpResponse<String> r = f.get();
            codes.add(r.statusCode());
            if (r.statusCode() == 409) problem(r, 409, "name");
        }
        assertThat(codes).containsOnly(201, 409);
        assertThat(codes.stream().filter(c -> c == 201)).hasSize(1);
        assertThat(cp.server().store().workspaces().count()).isEqualTo(before + 1);
    }

    @Test
    void oversizedBodyIs413() {
        long before = cp.server().store().workspaces().count();
        String big = "{\"name\":\"big\",\"template\":\"fake\",\"userData\":\"" + "x".repeat(70 * 1024) + "\"}";
        problem(cp.http().post("/api/v1/workspaces", admin, big), 413, "");
        // the same without Content-Length (chunked transfer) is caught while reading
        HttpResponse<String> chunked = cp.http()
                .send(HttpRequest.newBuilder(cp.baseUri().resolve("/api/v1/workspaces"))
                        .header("Authorization", "Bearer " + admin)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                                big.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                        .build());
        problem(chunked, 413, "");
        assertThat(cp.server().store().workspaces().count()).isEqualTo(before);
    }

    @Test
    void bodyWithoutTemplateUsesTheDefault() {
        String name = "dflt-" + SEQ.incrementAndGet();
        HttpResponse<String> r = cp.http().post("/api/v1/workspaces", admin, "{\"name\":\"" + name + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(TestHttp.json(r).path("template").asText()).isEqualTo("fake");
    }

    @Test
    void notAnObjectIsSaidInJsonTermsWithoutJavaNames() {
        for (String[] c : new String[][] {
            {"[]", "an array"}, {"\"just a string\"", "a string"}, {"5", "a number"}, {"true", "a boolean"}
        }) {
            JsonNode p = problem(cp.http().post("/api/v1/workspaces", admin, c[0]), 400, "");
            assertThat(p.path("detail").asText())
                    .as(c[0])
                    .isEqualTo("request body must be one JSON object {...}, got " + c[1]);
            assertThat(p.toString()).doesNotContain("dev.hangar").doesNotContain("Cannot deserialize");
        }
    }

    @Test
    void oversizedHeaderIsProblemJsonNotJettysPage() {
        HttpResponse<String> r = cp.http()
                .send(HttpRequest.newBuilder(cp.baseUri().resolve("/api/v1/workspaces"))
                        .header("Authorization", "Bearer " + admin)
                        .header("X-Padding", "x".repeat(16 * 1024))
                        .GET()
                        .build());
        JsonNode p = problem(r, 431, "");
        assertThat(p.path("type").asText()).isEqualTo("https://hangar.dev/problems/header-too-large");
        assertThat(p.path("detail").asText()).contains("at most 8192 bytes");
        assertThat(r.body()).doesNotContain("<html");
    }

    @Test
    void userDataAbove16KiBIs422() {
        String body = "{\"name\":\"ud\",\"template\":\"fake\",\"userData\":\"a: " + "x".repeat(17 * 1024) + "\"}";
        problem(cp.http().post("/api/v1/workspaces", admin, body), 422, "userData");
    }

    @Test
    void nonJsonMediaTypeIs415() {
        HttpResponse<String> r = cp.http()
                .send(HttpRequest.newBuilder(cp.baseUri().resolve("/api/v1/workspaces"))
                        .header("Authorization", "Bearer " + admin)
                        .header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"mt\",\"template\":\"fake\"}"))
                        .build());
        problem(r, 415, "");
    }

    @Test
    void badSshKeysAre422NamingKey() {
        String weakRsa;
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            weakRsa = PublicKeyEntry.toString(g.generateKeyPair().getPublic());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        for (String key : new String[] {
            "",
            "ssh-ed25519",
            "ssh-ed25519 not-base64!",
            "ssh-dss AAAAB3NzaC1kc3MAAACBAP",
            weakRsa,
            "-----BEGIN OPENSSH PRIVATE KEY-----"
        }) {
            String body = "{\"key\":" + dev.hangar.api.Json.mapper().valueToTree(key) + "}";
            problem(cp.http().post("/api/v1/users/me/keys", admin, body), 422, "key");
        }
        problem(cp.http().post("/api/v1/users/me/keys", admin, "{}"), 422, "key");
        problem(cp.http().post("/api/v1/users/me/keys", admin, "{\"key\":1}"), 400, "key");
        problem(cp.http().post("/api/v1/users/me/keys", admin, "{\"keys\":\"x\"}"), 400, "keys");
        assertThat(cp.server().users().keys("admin")).isEmpty();
        // a valid key registered twice is a conflict
        String ok = HostKeys.generateEd25519("me@test").publicKey();
        String body = "{\"key\":\"" + ok + "\"}";
        assertThat(cp.http().post("/api/v1/users/me/keys", admin, body).statusCode())
                .isEqualTo(201);
        problem(cp.http().post("/api/v1/users/me/keys", admin, body), 409, "key");
        assertThat(cp.server().users().keys("admin")).hasSize(1);
    }
}
