package dev.hangar.server.dashboard;

import dev.hangar.core.audit.AuditLog;
import dev.hangar.core.service.UserService;
import io.javalin.http.Context;
import java.util.List;

/**
 * The users page, for admins only (as {@code GET /api/v1/users}): every user with their role,
 * whether they are disabled, and when they were created. Anyone else gets a 403 page (and the
 * navigation shows them no link); the refusal is audited. Thread-safe.
 */
final class UserPages {
    private final UserService users;
    private final AuditLog audit;

    UserPages(UserService users, AuditLog audit) {
        this.users = users;
        this.audit = audit;
    }

    void list(Context ctx, Signed s) {
        if (!s.user().admin()) {
            audit.record(s.user().name(), "dashboard.users", "/ui/users", DashboardRoutes.source(ctx), "403");
            throw new DashboardRoutes.ForbiddenException("only admins may list users");
        }
        List<Pages.UserRow> rows = users.list().stream()
                .map(u -> new Pages.UserRow(
                        u.name(), u.role().wireName(), u.disabled(), WorkspacePages.time(u.createdAt())))
                .toList();
        Renderer.html(ctx, 200, "users.jte", "page", new Pages.UserList(s.chrome("users"), rows));
    }
}
