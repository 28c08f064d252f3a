package dev.hangar.api.client;

import dev.hangar.api.Problem;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Turns a non-2xx answer into the {@link Problem} an {@link ApiException} carries: the server's RFC
 * 9457 problem document with its gaps filled, or, for any other body, one synthesised from the
 * status and the start of the body. Stateless and thread-safe.
 */
final class ProblemAnswers {
    /** How much of a body that is not a problem document goes into the detail, in characters. */
    private static final int SNIPPET_CHARS = 200;

    private ProblemAnswers() {}

    /**
     * @param baseUrl the server's base URL (named in a synthesised detail)
     * @param method the request's method, e.g. {@code GET}
     * @param path the request's path below the base URL (the instance when the server gave none)
     * @param status the HTTP status
     * @param contentType the answer's {@code Content-Type}, "" when absent
     * @param body the answer's body, possibly empty
     * @return the server's problem (detail from title or status, instance from the path when missing)
     *     when the body is a JSON problem document, else {@code about:blank} with status, method, URL
     *     and the body's first line (at most {@value #SNIPPET_CHARS} characters)
     */
    static Problem problem(URI baseUrl, String method, String path, int status, String contentType, byte[] body) {
        if (contentType.contains("json") && body.length > 0) {
            try {
                Problem p = ApiTransport.reader(Problem.class).readValue(body);
                if (p != null) {
                    String detail = nonEmpty(p.detail(), nonEmpty(p.title(), "HTTP " + status));
                    return new Problem(
                            nonEmpty(p.type(), "about:blank"),
                            nonEmpty(p.title(), ""),
                            status,
                            detail,
                            nonEmpty(p.instance(), path),
                            nonEmpty(p.field(), ""));
                }
            } catch (IOException e) {
                // Not a problem document after all: fall through to a synthesised one.
            }
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        String snippet = text.isEmpty()
                ? ""
                : ": " + firstLine(text.length() > SNIPPET_CHARS ? text.substring(0, SNIPPET_CHARS) : text);
        return new Problem(
                "about:blank",
                "HTTP " + status,
                status,
                "HTTP " + status + " from " + method + " " + baseUrl + path + snippet,
                path,
                "");
    }

    /** @return the first line of {@code s}, "" for null or empty */
    static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    private static String nonEmpty(String s, String fallback) {
        return s == null || s.isEmpty() ? fallback : s;
    }
}
