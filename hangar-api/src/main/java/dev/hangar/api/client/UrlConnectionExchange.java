package dev.hangar.api.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One request over {@link HttpURLConnection}: what the CLI's commands send ({@code GET}s, and the
 * {@code POST}s, {@code PUT}s and {@code DELETE}s of {@code create}, {@code start}, {@code stop},
 * {@code delete}), and cheap to start. {@link java.net.http.HttpClient} creates a selector
 * thread, an executor and an {@code SSLContext} (the JSSE provider) before its first request:
 * about 40 ms of a 0.3 s CLI start ({@code hangar list}; bench/README.md, "CLI start"), and about
 * 1,000 more classes: a write command took 0.41 s instead of 0.29 s when it sent its request that
 * way (bench/README.md, "Write commands"). This needs none of it for a plain-http server. Like {@link
 * ApiTransport}'s {@code HttpClient}: no proxy, no redirects followed, no cache. The request
 * timeout bounds each read of the answer (an answer of the API is read in a few reads), not the
 * whole exchange.
 *
 * <p>Never sent twice: {@link HttpURLConnection} silently sends a request again when the first
 * attempt's connection failed before an answer, unless the request is streamed; so every request
 * but a {@code GET} is sent in fixed-length streaming mode (a body of 0 bytes when it has none),
 * and a {@code POST} that a dropped connection interrupted is reported, not repeated. (The JDK
 * labels such an empty streamed {@code POST} or {@code DELETE} {@code
 * application/x-www-form-urlencoded}, an empty form; the server reads no body there.)
 *
 * <p>Not interruptible mid-request (blocking socket I/O); a call ends within its timeouts.
 * Thread-safe: no state.
 */
final class UrlConnectionExchange {
    /** The methods this sends; {@link HttpURLConnection} refuses others ({@code PATCH}). */
    static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE");

    private UrlConnectionExchange() {}

    /** Why nothing answered, for {@link ServerUnreachableException}. */
    static final class Unreachable extends Exception {
        Unreachable(String why, Throwable cause) {
            super(why, cause);
        }
    }

    /**
     * Sends {@code method settings.baseUrl() + path} with {@code body} and reads the whole answer,
     * whatever its status.
     *
     * @param method one of {@link #METHODS}
     * @param headers request headers (name to value), e.g. the body's {@code Content-Type}
     * @param body the request body, empty for none (a {@code GET} must have none)
     * @throws IllegalArgumentException for another method, or a {@code GET} with a body
     * @throws Unreachable when no answer came: refused, connect or read timeout, dropped connection
     */
    static HttpAnswer send(
            ClientSettings settings, String method, String path, Map<String, String> headers, byte[] body)
            throws Unreachable {
        if (!METHODS.contains(method)) throw new IllegalArgumentException("not sent over HttpURLConnection: " + method);
        boolean get = method.equals("GET");
        if (get && body.length > 0) throw new IllegalArgumentException("a GET has no body");
        HttpURLConnection c;
        try {
            c = (HttpURLConnection)
                    URI.create(settings.baseUrl() + path).toURL().openConnection(Proxy.NO_PROXY);
            c.setRequestMethod(method);
        } catch (IOException | IllegalArgumentException e) {
            throw new Unreachable(firstLine(e), e);
        }
        c.setConnectTimeout(millis(settings.connectTimeout().toMillis()));
        c.setReadTimeout(millis(settings.requestTimeout().toMillis()));
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        headers.forEach(c::setRequestProperty);
        if (!get) {
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(body.length); // streamed: never re-sent (class comment)
        }
        try {
            try {
                c.connect();
            } catch (SocketTimeoutException e) {
                throw new Unreachable("no connection within " + ApiTransport.seconds(settings.connectTimeout()), e);
            } catch (ConnectException e) {
                throw new Unreachable("connection refused", e);
            }
            if (!get) {
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = c.getResponseCode();
            byte[] answer;
            try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                answer = in == null ? new byte[0] : in.readAllBytes();
            }
            List<String> links = new ArrayList<>();
            for (var h : c.getHeaderFields().entrySet()) {
                if ("Link".equalsIgnoreCase(h.getKey())) links.addAll(h.getValue());
            }
            String type = c.getContentType();
            return new HttpAnswer(status, type == null ? "" : type, links, answer);
        } catch (SocketTimeoutException e) {
            throw new Unreachable("no answer within " + ApiTransport.seconds(settings.requestTimeout()), e);
        } catch (IOException e) {
            throw new Unreachable(firstLine(e), e);
        }
    }

    private static int millis(long ms) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, ms));
    }

    private static String firstLine(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : ProblemAnswers.firstLine(e.getMessage());
    }
}
