package dev.hangar.api.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Paths and query strings of Hangar's REST API version 1, percent-encoded (RFC 3986), so that any
 * name or query value is safe to pass. Pure and stateless; thread-safe.
 */
final class ApiPaths {
    /** The API's base path. */
    static final String API = "/api/v1";

    private ApiPaths() {}

    /** @return {@code /api/v1/workspaces/{name}} followed by {@code suffix} (already encoded) */
    static String workspacePath(String name, String suffix) {
        return API + "/workspaces/" + segment(name) + suffix;
    }

    /** @return {@code ?owner=...}, or empty when {@code owner} is empty (the caller's own) */
    static String ownerQuery(String owner) {
        return query(Map.of("owner", owner));
    }

    /** @return {@code ?k=v&...} for the non-empty values, percent-encoded; empty when none */
    static String query(Map<String, String> params) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (e.getValue() == null || e.getValue().isEmpty()) continue;
            sb.append(sb.isEmpty() ? '?' : '&')
                    .append(e.getKey())
                    .append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    /**
     * Percent-encodes one path segment (RFC 3986: a space is %20, never '+').
     *
     * @throws IllegalArgumentException when {@code s} is empty
     */
    static String segment(String s) {
        if (s.isEmpty()) throw new IllegalArgumentException("a name must not be empty");
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
