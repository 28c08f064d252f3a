package dev.hangar.api.client;

import dev.hangar.api.Problem;

/**
 * The server answered a request with an error status (4xx or 5xx). The {@link #problem()} is the
 * RFC 9457 problem+json body the server sent, or one synthesised from the status line when the
 * body was not problem+json (e.g. a proxy's HTML error page). Unchecked; immutable.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Problem problem;

    /**
     * @param problem the error body; its {@code detail} becomes this exception's message
     */
    public ApiException(Problem problem) {
        super(problem.detail());
        this.problem = problem;
    }

    /** @return the problem details; {@code field} is empty (never null) when the server named none */
    public Problem problem() {
        return problem;
    }

    /** @return the HTTP status code, e.g. 404 */
    public int status() {
        return problem.status();
    }

    /** @return what went wrong and how to fix it, as the server said it */
    public String detail() {
        return problem.detail();
    }

    /** @return the offending request field (the {@code field} extension), empty when none */
    public String field() {
        return problem.field();
    }
}
