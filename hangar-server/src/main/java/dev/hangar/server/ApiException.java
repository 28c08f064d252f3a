package dev.hangar.server;

/**
 * An HTTP-level refusal raised by the server's own edge code (authentication, request syntax, body
 * size, media type). Domain errors keep their own exceptions from hangar-core; {@link
 * ProblemMapper} maps both in one place.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String kind;
    private final String field;

    private ApiException(int status, String kind, String field, String message) {
        super(message);
        this.status = status;
        this.kind = kind;
        this.field = field;
    }

    /** 400: the request is syntactically wrong (malformed JSON, wrong type, unknown field, bad query parameter). */
    public static ApiException badRequest(String field, String message) {
        return new ApiException(400, "bad-request", field, message);
    }

    /** 401: no or an invalid bearer token. */
    public static ApiException unauthorized(String message) {
        return new ApiException(401, "unauthorized", "", message);
    }

    /** 403: authenticated, but not allowed. */
    public static ApiException forbidden(String message) {
        return new ApiException(403, "forbidden", "", message);
    }

    /**
     * 409: the request cannot be served in the resource's current state or kind.
     *
     * @param kind the problem type's last segment, e.g. {@code no-console}
     */
    public static ApiException conflict(String kind, String message) {
        return new ApiException(409, kind, "", message);
    }

    /** 413: the body is larger than the limit. */
    public static ApiException tooLarge(String message) {
        return new ApiException(413, "payload-too-large", "", message);
    }

    /** 415: the body is not JSON. */
    public static ApiException unsupportedMediaType(String message) {
        return new ApiException(415, "unsupported-media-type", "", message);
    }

    /** 503: the server cannot do this now or in its configuration (e.g. a provider is off). */
    public static ApiException unavailable(String message) {
        return new ApiException(503, "unavailable", "", message);
    }

    /** @return the HTTP status */
    public int status() {
        return status;
    }

    /** @return the last segment of the problem type URI, e.g. {@code bad-request} */
    public String kind() {
        return kind;
    }

    /** @return the offending field; empty when none */
    public String field() {
        return field;
    }
}
