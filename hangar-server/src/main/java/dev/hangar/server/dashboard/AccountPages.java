package dev.hangar.server.dashboard;

import dev.hangar.core.audit.AuditLog;
import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.UserSshKey;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.service.UserService;
import dev.hangar.core.template.Template;
import dev.hangar.core.template.TemplateCatalog;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.Optional;

/**
 * The templates page and the signed-in user's SSH keys (list, add, remove), through the same
 * {@link UserService} and {@link TemplateCatalog} as {@code /api/v1/templates} and {@code
 * /api/v1/users/me/keys}. Everyone, auditors included, manages their own keys. Thread-safe.
 */
final class AccountPages {
    private final UserService users;
    private final TemplateCatalog templates;
    private final AuditLog audit;

    AccountPages(UserService users, TemplateCatalog templates, AuditLog audit) {
        this.users = users;
        this.templates = templates;
        this.audit = audit;
    }

    void templates(Context ctx, Signed s) {
        Renderer.html(
                ctx,
                200,
                "templates.jte",
                "page",
                new Pages.TemplateList(
                        s.chrome("templates"),
                        templates.all().stream().map(AccountPages::templateRow).toList()));
    }

    void keys(Context ctx, Signed s) {
        renderKeys(ctx, s, 200, "", "");
    }

    void addKey(Context ctx, Signed s) {
        String line = Optional.ofNullable(ctx.formParam("key")).orElse("").strip();
        String me = s.user().name();
        try {
            users.addKey(me, line);
        } catch (ValidationException e) {
            audit.record(me, "key.add", me, DashboardRoutes.source(ctx), "422");
            renderKeys(ctx, s, 422, e.getMessage(), line);
            return;
        } catch (ConflictException e) {
            audit.record(me, "key.add", me, DashboardRoutes.source(ctx), "409");
            renderKeys(ctx, s, 409, e.getMessage(), line);
            return;
        }
        audit.record(me, "key.add", me, DashboardRoutes.source(ctx), "ok");
        ctx.redirect("/ui/keys", HttpStatus.SEE_OTHER);
    }

    void removeKey(Context ctx, Signed s) {
        String me = s.user().name();
        users.removeKey(me, Optional.ofNullable(ctx.formParam("fingerprint")).orElse(""));
        audit.record(me, "key.remove", me, DashboardRoutes.source(ctx), "ok");
        ctx.redirect("/ui/keys", HttpStatus.SEE_OTHER);
    }

    private void renderKeys(Context ctx, Signed s, int status, String error, String typed) {
        List<Pages.KeyRow> keys =
                users.keys(s.user().name()).stream().map(AccountPages::keyRow).toList();
        Renderer.html(ctx, status, "keys.jte", "page", new Pages.KeyList(s.chrome("keys"), keys, error, typed));
    }

    private static Pages.KeyRow keyRow(UserSshKey k) {
        return new Pages.KeyRow(
                k.key().algorithm(),
                k.key().bits(),
                k.key().fingerprint(),
                k.key().comment(),
                WorkspacePages.time(k.addedAt()));
    }

    static Pages.TemplateRow templateRow(Template t) {
        var d = t.defaults();
        return new Pages.TemplateRow(
                t.name(),
                t.description(),
                t.provider(),
                t.image(),
                d.cpus(),
                d.memoryMiB(),
                d.diskGiB(),
                t.cpus().min(),
                t.cpus().max(),
                t.memoryMiB().min(),
                t.memoryMiB().max(),
                t.diskGiB().min(),
                t.diskGiB().max(),
                DeviceFields.rows(t));
    }
}
