package dev.hangar.server;

import dev.hangar.api.Json;
import dev.hangar.api.Problem;
import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.LifecycleConflictException;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.ProviderUnavailableException;
import dev.hangar.core.domain.ValidationException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where exceptions become HTTP responses: RFC 9457 problem details with media type
 * {@code application/problem+json} and, where known, the offending request {@code field}.
 *
 * <p><b>400 or 422.</b> 400 Bad Request means the request could not be read as the API defines
 * it: a body that is not JSON, not one JSON object, has an unknown field or a value of the wrong
 * JSON type; a query parameter that is not a number or not in its range. 422 Unprocessable
 * Content means the request was read and is well-formed, but a value is not acceptable: a name
 * that is not a DNS-1123 label, an unknown template, a size outside the template's range, user-data
 * that is not a YAML mapping, an invalid SSH key. The OpenAPI document ({@code openapi.yaml} in
 * hangar-api) and the client's Javadoc say the same.
 *
 * <table>
 *   <caption>mapping</caption>
 *   <tr><th>exception</th><th>status</th></tr>
 *   <tr><td>{@link ApiException}</td><td>its status (400, 401, 403, 409, 413, 415, 431, 503)</td></tr>
 *   <tr><td>{@link ValidationException} (incl. invalid SSH keys)</td><td>422</td></tr>
 *   <tr><td>{@link NotFoundException}</td><td>404</td></tr>
 *   <tr><td>{@link ConflictException} (incl. stale versions, an unusable console), {@link
 *       LifecycleConflictException}</td><td>409, kind from {@link ConflictException#kind()}</td></tr>
 *   <tr><td>{@link ProviderUnavailableException}</td><td>503</td></tr>
 *   <tr><td>Javalin's {@link HttpResponseException} (unknown route, wrong method)</td><td>its status</td></tr>
 *   <tr><td>anything else</td><td>500 with a generic detail; logged with its stack trace</td></tr>
 * </table>
 */
public final class ProblemMapper {
    /** RFC 9457 media type. */
    public static final String PROBLEM_JSON = "application/problem+json";

    /** Prefix of every problem {@code type} URI. */
    public static final String TYPE_BASE = "https://hangar.dev/problems/";

    private static final Logger LOG = LoggerFactory.getLogger(ProblemMapper.class);

    private ProblemMapper() {}

    /** Registers the mapping for every exception type. */
    public static void register(RoutesConfig routes) {
        routes.exception(Exception.class, ProblemMapper::handle);
        // Javalin answers unmatched paths and methods itself; give those the same problem shape.
        for (int status : new int[] {404, 405}) {
            routes.error(status, ctx -> {
                String type = ctx.res().getContentType();
                // (the web dashboard's own HTML error pages are left as they are)
                if (type == null || !(type.startsWith(PROBLEM_JSON) || type.startsWith("text/html"))) {
                    send(
                            ctx,
                            status,
                            status == 404 ? "not-found" : "method-not-allowed",
                            "",
                            "no such endpoint: " + ctx.method() + " " + ctx.path() + " (see /api/v1/openapi.yaml)");
                }
            });
        }
    }

    static void handle(Exception e, Context ctx) {
        switch (e) {
            case ApiException a -> {
                if (a.status() == 401) ctx.header("WWW-Authenticate", "Bearer realm=\"hangar\"");
                send(ctx, a.status(), a.kind(), a.field(), a.getMessage());
            }
            case ValidationException v -> send(ctx, 422, "validation", v.field(), v.getMessage());
            case NotFoundException n -> send(ctx, 404, "not-found", "", n.getMessage());
            case ConflictException c -> send(ctx, 409, c.kind(), c.field() == null ? "" : c.field(), c.getMessage());
            case ProviderUnavailableException p -> send(ctx, 503, "unavailable", "", p.getMessage());
            case LifecycleConflictException c -> send(ctx, 409, "lifecycle-conflict", "", c.getMessage());
            case HttpResponseException h -> {
                String kind = h.getStatus() == 404 ? "not-found" : "http-" + h.getStatus();
                String detail = h.getStatus() == 404
                        ? "no such endpoint: " + ctx.method() + " " + ctx.path() + " (see /api/v1/openapi.yaml)"
                        : h.getMessage();
                send(ctx, h.getStatus(), kind, "", detail);
            }
            default -> {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                send(
                        ctx,
                        500,
                        "internal",
                        "",
                        "the server failed to handle this request; the error is in the server log");
            }
        }
    }

    /** Writes a problem body with {@code status}. */
    static void send(Context ctx, int status, String kind, String field, String detail) {
        Problem p = new Problem(
                TYPE_BASE + kind,
                HttpStatus.forStatus(status).getMessage(),
                status,
                detail == null ? "" : detail,
                ctx.path(),
                field == null ? "" : field);
        try {
            ctx.status(status).contentType(PROBLEM_JSON).result(Json.mapper().writeValueAsBytes(p));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
