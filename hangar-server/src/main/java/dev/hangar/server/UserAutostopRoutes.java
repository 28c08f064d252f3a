package dev.hangar.server;

import dev.hangar.api.UserAutostopRequest;
import dev.hangar.api.UserAutostopView;
import dev.hangar.core.autostop.Autostop;
import dev.hangar.core.autostop.UserAutostop;
import dev.hangar.core.domain.ValidationException;
import io.javalin.config.RoutesConfig;

/**
 * {@code /api/v1/users/{name}/autostop}: a user's own idle auto-stop default, which applies to
 * their workspaces without their own setting in place of the template's. {@code GET}: admins and
 * auditors any user, members themselves ({@code me}), anyone else is 404. {@code PUT} with {@code
 * {"autostop": "2h" | "off" | "template"}}: members themselves, admins anyone (auditors are refused
 * by {@link BearerAuth}). A bad value is 422 on field {@code autostop}.
 */
final class UserAutostopRoutes {
    static final String PATH = "/api/v1/users/{name}/autostop";

    private final UserAutostop autostop;

    UserAutostopRoutes(UserAutostop autostop) {
        this.autostop = autostop;
    }

    void register(RoutesConfig r) {
        r.get(PATH, ctx -> ctx.json(view(autostop.status(BearerAuth.user(ctx), ctx.pathParam("name")))));
        r.put(PATH, ctx -> {
            UserAutostopRequest body = RequestBodies.read(ctx, UserAutostopRequest.class);
            if (body.autostop() == null || body.autostop().isBlank())
                throw new ValidationException(
                        "autostop", "autostop is required: 'off', a duration such as 2h, or 'template' to clear it");
            ctx.json(view(autostop.set(BearerAuth.user(ctx), ctx.pathParam("name"), body.autostop())));
        });
    }

    static UserAutostopView view(UserAutostop.Status s) {
        return new UserAutostopView(s.user(), s.autostop().map(Autostop::wire).orElse(UserAutostop.TEMPLATE));
    }
}
