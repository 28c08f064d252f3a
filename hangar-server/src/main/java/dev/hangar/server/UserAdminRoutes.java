package dev.hangar.server;

import dev.hangar.api.CreateUserRequest;
import dev.hangar.api.CreatedTokenView;
import dev.hangar.api.CreatedUserView;
import dev.hangar.api.UpdateUserRequest;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;
import dev.hangar.core.service.Tokens;
import dev.hangar.core.service.UserAdminService;
import dev.hangar.core.service.UserAdminService.WorkspacePolicy;
import dev.hangar.core.service.UserService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code /api/v1/users} and {@code /api/v1/users/{name}}: admins create, list, change (role,
 * disabled) and delete users; auditors may list and read them; members get 403. Must be registered
 * after {@link UserRoutes} so that {@code /users/me} is matched first.
 */
final class UserAdminRoutes {
    private static final String BASE = "/api/v1/users";

    private final UserService users;
    private final UserAdminService admin;

    UserAdminRoutes(UserService users, UserAdminService admin) {
        this.users = users;
        this.admin = admin;
    }

    void register(RoutesConfig r) {
        r.get(BASE, ctx -> {
            requireReader(ctx);
            ctx.json(users.list().stream().map(Views::user).toList());
        });
        r.post(BASE, this::create);
        r.get(BASE + "/{name}", ctx -> {
            requireReader(ctx);
            ctx.json(Views.user(existing(ctx.pathParam("name"))));
        });
        r.patch(BASE + "/{name}", this::update);
        r.delete(BASE + "/{name}", this::delete);
    }

    private void create(Context ctx) {
        requireAdmin(ctx, "create users");
        CreateUserRequest req = RequestBodies.read(ctx, CreateUserRequest.class);
        Role role = req.role() == null ? Role.MEMBER : Role.parse("role", req.role());
        Tokens.Created t = users.createWithToken(req.name() == null ? "" : req.name(), role);
        User u = existing(t.stored().owner());
        ctx.status(201)
                .header("Location", BASE + "/" + u.name())
                .json(new CreatedUserView(Views.user(u), new CreatedTokenView(Views.token(t.stored()), t.token())));
    }

    private void update(Context ctx) {
        requireAdmin(ctx, "change users");
        String name = ctx.pathParam("name");
        UpdateUserRequest req = RequestBodies.read(ctx, UpdateUserRequest.class);
        if (req.role() == null && req.disabled() != null)
            HttpAudit.refine(ctx, req.disabled() ? "user.disable" : "user.enable");
        else if (req.role() != null && req.disabled() == null) HttpAudit.refine(ctx, "user.role");
        User u = existing(name);
        if (req.role() != null) u = admin.setRole(name, Role.parse("role", req.role()));
        if (req.disabled() != null) u = admin.setDisabled(name, req.disabled());
        ctx.json(Views.user(u));
    }

    private void delete(Context ctx) {
        requireAdmin(ctx, "delete users");
        String transferTo = ctx.queryParam("transfer-to");
        String deleteWs = ctx.queryParam("delete-workspaces");
        boolean delete = deleteWs != null && !deleteWs.isBlank();
        if (delete && !deleteWs.equals("true"))
            throw ApiException.badRequest("delete-workspaces", "delete-workspaces must be 'true' when given");
        boolean transfer = transferTo != null && !transferTo.isBlank();
        if (transfer && delete)
            throw ApiException.badRequest("transfer-to", "give either transfer-to or delete-workspaces, not both");
        WorkspacePolicy policy = transfer
                ? new WorkspacePolicy.TransferTo(transferTo.strip())
                : delete ? new WorkspacePolicy.DeleteWorkspaces() : new WorkspacePolicy.Refuse();
        admin.delete(BearerAuth.user(ctx), ctx.pathParam("name"), policy);
        ctx.status(204);
    }

    private User existing(String name) {
        return users.find(name).orElseThrow(() -> new NotFoundException("user '" + name + "' does not exist"));
    }

    private static void requireAdmin(Context ctx, String what) {
        if (!BearerAuth.user(ctx).admin()) throw ApiException.forbidden("only admins may " + what);
    }

    private static void requireReader(Context ctx) {
        if (!BearerAuth.user(ctx).readsAll()) throw ApiException.forbidden("only admins and auditors may read users");
    }
}
