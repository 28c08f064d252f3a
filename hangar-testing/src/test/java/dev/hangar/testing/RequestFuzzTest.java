package dev.hangar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.api.Json;
import dev.hangar.core.domain.Names;
import dev.hangar.testfixtures.Generators;
import dev.hangar.testfixtures.SeededCases;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Property tests over the real HTTP API: fuzzed names and request bodies never produce a 5xx,
 * every refusal is a problem+json 4xx, and valid DNS-1123 names are always accepted. Seeded cases
 * ({@link SeededCases}): a failure names its seed; {@code -Dhangar.test.seed=...} replays it.
 */
class RequestFuzzTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static TestControlPlane cp;

    @BeforeAll
    static void start() {
        // a slow reconciler: these properties test the API edge, not convergence
        cp = TestControlPlane.builder()
                .reconciler(new dev.hangar.core.reconcile.WorkspaceReconciler.Settings(
                        2,
                        java.time.Duration.ofSeconds(1),
                        java.time.Duration.ofSeconds(30),
                        java.time.Duration.ofSeconds(1)))
                .start();
    }

    @AfterAll
    static void stop() {
        cp.close();
    }

    private static void assertNeverServerError(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isLessThan(500);
        if (r.statusCode() >= 400) {
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(TestHttp.json(r).path("detail").asText()).isNotBlank();
        }
    }

    @TestFactory
    Stream<DynamicTest> anyNameIsEitherAcceptedOrRefusedWith422() {
        return SeededCases.of(
                "any name is either accepted or refused with 422",
                300,
                List.of("", "-", "a-", "A", "a_b", "x".repeat(64), "\u0000", "\u212a", "\ud83d\ude00", " ", "a\nb"),
                r -> Generators.anyString(r, 80),
                name -> {
                    ObjectNode body =
                            Json.mapper().createObjectNode().put("name", name).put("template", "fake");
                    long before = cp.server().store().workspaces().count();
                    HttpResponse<String> r = cp.http().post("/api/v1/workspaces", cp.adminToken(), body.toString());
                    assertNeverServerError(r);
                    if (Names.isDns1123Label(name) && r.statusCode() != 409) {
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                    } else if (r.statusCode() != 409) {
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
                        assertThat(TestHttp.json(r).path("field").asText()).isEqualTo("name");
                        assertThat(cp.server().store().workspaces().count()).isEqualTo(before);
                    }
                });
    }

    @TestFactory
    Stream<DynamicTest> validNamesAreAccepted() {
        return SeededCases.of(
                "valid names are accepted",
                200,
                List.of("a", "0", "a-b", "x".repeat(42), "a" + "-".repeat(40) + "b"),
                RequestFuzzTest::label,
                label -> {
                    String name = (label + "-" + SEQ.incrementAndGet());
                    if (name.length() > 63) name = name.substring(name.length() - 63);
                    if (name.startsWith("-")) name = "a" + name.substring(1);
                    ObjectNode body =
                            Json.mapper().createObjectNode().put("name", name).put("template", "fake");
                    HttpResponse<String> r = cp.http().post("/api/v1/workspaces", cp.adminToken(), body.toString());
                    assertThat(r.statusCode()).as(name + ": " + r.body()).isEqualTo(201);
                });
    }

    private static String label(SplittableRandom r) {
        return Generators.string(r, Generators.LOWER_ALNUM, 1, 1)
                + Generators.string(r, Generators.LOWER_ALNUM + "-", 0, 40)
                + Generators.string(r, Generators.LOWER_ALNUM, 1, 1);
    }

    @TestFactory
    Stream<DynamicTest> arbitraryBodiesNeverCauseServerErrors() {
        return SeededCases.of(
                "arbitrary bodies never cause server errors", 300, EDGE_BODIES, RequestFuzzTest::body, body -> {
                    long before = cp.server().store().workspaces().count();
                    HttpResponse<String> r = cp.http().post("/api/v1/workspaces", cp.adminToken(), body);
                    assertNeverServerError(r);
                    if (r.statusCode() != 201)
                        assertThat(cp.server().store().workspaces().count()).isEqualTo(before);
                });
    }

    @TestFactory
    Stream<DynamicTest> arbitraryKeyBodiesNeverCauseServerErrors() {
        return SeededCases.of(
                "arbitrary key bodies never cause server errors", 150, EDGE_BODIES, RequestFuzzTest::body, body -> {
                    HttpResponse<String> r = cp.http().post("/api/v1/users/me/keys", cp.adminToken(), body);
                    assertNeverServerError(r);
                });
    }

    private static final List<String> EDGE_BODIES = List.of(
            "",
            "{",
            "}",
            "null",
            "[]",
            "{}",
            "\"x\"",
            "1e999",
            "{\"name\":null}",
            "{\"name\":{\"a\":1}}",
            "{\"cpus\":-1,\"name\":\"a\",\"template\":\"fake\"}",
            "{\"cpus\":1e40}",
            "{\"key\":[1,\"x\"]}");

    private static final List<String> KEYS =
            List.of("name", "template", "cpus", "memoryMiB", "diskGiB", "image", "userData", "key");

    /** 60 % JSON objects over known and random keys, 20 % garbage, 20 % a JSON object cut in half. */
    private static String body(SplittableRandom r) {
        int kind = r.nextInt(10);
        if (kind < 6) return object(r);
        if (kind < 8) return Generators.anyString(r, 200);
        String s = object(r);
        return s.substring(0, s.length() / 2);
    }

    private static String object(SplittableRandom r) {
        Map<String, Object> m = new LinkedHashMap<>();
        int size = r.nextInt(0, 7);
        for (int i = 0; i < size; i++) {
            String key = r.nextBoolean() ? Generators.oneOf(r, KEYS) : Generators.anyString(r, 12);
            m.put(key, value(r));
        }
        try {
            return Json.mapper().writeValueAsString(m);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object value(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0 -> Generators.anyString(r, 80);
            case 1 ->
                r.nextInt(5) == 0
                        ? Generators.oneOf(r, List.of(0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE))
                        : r.nextInt();
            case 2 -> r.nextInt(5) == 0 ? Generators.oneOf(r, List.of(Long.MIN_VALUE, Long.MAX_VALUE)) : r.nextLong();
            case 3 ->
                r.nextInt(5) == 0
                        ? Generators.oneOf(r, List.of(0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE))
                        : (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-10, 300));
            case 4 -> r.nextBoolean();
            case 5 -> null;
            case 6 -> List.of(1, "x");
            default -> Map.of("a", 1);
        };
    }
}
