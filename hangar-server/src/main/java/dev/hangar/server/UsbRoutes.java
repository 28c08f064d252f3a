package dev.hangar.server;

import static dev.hangar.server.QueryParams.owner;

import dev.hangar.api.UsbAttachRequest;
import dev.hangar.api.UsbAttachmentView;
import dev.hangar.core.usb.UsbAttachment;
import dev.hangar.core.usb.UsbService;
import dev.hangar.usbip.BusId;
import dev.hangar.usbip.UsbipdAddress;
import dev.hangar.usbip.VidPid;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code /api/v1/workspaces/{name}/usb/attachments}: the control plane's part of {@code hangar usb
 * attach}. {@code POST} checks the USB policy ({@link dev.hangar.core.usb.UsbPolicy}) and answers
 * 201 or a 403 problem naming the VID:PID and where to allow it; {@code DELETE .../{busid}} records
 * the detach (204, idempotent); {@code GET} lists the current attachments. Bodies are validated
 * here with hangar-usbip's value types, so a bad bus id, VID:PID or usbipd address is a 400 problem
 * naming the field. Each answer says which tunnel the workspace offers now ({@code tunnel}: {@code
 * gateway} for a local VM with the USB/IP guestfwd, whose data the gateway bridges, ADR 0019;
 * {@code ssh} otherwise, where the data never passes through the server).
 */
final class UsbRoutes {
    private static final String BASE = WorkspaceRoutes.BASE + "/{name}/usb/attachments";

    private final UsbService usb;

    UsbRoutes(UsbService usb) {
        this.usb = usb;
    }

    void register(RoutesConfig r) {
        r.get(BASE, ctx -> {
            String tunnel = usb.tunnel(BearerAuth.user(ctx), owner(ctx), ctx.pathParam("name"));
            ctx.json(usb.list(BearerAuth.user(ctx), owner(ctx), ctx.pathParam("name")).stream()
                    .map(a -> view(a, tunnel))
                    .toList());
        });
        r.post(BASE, this::attach);
        r.delete(BASE + "/{busid}", this::detach);
    }

    private void attach(Context ctx) {
        UsbAttachRequest req = RequestBodies.read(ctx, UsbAttachRequest.class);
        BusId busId = busId("busid", req.busid());
        if (req.vidPid() == null || req.vidPid().isBlank())
            throw ApiException.badRequest("vidPid", "vidPid is required, e.g. \"0483:3748\" (as lsusb prints it)");
        VidPid vidPid;
        try {
            vidPid = VidPid.parse(req.vidPid());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("vidPid", "vidPid: " + e.getMessage());
        }
        UsbipdAddress usbipd = UsbipdAddress.DEFAULT;
        if (req.usbipd() != null) {
            try {
                usbipd = UsbipdAddress.parse(req.usbipd());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("usbipd", "usbipd: " + e.getMessage());
            }
        }
        String name = ctx.pathParam("name");
        switch (usb.attach(
                BearerAuth.user(ctx), owner(ctx), name, busId.value(), vidPid.toString(), usbipd.toString())) {
            case UsbService.Allowed a ->
                ctx.status(201)
                        .header(
                                "Location",
                                WorkspaceRoutes.BASE + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8)
                                        + "/usb/attachments/" + busId.value())
                        .json(view(a.attachment(), usb.tunnel(BearerAuth.user(ctx), owner(ctx), name)));
            case UsbService.Denied d -> throw ApiException.forbidden(d.reason());
        }
    }

    private void detach(Context ctx) {
        BusId busId = busId("busid", ctx.pathParam("busid"));
        usb.detach(BearerAuth.user(ctx), owner(ctx), ctx.pathParam("name"), busId.value());
        ctx.status(204);
    }

    private static BusId busId(String field, String raw) {
        if (raw == null || raw.isBlank())
            throw ApiException.badRequest(field, field + " is required, e.g. \"1-3\" (see 'hangar usb list')");
        try {
            return BusId.parse(raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field, field + ": " + e.getMessage());
        }
    }

    private static UsbAttachmentView view(UsbAttachment a, String tunnel) {
        return new UsbAttachmentView(a.busId(), a.vidPid(), a.usbipd(), a.actor(), a.since(), tunnel);
    }
}
