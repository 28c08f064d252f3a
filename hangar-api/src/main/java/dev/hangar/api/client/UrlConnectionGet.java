package dev.hangar.api.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@code GET} without a body over {@link HttpURLConnection}: what most CLI commands send, and
 * cheap to start. {@link java.net.http.HttpClient} creates a selector thread, an executor and an
 * {@code SSLContext} (the JSSE provider) before its first request, about 40 ms of a 0.3 s CLI
 * start ({@code hangar list}; bench/README.md, "CLI start"); this needs none of it for a plain-http
 * server. Like {@link ApiTransport}'s {@code HttpClient}: no proxy, no redirects followed, no
 * cache. The request timeout bounds each read of the answer (a plain-http answer of the API is
 * read in a few reads), not the whole exchange.
 *
 * <p>Not interruptible mid-request (blocking socket I/O); a call ends within its timeouts.
 * Thread-safe: no state.
 */
final class UrlConnectionGet {
    private UrlConnectionGet() {}

    /** Why nothing answered, for {@link ServerUnreachableException}. */
    static final class Unreachable extends Exception {
        Unreachable(String why, Throwable cause) {
            super(why, cause);
        }
    }

    /**
     * Sends {@code GET settings.baseUrl() + path} and reads the whole answer, whatever its status.
     *
     * @param headers request headers (name to value)
     * @throws Unreachable when no answer came: refused, connect or read timeout, dropped connection
     */
    static HttpAnswer get(ClientSettings settings, String path, Map<String, String> headers) throws Unreachable {
        HttpURLConnection c;
        try {
            c = (HttpURLConnection)
                    URI.create(settings.baseUrl() + path).toURL().openConnection(Proxy.NO_PROXY);
        } catch (IOException | IllegalArgumentException e) {
            throw new Unreachable(firstLine(e), e);
        }
        c.setConnectTimeout(millis(settings.connectTimeout().toMillis()));
        c.setReadTimeout(millis(settings.requestTimeout().toMillis()));
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        headers.forEach(c::setRequestProperty);
        try {
            try {
                c.connect();
            } catch (SocketTimeoutException e) {
                throw new Unreachable("no connection within " + ApiTransport.seconds(settings.connectTimeout()), e);
            } catch (ConnectException e) {
                throw new Unreachable("connection refused", e);
            }
            int status = c.getResponseCode();
            byte[] body;
            try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                body = in == null ? new byte[0] : in.readAllBytes();
            }
            List<String> links = new ArrayList<>();
            for (var h : c.getHeaderFields().entrySet()) {
                if ("Link".equalsIgnoreCase(h.getKey())) links.addAll(h.getValue());
            }
            String type = c.getContentType();
            return new HttpAnswer(status, type == null ? "" : type, links, body);
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
