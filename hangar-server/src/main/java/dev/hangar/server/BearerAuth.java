package dev.hangar.server;

import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;
import dev.hangar.core.service.Authentication;
import dev.hangar.core.service.UserService;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.Locale;
import java.util.Set;

/**
 * Authenticates API requests by {@code Authorization: Bearer hgr_...} (RFC 6750) through {@link
 * UserService#authenticate}. Runs as a before-handler on {@code /api/v1/*}; a few paths are public.
 * Failures are 401 problems with {@code WWW-Authenticate: Bearer}; the response never says whether
 * the token was unknown, wrong, expired, revoked or its user disabled. Tokens are never logged.
 *
 * <p>Auditors are refused (403) on every method other than GET, HEAD and OPTIONS, except under
 * {@code /api/v1/users/me/} (their own SSH keys and API tokens).
 */
final class BearerAuth implements Handler {
    static final String USER = "hangar.user";
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
    private static final String OWN = "/api/v1/users/me/";

    private final UserService users;
    private final Set<String> publicPaths;

    BearerAuth(UserService users, Set<String> publicPaths) {
        this.users = users;
        this.publicPaths = Set.copyOf(publicPaths);
    }

    @Override
    public void handle(Context ctx) {
        if (publicPaths.contains(ctx.path())) return;
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank())
            throw ApiException.unauthorized(
                    "missing 'Authorization: Bearer <token>' header; the token is in $HANGAR_HOME/cli.yaml");
        String[] parts = header.strip().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].toLowerCase(Locale.ROOT).equals("bearer"))
            throw ApiException.unauthorized("the Authorization header must use the Bearer scheme");
        User user = switch (users.authenticate(parts[1])) {
            case Authentication.Authenticated a -> a.authenticatedUser();
            case Authentication.Rejected r -> {
                // For the audit entry: which token (by name) was presented, never the token
                // itself; from the same read that rejected it.
                r.tokenLabel().ifPresent(label -> ctx.attribute(HttpAudit.FAILED_TOKEN, label));
                throw ApiException.unauthorized("the bearer token is invalid or was revoked");
            }
        };
        ctx.attribute(USER, user);
        if (user.role() == Role.AUDITOR
                && !READS.contains(ctx.method().name())
                && !ctx.path().startsWith(OWN))
            throw ApiException.forbidden(
                    "auditors read everything and change nothing (except their own keys and tokens under " + OWN + ")");
    }

    /** @return the authenticated user of this request */
    static User user(Context ctx) {
        User u = ctx.attribute(USER);
        if (u == null) throw ApiException.unauthorized("authentication required");
        return u;
    }
}
