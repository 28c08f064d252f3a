package dev.hangar.api.client;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The exchanges of {@link ApiTransport} that are not one request and one whole answer: a file
 * uploaded with its answer read line by line as it arrives (NDJSON progress), and WebSockets. Same
 * headers (the bearer token), same {@link java.net.http.HttpClient} and the same kinds of errors as
 * {@link ApiTransport}: {@link ApiException} with the server's problem for a refusal, {@link
 * ServerUnreachableException} when nothing answers, {@link CancellationException} (interrupt flag set
 * again) when interrupted. Thread-safe (stateless apart from the shared client).
 */
final class ApiStreams {
    private final ClientSettings settings;
    private final Supplier<HttpClient> http;

    /**
     * @param settings base URL, token and timeouts
     * @param http the transport's HTTP client, created on first use
     */
    ApiStreams(ClientSettings settings, Supplier<HttpClient> http) {
        this.settings = settings;
        this.http = http;
    }

    /**
     * Uploads a file as the request body and hands each line of the 2xx answer to {@code lines} as it
     * arrives (NDJSON progress). The request timeout is {@code timeout} (the answer's first byte may
     * come only after the server processed the upload), not the settings' one.
     *
     * @throws ApiException for a non-2xx answer
     * @throws ServerUnreachableException when nothing answers or the connection drops mid-answer
     * @throws IllegalArgumentException when {@code file} does not exist
     */
    void streamLines(
            String method, String path, Path file, String contentType, Duration timeout, Consumer<String> lines) {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(settings.baseUrl() + path))
                    .timeout(timeout)
                    .header("Accept", "application/x-ndjson, application/problem+json")
                    .header("Content-Type", contentType)
                    .method(method, HttpRequest.BodyPublishers.ofFile(file));
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("cannot read " + file + ": no such file", e);
        }
        if (!settings.token().isEmpty()) b.header("Authorization", "Bearer " + settings.token());
        try {
            HttpResponse<Stream<String>> r = http.get().send(b.build(), HttpResponse.BodyHandlers.ofLines());
            try (Stream<String> body = r.body()) {
                if (!(r.statusCode() >= 200 && r.statusCode() <= 299)) {
                    byte[] text = String.join("\n", body.toList()).getBytes(StandardCharsets.UTF_8);
                    throw new ApiException(ProblemAnswers.problem(
                            settings.baseUrl(),
                            method,
                            path,
                            r.statusCode(),
                            r.headers().firstValue("Content-Type").orElse(""),
                            text));
                }
                body.filter(l -> !l.isBlank()).forEach(lines);
            } catch (UncheckedIOException e) {
                throw TransportFailures.unreachable(
                        settings,
                        "the answer broke off: "
                                + ProblemAnswers.firstLine(
                                        String.valueOf(e.getCause().getMessage())),
                        e);
            }
        } catch (IOException e) {
            throw TransportFailures.of(settings, e, timeout);
        } catch (InterruptedException e) {
            throw TransportFailures.interrupted("during " + method + " " + path, e);
        }
    }

    /**
     * Opens a WebSocket to {@code path} (the base URL's scheme turned into ws/wss) with the bearer
     * token and waits at most the connect plus the request timeout for the opening handshake.
     *
     * @param listener receives messages and the close; called on the HTTP client's threads
     * @param purpose what the caller is doing, for the message of an interrupt ("attaching to ...")
     * @return the open WebSocket
     * @throws ApiException for a refused upgrade, with the server's problem
     * @throws ServerUnreachableException when nothing answers or the handshake does not complete in
     *     time
     * @throws CancellationException when interrupted (the interrupt flag is set again)
     */
    WebSocket openWebSocket(String path, WebSocket.Listener listener, String purpose) {
        URI uri = URI.create(settings.baseUrl().toString().replaceFirst("^(?i)http", "ws") + path);
        WebSocket.Builder b = http.get().newWebSocketBuilder().connectTimeout(settings.connectTimeout());
        if (!settings.token().isEmpty()) b.header("Authorization", "Bearer " + settings.token());
        Duration limit = settings.connectTimeout().plus(settings.requestTimeout());
        try {
            return b.buildAsync(uri, listener).get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof WebSocketHandshakeException h) {
                HttpResponse<?> r = h.getResponse();
                byte[] body = r.body() instanceof String text ? text.getBytes(StandardCharsets.UTF_8) : new byte[0];
                throw new ApiException(ProblemAnswers.problem(
                        settings.baseUrl(),
                        "GET",
                        path,
                        r.statusCode(),
                        r.headers().firstValue("Content-Type").orElse(""),
                        body));
            }
            if (c instanceof HttpConnectTimeoutException)
                throw TransportFailures.unreachable(
                        settings, "no connection within " + ApiTransport.seconds(settings.connectTimeout()), c);
            if (c instanceof ConnectException) throw TransportFailures.unreachable(settings, "connection refused", c);
            throw TransportFailures.unreachable(
                    settings,
                    c == null || c.getMessage() == null ? String.valueOf(c) : ProblemAnswers.firstLine(c.getMessage()),
                    c);
        } catch (TimeoutException e) {
            throw TransportFailures.unreachable(
                    settings, "no WebSocket handshake within " + ApiTransport.seconds(limit), e);
        } catch (InterruptedException e) {
            throw TransportFailures.interrupted("while " + purpose, e);
        }
    }
}
