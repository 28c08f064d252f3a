package dev.hangar.server.dashboard;

import dev.hangar.core.audit.AuditLog;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.service.WorkspaceService;
import dev.hangar.core.usb.UsbService;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.Optional;

/**
 * A workspace's USB devices on its page: the attachments {@link UsbService} records (as {@code GET
 * /api/v1/workspaces/{name}/usb/attachments}) and their detach (as {@code DELETE
 * .../usb/attachments/{busid}}: idempotent, audited {@code usb.detach}; auditors are refused). The
 * forwarding itself never passes through the server. Thread-safe.
 */
final class UsbPages {
    private final UsbService usb;
    private final WorkspaceService workspaces;
    private final AuditLog audit;

    UsbPages(UsbService usb, WorkspaceService workspaces, AuditLog audit) {
        this.usb = usb;
        this.workspaces = workspaces;
        this.audit = audit;
    }

    /** @return the devices attached to {@code owner/name} now, oldest first */
    List<Pages.UsbRow> rows(Signed s, String owner, String name) {
        return usb.list(s.user(), owner, name).stream()
                .map(a ->
                        new Pages.UsbRow(a.busId(), a.vidPid(), a.usbipd(), a.actor(), WorkspacePages.time(a.since())))
                .toList();
    }

    /** Records the detach of the form's {@code busid}; back to the workspace's page. */
    void detach(Context ctx, Signed s) {
        String owner = ctx.pathParam("owner");
        String name = ctx.pathParam("name");
        String busId = Optional.ofNullable(ctx.formParam("busid")).orElse("").strip();
        if (!s.mayChangeWorkspaces()) {
            audit.record(s.user().name(), "usb.detach", owner + "/" + name, DashboardRoutes.source(ctx), "403");
            throw new DashboardRoutes.ForbiddenException("auditors read everything and change nothing");
        }
        Workspace w = workspaces.get(s.user(), owner, name);
        usb.detach(s.user(), owner, name, busId);
        audit.record(
                s.user().name(),
                "usb.detach",
                w.owner() + "/" + w.name() + " " + busId,
                DashboardRoutes.source(ctx),
                "ok");
        ctx.redirect(WorkspacePages.href(w), HttpStatus.SEE_OTHER);
    }
}
