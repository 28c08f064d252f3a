package dev.hangar.api.client;

import static dev.hangar.api.client.ApiPaths.ownerQuery;
import static dev.hangar.api.client.ApiPaths.segment;
import static dev.hangar.api.client.ApiPaths.workspacePath;

import dev.hangar.api.UsbAttachRequest;
import dev.hangar.api.UsbAttachmentView;
import java.util.List;

/**
 * USB/IP attachments of a workspace ({@code /api/v1/workspaces/{name}/usb/attachments}): the server's
 * USB policy decides and records; the device itself travels over the user's SSH session. An empty
 * {@code owner} means the caller's own workspace. Same errors as {@link HangarClient}. Thread-safe;
 * shares its {@link HangarClient}'s transport and lives as long as that client.
 */
public final class UsbClient {
    private final ApiTransport transport;

    UsbClient(ApiTransport transport) {
        this.transport = transport;
    }

    /**
     * {@code POST /workspaces/{name}/usb/attachments} (201): asks the server's USB policy whether
     * the device may be forwarded into the workspace and records the attach (event {@code
     * usb-attach}; a refusal is recorded as {@code usb-denied}).
     *
     * @throws ApiException 403 naming the VID:PID and where to allow it; 400 with {@code field} for
     *     a malformed bus id, VID:PID or usbipd address; 404 for an unknown workspace
     */
    public UsbAttachmentView attach(String name, String owner, UsbAttachRequest request) {
        return transport.send(
                "POST", workspacePath(name, "/usb/attachments") + ownerQuery(owner), request, UsbAttachmentView.class);
    }

    /**
     * {@code DELETE /workspaces/{name}/usb/attachments/{busid}} (204): records the detach (event
     * {@code usb-detach}). Idempotent: an unknown bus id is not an error.
     */
    public void detach(String name, String owner, String busid) {
        transport.sendIgnoringBody(
                "DELETE", workspacePath(name, "/usb/attachments/" + segment(busid)) + ownerQuery(owner));
    }

    /** {@code GET /workspaces/{name}/usb/attachments}: devices attached now, oldest first. */
    public List<UsbAttachmentView> attachments(String name, String owner) {
        return transport.sendForList(
                "GET", workspacePath(name, "/usb/attachments") + ownerQuery(owner), null, UsbAttachmentView.class);
    }
}
