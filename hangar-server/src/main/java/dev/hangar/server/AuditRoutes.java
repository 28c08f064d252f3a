package dev.hangar.server;

import static dev.hangar.server.QueryParams.query;

import dev.hangar.api.AuditEntryView;
import dev.hangar.core.audit.AuditEntry;
import dev.hangar.core.audit.AuditLog;
import dev.hangar.core.audit.AuditQuery;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;

/**
 * {@code GET /api/v1/audit?since=&user=&action=&limit=&continue=}: the audit log, newest first,
 * for admins and auditors (members get 403). {@code since} is an RFC 3339 instant; {@code action}
 * is one action or a family ending in a dot ({@code workspace.}). Paged like the workspace list
 * ({@link ListPage}): at most {@code limit} entries (default {@value ListPage#DEFAULT_LIMIT}) and a
 * {@code Link: <...>; rel="next"} header when older entries follow; its {@code continue} token is
 * opaque (the base64url of the last entry's sequence number).
 */
final class AuditRoutes {
    static final String PATH = "/api/v1/audit";

    private final AuditLog audit;

    AuditRoutes(AuditLog audit) {
        this.audit = audit;
    }

    void register(RoutesConfig r) {
        r.get(PATH, this::list);
    }

    private void list(Context ctx) {
        if (!BearerAuth.user(ctx).readsAll())
            throw ApiException.forbidden("only admins and auditors may read the audit log");
        int limit = ListPage.limitOf(ctx);
        AuditQuery q =
                new AuditQuery(since(query(ctx, "since")), query(ctx, "user"), query(ctx, "action"), cursor(ctx));
        List<AuditEntry> rows = ListPage.page(ctx, limit, audit.list(q, limit + 1), e -> token(e.seq()));
        ctx.json(rows.stream().map(AuditRoutes::view).toList());
    }

    static AuditEntryView view(AuditEntry e) {
        return new AuditEntryView(e.seq(), e.at(), e.actor(), e.action(), e.target(), e.source(), e.outcome());
    }

    private static Instant since(String raw) {
        if (raw.isEmpty()) return Instant.EPOCH;
        try {
            return Instant.parse(raw);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(
                    "since", "since must be an RFC 3339 instant such as 2026-12-03T08:00:00Z, got '" + raw + "'");
        }
    }

    private static long cursor(Context ctx) {
        String raw = query(ctx, "continue");
        if (raw.isEmpty()) return AuditQuery.START;
        try {
            long seq = Long.parseLong(new String(Base64.getUrlDecoder().decode(raw), StandardCharsets.US_ASCII));
            if (seq >= 1) return seq;
        } catch (IllegalArgumentException e) { // NumberFormatException included
            // reported below
        }
        throw ApiException.badRequest(
                "continue",
                "continue must be the token from a previous page's Link header (rel=\"next\"), unchanged;"
                        + " leave it out to start from the newest entry");
    }

    private static String token(long seq) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(Long.toString(seq).getBytes(StandardCharsets.US_ASCII));
    }
}
