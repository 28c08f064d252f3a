package dev.hangar.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Small HTTP helper for tests: real requests over a real socket with {@link java.net.http}. Bodies
 * are sent as given (so tests can send malformed JSON) with {@code Content-Type:
 * application/json}. Thread-safe.
 */
public final class TestHttp {
    private final URI base;
    private final HttpClient client;

    public TestHttp(URI base) {
        this.base = base;
        this.client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** GET {@code path} with a bearer token (empty for none). */
    public HttpResponse<String> get(String path, String token) {
        return send("GET", path, token, null);
    }

    /** POST {@code body} (may be null for no body). */
    public HttpResponse<String> post(String path, String token, String body) {
        return send("POST", path, token, body);
    }

    /** DELETE {@code path}. */
    public HttpResponse<String> delete(String path, String token) {
        return send("DELETE", path, token, null);
    }

    /**
     * Sends a request.
     *
     * @param token bearer token; empty or null sends no Authorization header
     * @param body JSON text, or null for none
     */
    public HttpResponse<String> send(String method, String path, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
        if (token != null && !token.isEmpty()) b.header("Authorization", "Bearer " + token);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return send(b.build());
    }

    /** Sends a prepared request. */
    public HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** @return the response body as a JSON tree */
    public static JsonNode json(HttpResponse<String> r) {
        try {
            return Json.mapper().readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON (" + r.statusCode() + "): " + r.body(), e);
        }
    }

    /** @return the response body read as {@code type} with the API's mapper */
    public static <T> T read(HttpResponse<String> r, Class<T> type) {
        try {
            return Json.mapper().readValue(r.body(), type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + type.getSimpleName() + " from " + r.body(), e);
        }
    }

    /** @return the response body read as a generic type */
    public static <T> T read(HttpResponse<String> r, TypeReference<T> type) {
        try {
            return Json.mapper().readValue(r.body(), type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + r.body(), e);
        }
    }

    /** @return the client, for requests the helpers do not cover */
    public HttpClient client() {
        return client;
    }

    /** @return the base URI */
    public URI base() {
        return base;
    }
}
