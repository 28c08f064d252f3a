package dev.hangar.api.client;

import java.net.http.HttpResponse;
import java.util.List;

/**
 * A whole HTTP answer as {@link ApiTransport} reads it, whichever JDK client fetched it.
 *
 * @param status the status code
 * @param contentType the {@code Content-Type} header, "" when absent
 * @param links the {@code Link} headers' values (RFC 8288), in order
 * @param body the body, empty when there was none
 */
record HttpAnswer(int status, String contentType, List<String> links, byte[] body) {
    HttpAnswer {
        links = List.copyOf(links);
    }

    /** @return {@code r}'s status, headers and body */
    static HttpAnswer of(HttpResponse<byte[]> r) {
        return new HttpAnswer(
                r.statusCode(),
                r.headers().firstValue("Content-Type").orElse(""),
                r.headers().allValues("Link"),
                r.body() == null ? new byte[0] : r.body());
    }

    boolean success() {
        return status >= 200 && status <= 299;
    }
}
