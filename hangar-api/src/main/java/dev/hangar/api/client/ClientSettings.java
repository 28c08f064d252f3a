package dev.hangar.api.client;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Where and how {@link HangarClient} talks to a server.
 *
 * @param baseUrl the server's base URL without {@code /api/v1}, e.g. {@code http://127.0.0.1:7080};
 *     http or https with a host; a trailing slash is removed
 * @param token bearer API token ({@code hgr_...}); empty to send no {@code Authorization} header
 * @param connectTimeout how long to wait for the TCP (and TLS) connection
 * @param requestTimeout how long to wait for a complete response once connected
 */
public record ClientSettings(URI baseUrl, String token, Duration connectTimeout, Duration requestTimeout) {
    /** Default connect timeout: a local server accepts at once, so a few seconds is plenty. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /** Default request timeout: every API call only writes desired state, so it returns quickly. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /**
     * @throws IllegalArgumentException naming the bad value when the URL is not an absolute http(s)
     *     URL with a host, or a timeout is not positive
     */
    public ClientSettings {
        Objects.requireNonNull(baseUrl, "baseUrl");
        token = token == null ? "" : token;
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException(
                    "server URL '" + baseUrl + "' must be an http(s) URL with a host, e.g. http://127.0.0.1:7080");
        }
        if (baseUrl.getQuery() != null || baseUrl.getFragment() != null) {
            throw new IllegalArgumentException(
                    "server URL '" + baseUrl + "' must not have a query or fragment, e.g. http://127.0.0.1:7080");
        }
        String s = baseUrl.toString();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        baseUrl = URI.create(s);
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive, got " + connectTimeout);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
        }
    }

    /**
     * @param baseUrl e.g. {@code http://127.0.0.1:7080}
     * @param token bearer token, empty for none
     * @return settings with the default timeouts
     * @throws IllegalArgumentException when {@code baseUrl} is not a valid http(s) URL
     */
    public static ClientSettings of(String baseUrl, String token) {
        if (!baseUrl.strip().contains("://")) {
            throw new IllegalArgumentException(
                    "server URL '" + baseUrl + "' must start with http:// or https://, e.g. http://" + baseUrl.strip());
        }
        URI uri;
        try {
            uri = new URI(baseUrl.strip());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(
                    "server URL '" + baseUrl + "' is not a valid URL (" + e.getReason()
                            + "); expected e.g. http://127.0.0.1:7080",
                    e);
        }
        return new ClientSettings(uri, token, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
    }

    /** @return a copy with other timeouts */
    public ClientSettings withTimeouts(Duration connect, Duration request) {
        return new ClientSettings(baseUrl, token, connect, request);
    }

    @Override
    public String toString() {
        // The token is a secret: never print it.
        return "ClientSettings[baseUrl=" + baseUrl + ", token=" + (token.isEmpty() ? "" : "<redacted>")
                + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout + "]";
    }
}
