package dev.hangar.server;

import dev.hangar.api.Json;
import dev.hangar.api.Problem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's error page for what never reaches a route, as RFC 9457 problem+json instead of Jetty's
 * HTML: a request whose header fields are too large (431), a request line or header Jetty cannot
 * parse (400), a URI that is too long (414). {@link ProblemMapper} handles everything that reaches
 * Javalin; this is only the backstop below it. Thread-safe (stateless).
 */
final class ProblemErrorHandler extends ErrorHandler {
    /** Jetty's default limit on the request line plus header fields, in bytes. */
    static final int REQUEST_HEADER_BYTES = 8 * 1024;

    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback)
            throws IOException {
        String instance = request.getHttpURI() == null || request.getHttpURI().getPath() == null
                ? ""
                : request.getHttpURI().getPath();
        Problem p = new Problem(
                ProblemMapper.TYPE_BASE + kind(code),
                HttpStatus.getMessage(code),
                code,
                detail(code, message),
                instance,
                "");
        byte[] body = Json.mapper().writeValueAsBytes(p);
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, ProblemMapper.PROBLEM_JSON);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static String kind(int code) {
        return switch (code) {
            case 431 -> "header-too-large";
            case 414 -> "uri-too-long";
            case 400 -> "bad-request";
            default -> "http-" + code;
        };
    }

    private static String detail(int code, String message) {
        return switch (code) {
            case 431 ->
                "the request's header fields are too large: at most " + REQUEST_HEADER_BYTES
                        + " bytes of request line and headers are accepted";
            case 414 -> "the request URI is too long";
            default ->
                message == null || message.isBlank()
                        ? HttpStatus.getMessage(code).toLowerCase(Locale.ROOT)
                        : message;
        };
    }
}
