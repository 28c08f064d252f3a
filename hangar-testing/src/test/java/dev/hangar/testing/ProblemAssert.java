package dev.hangar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;

/** Assertions on RFC 9457 problem responses. */
final class ProblemAssert {
    private ProblemAssert() {}

    /** Asserts status, media type and the problem's {@code field}; returns the body. */
    static JsonNode problem(HttpResponse<String> r, int status, String field) {
        assertThat(r.statusCode()).as("status of %s", r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse(""))
                .as("content type")
                .startsWith("application/problem+json");
        JsonNode p = TestHttp.json(r);
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("type").asText()).startsWith("https://hangar.dev/problems/");
        assertThat(p.path("title").asText()).isNotEmpty();
        assertThat(p.path("detail").asText()).isNotBlank();
        assertThat(p.path("instance").asText()).startsWith("/");
        assertThat(p.path("field").asText()).as("field in %s", r.body()).isEqualTo(field);
        return p;
    }
}
