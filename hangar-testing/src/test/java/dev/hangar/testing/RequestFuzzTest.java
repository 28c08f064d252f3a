package dev.hangar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.api.Json;
import dev.hangar.core.domain.Names;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property tests over the real HTTP API: fuzzed names and request bodies never produce a 5xx,
 * every refusal is a problem+json 4xx, and valid DNS-1123 names are always accepted.
 */
class RequestFuzzTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static TestControlPlane cp;

    @BeforeContainer
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

    @AfterContainer
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

    @Property(tries = 300)
    void anyNameIsEitherAcceptedOrRefusedWith422(@ForAll String name) {
        ObjectNode body = Json.mapper().createObjectNode().put("name", name).put("template", "fake");
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
    }

    @Property(tries = 200)
    void validNamesAreAccepted(@ForAll("labels") String label) {
        String name = (label + "-" + SEQ.incrementAndGet());
        if (name.length() > 63) name = name.substring(name.length() - 63);
        if (name.startsWith("-")) name = "a" + name.substring(1);
        ObjectNode body = Json.mapper().createObjectNode().put("name", name).put("template", "fake");
        HttpResponse<String> r = cp.http().post("/api/v1/workspaces", cp.adminToken(), body.toString());
        assertThat(r.statusCode()).as(name + ": " + r.body()).isEqualTo(201);
    }

    @Provide
    Arbitrary<String> labels() {
        Arbitrary<String> edge = Arbitraries.strings()
                .withChars("abcdefghijklmnopqrstuvwxyz0123456789")
                .ofLength(1);
        Arbitrary<String> middle = Arbitraries.strings()
                .withChars("abcdefghijklmnopqrstuvwxyz0123456789-")
                .ofMaxLength(40);
        return Combinators.combine(edge, middle, edge).as((a, m, b) -> a + m + b);
    }

    @Property(tries = 300)
    void arbitraryBodiesNeverCauseServerErrors(@ForAll("bodies") String body) {
        long before = cp.server().store().workspaces().count();
        HttpResponse<String> r = cp.http().post("/api/v1/workspaces", cp.adminToken(), body);
        assertNeverServerError(r);
        if (r.statusCode() != 201)
            assertThat(cp.server().store().workspaces().count()).isEqualTo(before);
    }

    @Property(tries = 150)
    void arbitraryKeyBodiesNeverCauseServerErrors(@ForAll("bodies") String body) {
        HttpResponse<String> r = cp.http().post("/api/v1/users/me/keys", cp.adminToken(), body);
        assertNeverServerError(r);
    }

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<Object> values = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(80).map(s -> (Object) s),
                Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.doubles().map(d -> (Object) d),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.just((Object) null),
                Arbitraries.just((Object) java.util.List.of(1, "x")),
                Arbitraries.just((Object) java.util.Map.of("a", 1)));
        Arbitrary<String> keys = Arbitraries.oneOf(
                Arbitraries.of("name", "template", "cpus", "memoryMiB", "diskGiB", "image", "userData", "key"),
                Arbitraries.strings().ofMaxLength(12));
        Arbitrary<String> objects = Arbitraries.maps(keys, values).ofMaxSize(6).map(m -> {
            try {
                return Json.mapper().writeValueAsString(m);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
        Arbitrary<String> garbage = Arbitraries.strings().ofMaxLength(200);
        Arbitrary<String> truncated = objects.map(s -> s.substring(0, s.length() / 2));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, objects),
                net.jqwik.api.Tuple.of(2, garbage),
                net.jqwik.api.Tuple.of(2, truncated));
    }
}
