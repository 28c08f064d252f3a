package dev.hangar.server;

import dev.hangar.api.ActivityRequest;
import dev.hangar.core.autostop.ActivityService;
import dev.hangar.core.autostop.Autostop;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code POST /api/v1/workspaces/{name}/activity} with {@code {"for": "3h"}}: an explicit lease
 * against idle auto-stop ({@code hangar keepalive}), answered with the workspace's auto-stop state
 * (200). Members lease their own workspaces (another user's is 404, as everywhere); admins any;
 * auditors are refused by {@link BearerAuth} (403). A missing or malformed {@code for}, or one
 * longer than {@code autostop.max-lease}, is 422 naming the field {@code for}.
 */
final class ActivityRoutes {
    private final ActivityService activity;

    ActivityRoutes(ActivityService activity) {
        this.activity = activity;
    }

    void register(RoutesConfig r) {
        r.post(WorkspaceRoutes.BASE + "/{name}/activity", this::lease);
    }

    private void lease(Context ctx) {
        ActivityRequest req = RequestBodies.read(ctx, ActivityRequest.class);
        String raw = req.forDuration() == null ? "" : req.forDuration();
        java.time.Duration d = Autostop.duration(raw)
                .orElseThrow(() -> new dev.hangar.core.domain.ValidationException(
                        "for", "for must be a duration such as 30m, 3h or 1d, got '" + raw + "'"));
        String owner =
                ctx.queryParam("owner") == null ? "" : ctx.queryParam("owner").strip();
        ctx.json(Views.activity(activity.lease(BearerAuth.user(ctx), owner, ctx.pathParam("name"), d)));
    }
}
