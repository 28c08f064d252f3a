package dev.hangar.api.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.api.Json;
import dev.hangar.api.Problem;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * The HTTP side of {@link HangarClient}: owns the {@link HttpClient}, builds requests against the
 * base URL with the bearer token, sends them, writes request bodies as JSON (null fields left out)
 * and reads answers tolerating unknown fields.
 *
 * <p>Errors, the same kinds wherever they apply: a non-2xx answer throws {@link ApiException} carrying the
 * server's RFC 9457 problem (or one synthesised from status and body when the server sent none);
 * no answer at all (connection refused, connect or request timeout, connection dropped) throws
 * {@link ServerUnreachableException} naming the base URL and why; an interrupt throws {@link
 * CancellationException} with the thread's interrupt flag set again (a request over {@link
 * UrlConnectionExchange} is not interrupted mid-request: it ends within its timeouts); a 2xx body that is not the
 * expected JSON throws {@link IllegalStateException}. Each method's {@code @throws} list the
 * kinds it can throw besides the interrupt, which every method can.
 *
 * <p>Uploads with a streamed answer and WebSockets are {@link ApiStreams}' (reached with {@link
 * #streams()}); what a request that got no answer becomes is {@link TransportFailures}'.
 *
 * <p>Two JDK clients: {@code GET}, {@code POST}, {@code PUT} and {@code DELETE} go over {@link
 * UrlConnectionExchange} (cheap to start: CLI commands send only these), {@code PATCH} and the
 * streams over an {@link HttpClient} created on first use. Both send the same headers, use no
 * proxy and follow no redirect.
 *
 * <p>Paths passed in are already percent-encoded and start with {@code /}. Thread-safe: the
 * settings are immutable, the lazily created {@link HttpClient} is guarded by a lock and is itself
 * thread-safe. {@link #close()} releases the HTTP client's selector thread, if one was started.
 */
final class ApiTransport implements AutoCloseable {
    private static final Pattern NEXT_TOKEN = Pattern.compile("[?&]continue=([^&>]+)");

    private final ClientSettings settings;
    private final Object httpLock = new Object();
    private final ApiStreams streams;

    /** Created on first use (see {@link #http()}); GETs without a body never need it. */
    private HttpClient http;

    private boolean closed;

    /** One page of a listing and the {@code continue} token of the next page ("" on the last). */
    record Page<T>(List<T> items, String nextToken) {}

    /** Creates the transport; no connection is made and no HTTP client created until the first request. */
    ApiTransport(ClientSettings settings) {
        this.settings = Objects.requireNonNull(settings);
        this.streams = new ApiStreams(settings, this::http);
    }

    /**
     * The {@link HttpClient} for {@code PATCH}, streams and WebSockets, created on first use: the
     * other requests go over {@link UrlConnectionExchange}, so {@code hangar list} and {@code
     * hangar create} never start one.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    private HttpClient http() {
        synchronized (httpLock) {
            if (closed) throw new IllegalStateException("the client is closed");
            if (http == null) {
                HttpClient.Builder b = HttpClient.newBuilder()
                        // HTTP/1.1: no h2c upgrade dance on plain http, one simple request per call.
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(settings.connectTimeout())
                        .followRedirects(HttpClient.Redirect.NEVER);
                if (settings.baseUrl().getScheme().equalsIgnoreCase("http")) b.sslContext(noTls());
                http = b.build();
            }
            return http;
        }
    }

    /**
     * A client for a plain-http server never negotiates TLS (every request goes to the base URL
     * and redirects are not followed), yet {@link HttpClient} builds the default {@link SSLContext},
     * which parses the JDK's whole CA store: about 100 ms of CPU on every CLI start. This context
     * trusts nothing, so should TLS ever be attempted with it, the handshake fails.
     */
    private static SSLContext noTls() {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(new KeyManager[0], new TrustManager[0], null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a TLS context", e);
        }
    }

    /**
     * Sends a request and reads the 2xx answer as one {@code type}.
     *
     * @param body the request body, written as JSON; null for none
     * @throws ApiException for a non-2xx answer
     * @throws ServerUnreachableException when nothing answers
     * @throws IllegalStateException when a 2xx body is not the expected JSON
     */
    <T> T send(String method, String path, Object body, Class<T> type) {
        return read(method, path, exchange(method, path, body), reader(type));
    }

    /**
     * Sends raw bytes as the request body ({@code Content-Type: application/octet-stream}) and reads
     * the 2xx answer as one {@code type}.
     *
     * @throws ApiException for a non-2xx answer
     * @throws ServerUnreachableException when nothing answers
     * @throws IllegalStateException when a 2xx body is not the expected JSON
     */
    <T> T sendBytes(String method, String path, byte[] body, Class<T> type) {
        return read(method, path, exchange(method, path, body, "application/octet-stream"), reader(type));
    }

    /**
     * Sends raw bytes of {@code contentType} as the request body and reads the 2xx answer as one
     * {@code type}; errors as {@link #sendBytes(String, String, byte[], Class)}.
     */
    <T> T sendBytes(String method, String path, byte[] body, String contentType, Class<T> type) {
        return read(method, path, exchange(method, path, body, contentType), reader(type));
    }

    /**
     * Sends a request and reads the 2xx answer as a JSON array of {@code element}.
     *
     * @param body the request body, written as JSON; null for none
     * @throws ApiException for a non-2xx answer
     * @throws ServerUnreachableException when nothing answers
     * @throws IllegalStateException when a 2xx body is not the expected JSON
     */
    <T> List<T> sendForList(String method, String path, Object body, Class<T> element) {
        return read(method, path, exchange(method, path, body), listReader(element));
    }

    /**
     * Sends a request without a body and ignores the 2xx answer's body (e.g. 204 No Content).
     *
     * @throws ApiException for a non-2xx answer
     * @throws ServerUnreachableException when nothing answers
     */
    void sendIgnoringBody(String method, String path) {
        HttpAnswer r = exchange(method, path, null);
        if (!r.success()) throw new ApiException(problemOf(method, path, r));
    }

    /**
     * {@code GET}s one page of a paginated listing (RFC 8288 {@code Link: <...>; rel="next"}).
     *
     * @return the rows and the next page's {@code continue} token, "" on the last page
     * @throws ApiException for a non-2xx answer
     * @throws ServerUnreachableException when nothing answers
     * @throws IllegalStateException when a 2xx body is not the expected JSON
     */
    <T> Page<T> getPage(String path, Class<T> element) {
        HttpAnswer r = exchange("GET", path, null);
        List<T> items = read("GET", path, r, listReader(element));
        return new Page<>(items, nextPageToken(r.links()));
    }

    /**
     * {@code GET}s a text answer.
     *
     * @return the 2xx body decoded as UTF-8
     * @throws ApiException for a non-2xx answer
     * @throws ServerUnreachableException when nothing answers
     */
    String getText(String path) {
        HttpAnswer r = exchange("GET", path, null);
        if (!r.success()) throw new ApiException(problemOf("GET", path, r));
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /**
     * {@code GET}s {@code path} and returns its status code whatever it is (no {@link
     * ApiException}).
     *
     * @throws ServerUnreachableException when nothing answers
     */
    int getStatus(String path) {
        return exchange("GET", path, null).status();
    }

    /** @return the streaming exchanges (NDJSON uploads, WebSockets) over this transport's HTTP client */
    ApiStreams streams() {
        return streams;
    }

    /** Closes the HTTP client if one was created. Idempotent. */
    @Override
    public void close() {
        synchronized (httpLock) {
            closed = true;
            if (http != null) http.close();
        }
    }

    /** @return the {@code continue} token of the {@code rel="next"} link, or "" on the last page */
    static String nextPageToken(List<String> links) {
        for (String link : links) {
            for (String part : link.split(",")) {
                if (!part.replace(" ", "").contains("rel=\"next\"")) continue;
                Matcher m = NEXT_TOKEN.matcher(part);
                if (m.find()) return URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    private <T> T read(String method, String path, HttpAnswer r, ObjectReader reader) {
        if (!r.success()) throw new ApiException(problemOf(method, path, r));
        try {
            return reader.readValue(r.body());
        } catch (IOException e) {
            throw new IllegalStateException(
                    "the server at " + settings.baseUrl() + " sent an unreadable answer to " + method + " " + path
                            + ": " + firstLine(e.getMessage()),
                    e);
        }
    }

    private HttpAnswer exchange(String method, String path, Object body) {
        return body == null
                ? exchange(method, path, new byte[0], "")
                : exchange(method, path, json(body), "application/json");
    }

    /**
     * Sends one request with the same headers on either client: over {@link UrlConnectionExchange}
     * for its methods, else ({@code PATCH}) over the {@link HttpClient}.
     *
     * @param body the request body, empty for none
     * @param contentType the body's media type, "" for none
     */
    private HttpAnswer exchange(String method, String path, byte[] body, String contentType) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json, application/problem+json");
        if (!settings.token().isEmpty()) headers.put("Authorization", "Bearer " + settings.token());
        if (!contentType.isEmpty()) headers.put("Content-Type", contentType);
        if (!UrlConnectionExchange.METHODS.contains(method)) return overHttpClient(method, path, body, headers);
        try {
            return UrlConnectionExchange.send(settings, method, path, headers, body);
        } catch (UrlConnectionExchange.Unreachable e) {
            throw unreachable(e.getMessage(), e.getCause());
        }
    }

    private HttpAnswer overHttpClient(String method, String path, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(settings.baseUrl() + path)).timeout(settings.requestTimeout());
        headers.forEach(b::header);
        b.method(
                method,
                body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            return HttpAnswer.of(http().send(b.build(), HttpResponse.BodyHandlers.ofByteArray()));
        } catch (IOException e) {
            throw TransportFailures.of(settings, e, settings.requestTimeout());
        } catch (InterruptedException e) {
            throw TransportFailures.interrupted("during " + method + " " + path, e);
        }
    }

    private ServerUnreachableException unreachable(String why, Throwable cause) {
        return TransportFailures.unreachable(settings, why, cause);
    }

    /** Serialises a request body, leaving out null fields (they mean "use the default"). */
    private static byte[] json(Object body) {
        ObjectNode node = Json.mapper().valueToTree(body);
        node.properties().removeIf(e -> e.getValue().isNull());
        try {
            return Json.mapper().writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot serialise " + body.getClass().getSimpleName(), e);
        }
    }

    private Problem problemOf(String method, String path, HttpAnswer r) {
        return problemOf(method, path, r.status(), r.contentType(), r.body());
    }

    private Problem problemOf(String method, String path, int status, String contentType, byte[] body) {
        return ProblemAnswers.problem(settings.baseUrl(), method, path, status, contentType, body);
    }

    /** A reader that ignores unknown properties (newer servers may add fields). */
    static ObjectReader reader(Class<?> c) {
        return Json.mapper().readerFor(c).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    private static ObjectReader listReader(Class<?> c) {
        JavaType t = Json.mapper().getTypeFactory().constructCollectionType(List.class, c);
        return Json.mapper().readerFor(t).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    private static String firstLine(String s) {
        return ProblemAnswers.firstLine(s);
    }

    /** @return {@code d} as "5s" when whole seconds, else "1500ms" (the unreachable messages' form) */
    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
