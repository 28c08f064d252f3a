package dev.hangar.server;

import dev.hangar.core.audit.AuditEntry;
import dev.hangar.core.audit.AuditLog;
import dev.hangar.core.audit.AuditQueue;
import dev.hangar.core.domain.User;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the audit entry of one finished HTTP request, from the one place every request passes
 * (Javalin's request logger, after the handlers and the exception mapping): every state-changing
 * operation of {@link AuditActions} with its status as the outcome, and every 401 as {@code
 * auth.failed} (on any method, with the presented token's {@code owner/name} as the target when
 * its id names a token, see {@link BearerAuth}).
 *
 * <p>Javalin 7 calls its request logger before the response is flushed, so the insert of a write's
 * entry is synchronous with the request: when a client has its answer the entry is stored, and a
 * clean shutdown loses none (measured cost: one insert, p50 under 1 ms on SQLite, about 1.4 ms on
 * PostgreSQL; {@code AuditStoreContract} prints it). A failing insert is logged, never turned into
 * an error answer. An entry nobody authenticated caused is different: a 401's {@code auth.failed}
 * (anyone can send unknown tokens in bulk) and a write to a public route that ends without a user
 * (a failed {@code auth.oidc}: a bad body, OIDC not configured, the provider refusing) go through
 * the {@link AuditQueue} (stamped now, written moments later by its one writer in batches; bounded,
 * a full queue drops and counts in {@code hangar_audit_dropped_total}), so a flood of them costs the
 * request threads no database write.
 *
 * <p>Only the method, the path's parameters, the {@code owner} query parameter, the {@code
 * Location} header, the authenticated user and the peer address are read: never a request body,
 * a header value other than {@code Location}, or the token. Thread-safe.
 */
final class HttpAudit {
    /** Request attribute: the {@code owner/name} of the token a failed request presented. */
    static final String FAILED_TOKEN = "hangar.audit.failed-token";
    /** Request attribute: a finer action a handler chose (e.g. {@code user.disable} for a PATCH). */
    private static final String ACTION = "hangar.audit.action";
    /** Request attribute: the outcome to record instead of the status (a dry run's {@code dry-run}). */
    private static final String OUTCOME = "hangar.audit.outcome";
    /** Request attribute: the target to record when the table's rule cannot find it (a dry run). */
    private static final String TARGET = "hangar.audit.target";
    /** The outcome of a successful dry run: nothing was changed. */
    static final String DRY_RUN = "dry-run";

    private static final Logger LOG = LoggerFactory.getLogger(HttpAudit.class);

    private final AuditLog audit;
    private final AuditQueue unauthenticated;

    /**
     * @param audit where an authenticated user's writes are recorded, before the answer
     * @param unauthenticated the queue for entries of requests no user was authenticated for
     */
    HttpAudit(AuditLog audit, AuditQueue unauthenticated) {
        this.audit = audit;
        this.unauthenticated = unauthenticated;
    }

    /** Lets a handler name its action more precisely than the table (e.g. {@code user.disable}). */
    static void refine(Context ctx, String action) {
        ctx.attribute(ACTION, action);
    }

    /**
     * Marks a successful dry run: its entry has outcome {@value #DRY_RUN} instead of the status, and
     * {@code target} (e.g. {@code owner/name} of the workspace it would create).
     */
    static void dryRun(Context ctx, String target) {
        ctx.attribute(OUTCOME, DRY_RUN);
        ctx.attribute(TARGET, target);
    }

    /** Records {@code ctx} if it is audited; never throws (the response is already decided). */
    void finished(Context ctx) {
        try {
            record(ctx);
        } catch (RuntimeException e) {
            LOG.error("audit of {} {} failed", ctx.method().name(), ctx.path(), e);
        }
    }

    private void record(Context ctx) {
        int status = ctx.status().getCode();
        String method = ctx.method().name();
        Optional<User> user = Optional.ofNullable(ctx.<User>attribute(BearerAuth.USER));
        String actor = user.map(User::name).orElse(AuditEntry.ANONYMOUS);
        String source = source(ctx);
        if (status == 401) {
            String token =
                    Optional.ofNullable(ctx.<String>attribute(FAILED_TOKEN)).orElse("");
            unauthenticated.offer(actor, "auth.failed", token, source, "401");
            return;
        }
        if (!AuditActions.WRITES.contains(method)) return;
        AuditActions.match(method, ctx.path()).ifPresent(m -> {
            String action = Optional.ofNullable(ctx.<String>attribute(ACTION))
                    .orElse(m.rule().action());
            String outcome = status < 300
                    ? Optional.ofNullable(ctx.<String>attribute(OUTCOME)).orElse(Integer.toString(status))
                    : Integer.toString(status);
            String target = status < 300
                    ? Optional.ofNullable(ctx.<String>attribute(TARGET)).orElseGet(() -> target(ctx, m, user))
                    : target(ctx, m, user);
            if (user.isPresent()) audit.record(actor, action, target, source, outcome);
            else unauthenticated.offer(actor, action, target, source, outcome);
        });
    }

    private static String target(Context ctx, AuditActions.Match m, Optional<User> user) {
        Map<String, String> p = m.params();
        String caller = user.map(User::name).orElse("");
        String created = created(ctx);
        return switch (m.rule().target()) {
            case WORKSPACE -> owner(ctx, caller) + "/" + p.get("name");
            case NEW_WORKSPACE -> created.isEmpty() ? "" : caller + "/" + created;
            case USB -> {
                String ws = owner(ctx, caller) + "/" + p.get("name");
                String bus = p.getOrDefault("busid", created);
                yield bus.isEmpty() ? ws : ws + "/" + bus;
            }
            case USER -> p.getOrDefault("name", created);
            case OWN_TOKEN -> {
                String name = p.getOrDefault("name", created);
                yield name.isEmpty() ? caller : caller + "/" + name;
            }
            case OWN_SECRET -> caller + "/" + p.get("name");
            case CALLER -> caller;
            case IMAGE -> p.getOrDefault("name", created);
        };
    }

    /** @return the last path segment of a 2xx answer's {@code Location}, decoded; empty when none */
    private static String created(Context ctx) {
        String location = ctx.res().getHeader("Location");
        if (location == null || ctx.status().getCode() >= 300) return "";
        String path = location.replaceFirst("[?#].*$", "");
        return AuditActions.decode(path.substring(path.lastIndexOf('/') + 1));
    }

    private static String owner(Context ctx, String caller) {
        String owner = ctx.queryParam("owner");
        return owner == null || owner.isBlank() ? caller : owner.strip();
    }

    /** @return the peer's IP address (never a forwarded-for header a client can forge) */
    static String source(Context ctx) {
        String addr = ctx.req().getRemoteAddr();
        return addr == null ? "" : addr;
    }
}
