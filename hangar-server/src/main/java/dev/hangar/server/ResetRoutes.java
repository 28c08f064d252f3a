package dev.hangar.server;

import dev.hangar.api.ResetView;
import dev.hangar.core.domain.User;
import dev.hangar.core.service.ResetService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * The reset routes (issue #13, item 5): {@code POST /api/v1/workspaces/{name}/reset} (202 with one
 * {@link ResetView}) and {@code POST /api/v1/labs/{name}/reset[?group=G...][&member=M...]} (202 with
 * one {@link ResetView} per member reset; {@code group} and {@code member} repeat and name the union
 * of the groups' members and the members, every member when neither is given). Both only record the
 * request; the reconciler does the work. 409 when the workspace's provider kind cannot reset (naming
 * the kinds that can) or it is being deleted, 422 (field {@code group} or {@code member}) for a group
 * or member the lab does not have, 404 for what the caller may not see. The {@code owner} query
 * parameter lets admins address other users' workspaces and labs.
 */
final class ResetRoutes {
    private final ResetService resets;

    ResetRoutes(ResetService resets) {
        this.resets = resets;
    }

    void register(RoutesConfig r) {
        r.post(WorkspaceRoutes.BASE + "/{name}/reset", ctx -> {
            ResetService.Requested req = resets.reset(user(ctx), QueryParams.owner(ctx), ctx.pathParam("name"));
            ctx.status(202).json(view(req));
        });
        r.post(LabRoutes.BASE + "/{name}/reset", ctx -> {
            var reqs = resets.resetLab(
                    user(ctx),
                    QueryParams.owner(ctx),
                    ctx.pathParam("name"),
                    QueryParams.all(ctx, "group"),
                    QueryParams.all(ctx, "member"));
            ctx.status(202).json(reqs.stream().map(ResetRoutes::view).toList());
        });
    }

    private static ResetView view(ResetService.Requested r) {
        return new ResetView(r.workspace(), r.owner(), r.generation());
    }

    private static User user(Context ctx) {
        return BearerAuth.user(ctx);
    }
}
