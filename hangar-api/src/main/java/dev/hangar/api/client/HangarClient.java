package dev.hangar.api.client;

import static dev.hangar.api.client.ApiPaths.API;
import static dev.hangar.api.client.ApiPaths.ownerQuery;
import static dev.hangar.api.client.ApiPaths.query;
import static dev.hangar.api.client.ApiPaths.segment;
import static dev.hangar.api.client.ApiPaths.workspacePath;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.api.AddSshKeyRequest;
import dev.hangar.api.CreateWorkspaceRequest;
import dev.hangar.api.DevcontainerUploadView;
import dev.hangar.api.EventView;
import dev.hangar.api.Json;
import dev.hangar.api.ServerInfo;
import dev.hangar.api.SshHostCa;
import dev.hangar.api.SshKeyView;
import dev.hangar.api.TemplateView;
import dev.hangar.api.UserView;
import dev.hangar.api.WorkspaceChangeWait;
import dev.hangar.api.WorkspaceView;
import java.net.URLEncoder;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Typed client of Hangar's REST API version 1 ({@code /api/v1}): one method per route, records
 * in and out, JSON through {@link Json#mapper()}.
 *
 * <p>Errors: a non-2xx answer throws {@link ApiException} carrying the server's RFC 9457 problem
 * (status, detail, field); no answer at all (refused, timeout, connection dropped) throws {@link
 * ServerUnreachableException} naming the URL. Names and query values are percent-encoded, so any
 * string is safe to pass.
 *
 * <p>Responses are read tolerating unknown fields, so an older client keeps working against a
 * newer server that adds fields (requests, in contrast, are checked strictly by the server).
 *
 * <p>The HTTP exchange itself (request building, the bearer token, JSON both ways, problem
 * decoding) is {@link ApiTransport}'s job, paths and queries {@link ApiPaths}'; this class maps each
 * route to a method, and hands groups of routes to the clients it returns ({@link #admin()}, {@link
 * #usb()}, ...).
 *
 * <p>Thread-safe: all state is immutable and {@link java.net.http.HttpClient} is thread-safe.
 * Close it to release the HTTP client's selector thread.
 */
public final class HangarClient implements AutoCloseable {
    private final ClientSettings settings;
    private final ApiTransport transport;
    private final AdminClient admin;
    private final LabClient labs;
    private final SecretClient secrets;
    private final OidcClient oidc;
    private final ImageClient images;
    private final UsbClient usb;

    /** Creates a client; no connection is made until the first call. */
    public HangarClient(ClientSettings settings) {
        this.settings = Objects.requireNonNull(settings);
        this.transport = new ApiTransport(settings);
        this.admin = new AdminClient(transport);
        this.labs = new LabClient(transport);
        this.secrets = new SecretClient(transport);
        this.oidc = new OidcClient(transport);
        this.images = new ImageClient(transport);
        this.usb = new UsbClient(transport);
    }

    /** @return the settings this client was built with */
    public ClientSettings settings() {
        return settings;
    }

    // ---- workspaces ------------------------------------------------------------------------

    /**
     * {@code GET /workspaces}: every workspace the caller may see that matches {@code filter}, in
     * (owner, name) order. Follows the server's pages ({@code Link: <...>; rel="next"}, RFC 8288)
     * until the last one, so the result is complete however many workspaces there are.
     */
    public List<WorkspaceView> listWorkspaces(WorkspaceFilter filter) {
        return listWorkspaces(filter, 0);
    }

    /**
     * As {@link #listWorkspaces(WorkspaceFilter)}, asking for pages of {@code pageSize} rows.
     *
     * @param pageSize rows per request, 1 to 1000; 0 for the server's default (500)
     */
    public List<WorkspaceView> listWorkspaces(WorkspaceFilter filter, int pageSize) {
        if (pageSize < 0 || pageSize > 1000)
            throw new IllegalArgumentException("pageSize must be 0 (server default) or 1..1000, got " + pageSize);
        List<WorkspaceView> all = new java.util.ArrayList<>();
        String token = "";
        do {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("owner", filter.owner());
            q.put("phase", filter.phase());
            q.put("template", filter.template());
            q.put("provider", filter.provider());
            q.put("limit", pageSize == 0 ? "" : Integer.toString(pageSize));
            q.put("continue", token);
            ApiTransport.Page<WorkspaceView> page =
                    transport.getPage(API + "/workspaces" + query(q), WorkspaceView.class);
            all.addAll(page.items());
            token = page.nextToken();
        } while (!token.isEmpty());
        return all;
    }

    /**
     * {@code POST /devcontainer-uploads?name=NAME} (201): sends a folder as a tar archive; the server
     * unpacks it into a new folder of its own.
     *
     * @param tar the folder's content as a tar archive (names relative to the folder)
     * @param name the folder's base name
     * @return where the server unpacked it (name it as {@code devcontainer} in {@link #createWorkspace})
     * @throws ApiException 413 for a too large archive, 422 naming {@code archive} for what the
     *     server refuses (entries leaving the folder, links pointing out, no devcontainer.json)
     */
    public DevcontainerUploadView uploadDevcontainer(byte[] tar, String name) {
        return transport.sendBytes(
                "POST",
                "/api/v1/devcontainer-uploads?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8),
                tar,
                "application/x-tar",
                DevcontainerUploadView.class);
    }

    /**
     * {@code POST /workspaces} (201): records a new workspace; the server starts provisioning it.
     *
     * @throws ApiException 400 with {@code field} for a body the server cannot read (wrong JSON
     *     type), 422 with {@code field} for a bad name, unknown template (or none given and no
     *     default), size, image or user-data, 409 for a duplicate name
     */
    public WorkspaceView createWorkspace(CreateWorkspaceRequest request) {
        return transport.send("POST", API + "/workspaces", request, WorkspaceView.class);
    }

    /**
     * {@code POST /workspaces?dryRun=All}: validates {@code request} exactly as {@link
     * #createWorkspace} and returns the Kubernetes objects the template's provider would create,
     * creating nothing (client-side dry run: the server sends no request to the cluster). Secret
     * values in them are {@code <redacted>}.
     *
     * @return a Kubernetes {@code v1} {@code List}: {@code apiVersion}, {@code kind}, {@code items}
     * @throws ApiException 422 for a rejected value or a template whose provider does not run
     *     Kubernetes objects, 409 for a name in use, 503 when the template's provider is not enabled
     */
    public JsonNode createWorkspaceDryRun(CreateWorkspaceRequest request) {
        return transport.send("POST", API + "/workspaces?dryRun=All", request, JsonNode.class);
    }

    /** {@code GET /workspaces/{name}}: the caller's workspace; 404 when it does not exist. */
    public WorkspaceView workspace(String name) {
        return workspace(name, "");
    }

    /**
     * {@code GET /workspaces/{name}?owner=}: another user's workspace (admins).
     *
     * @param owner the owner's user name; empty for the caller
     */
    public WorkspaceView workspace(String name, String owner) {
        return transport.send("GET", workspacePath(name, "") + ownerQuery(owner), null, WorkspaceView.class);
    }

    /**
     * {@code GET /workspaces/{name}?changedFrom=&waitSeconds=&owner=}: the workspace once its version
     * is no longer {@code version}, or as it is when {@code wait} passed; the server holds the request
     * meanwhile (a waiting request instead of polls: {@code --wait} learns of a change within about
     * 20 ms of the write). A server from before 2026-12-05 ignores both parameters and answers at once.
     *
     * @param owner the owner's user name; empty for the caller
     * @param version the version seen last ({@link WorkspaceView#version()})
     * @param wait how long the server may hold the request ({@link WorkspaceChangeWait#seconds}: whole
     *     seconds, rounded up, clamped to its limits); it must stay under this client's request timeout
     * @throws ApiException 404 when the workspace is gone (also when it goes while the request waits)
     */
    public WorkspaceView workspaceChange(String name, String owner, long version, Duration wait) {
        long seconds = WorkspaceChangeWait.seconds(wait);
        Map<String, String> q = new LinkedHashMap<>();
        q.put("changedFrom", Long.toString(version));
        q.put("waitSeconds", Long.toString(seconds));
        q.put("owner", owner);
        return transport.send("GET", workspacePath(name, "") + query(q), null, WorkspaceView.class);
    }

    /**
     * {@code POST /workspaces/{name}/activity} (200): keeps the workspace from being auto-stopped
     * for {@code forDuration} (e.g. {@code 3h}) and counts as activity now ({@code hangar
     * keepalive}). Renewing is fine; a lease never shortens an earlier, longer one.
     *
     * @param owner the owner's user name; empty for the caller
     * @throws ApiException 422 with field {@code for} for a malformed duration or one longer than
     *     the server's {@code autostop.max-lease}; 404 for an unknown workspace
     */
    public dev.hangar.api.ActivityView keepalive(String name, String owner, String forDuration) {
        return transport.send(
                "POST",
                workspacePath(name, "/activity") + ownerQuery(owner),
                new dev.hangar.api.ActivityRequest(forDuration),
                dev.hangar.api.ActivityView.class);
    }

    /** {@code POST /workspaces/{name}/start} (202): asks for it to run. Idempotent. */
    public WorkspaceView startWorkspace(String name, String owner) {
        return transport.send("POST", workspacePath(name, "/start") + ownerQuery(owner), null, WorkspaceView.class);
    }

    /** {@code POST /workspaces/{name}/stop} (202): asks for it to stop, keeping its disk. Idempotent. */
    public WorkspaceView stopWorkspace(String name, String owner) {
        return transport.send("POST", workspacePath(name, "/stop") + ownerQuery(owner), null, WorkspaceView.class);
    }

    /**
     * {@code POST /workspaces/{name}/stop} with {@code {"suspend": true}} (202): asks for its memory and
     * device state to be saved beside its disk, resumed by the next start. Idempotent.
     *
     * @throws dev.hangar.api.client.ApiException 422 when its kind cannot suspend (the message names the
     *     kinds that can)
     */
    public WorkspaceView suspendWorkspace(String name, String owner) {
        return transport.send(
                "POST",
                workspacePath(name, "/stop") + ownerQuery(owner),
                new dev.hangar.api.StopRequest(true),
                WorkspaceView.class);
    }

    /** {@code POST /workspaces/{name}/restart} (202): asks for a stop then a start; 409 when stopped. */
    public WorkspaceView restartWorkspace(String name, String owner) {
        return transport.send("POST", workspacePath(name, "/restart") + ownerQuery(owner), null, WorkspaceView.class);
    }

    /**
     * {@code POST /workspaces/{name}/reset} (202): asks for the workspace to be put back to a fresh
     * disk from its base image (destroys the disk's changes). Each call asks for one more reset.
     *
     * @throws ApiException 409 when its provider kind cannot reset or it is being deleted, 404 when
     *     unknown or not visible
     */
    public dev.hangar.api.ResetView resetWorkspace(String name, String owner) {
        return transport.send(
                "POST", workspacePath(name, "/reset") + ownerQuery(owner), null, dev.hangar.api.ResetView.class);
    }

    /** {@code DELETE /workspaces/{name}} (202): asks for it and its disk to be removed. Idempotent. */
    public WorkspaceView deleteWorkspace(String name, String owner) {
        return transport.send("DELETE", workspacePath(name, "") + ownerQuery(owner), null, WorkspaceView.class);
    }

    /**
     * {@code GET /workspaces/{name}/events?limit=}: the newest {@code limit} events, oldest first.
     *
     * @param limit at least 1
     */
    public List<EventView> events(String name, String owner, int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        Map<String, String> q = new LinkedHashMap<>();
        q.put("owner", owner);
        q.put("limit", Integer.toString(limit));
        return transport.sendForList("GET", workspacePath(name, "/events") + query(q), null, EventView.class);
    }

    /**
     * {@code GET /workspaces/{name}/console/log?lines=}: the end of the serial console log as text
     * (also while the workspace is stopped or failed).
     *
     * @param lines at most this many lines, the last ones; 1..10000
     * @return the lines, each ending in a newline; empty when nothing was logged
     * @throws ApiException 404 for an unknown workspace, 409 when its provider has no console
     */
    public String consoleLog(String name, String owner, int lines) {
        if (lines < 1) throw new IllegalArgumentException("lines must be at least 1, got " + lines);
        Map<String, String> q = new LinkedHashMap<>();
        q.put("owner", owner);
        q.put("lines", Integer.toString(lines));
        return transport.getText(workspacePath(name, "/console/log") + query(q));
    }

    /**
     * Attaches to the workspace's serial console: opens the WebSocket {@code
     * /workspaces/{name}/console} with this client's token and waits for the opening handshake
     * (at most the connect plus the request timeout). Bytes then flow as described in the OpenAPI
     * document: send binary messages to type, receive the guest's output as binary messages; the
     * server closes with 1013 when another client is attached, 4409 when the VM is not running.
     *
     * @param listener receives the guest's output and the close; called on the HTTP client's threads
     * @return the open WebSocket; close it with {@link WebSocket#sendClose} to detach
     * @throws ApiException for a refused upgrade (401, 403, 404, 409 with problem type {@code
     *     no-console} or {@code not-running}: no VM runs, the detail names phase and reason), with
     *     the server's problem
     * @throws ServerUnreachableException when nothing answers
     */
    public WebSocket attachConsole(String name, String owner, WebSocket.Listener listener) {
        return transport
                .streams()
                .openWebSocket(
                        workspacePath(name, "/console") + ownerQuery(owner),
                        listener,
                        "attaching to the console of " + name);
    }

    /** @return the workspaces' USB/IP attachments ({@code /workspaces/{name}/usb/attachments}) */
    public UsbClient usb() {
        return usb;
    }

    // ---- templates -------------------------------------------------------------------------

    /** {@code GET /templates}: every template. */
    public List<TemplateView> templates() {
        return transport.sendForList("GET", API + "/templates", null, TemplateView.class);
    }

    /** {@code GET /templates/{name}}; 404 when unknown. */
    public TemplateView template(String name) {
        return transport.send("GET", API + "/templates/" + segment(name), null, TemplateView.class);
    }

    // ---- users and keys --------------------------------------------------------------------

    /** {@code GET /users/me}: who the token belongs to; 401 for a bad token. */
    public UserView me() {
        return transport.send("GET", API + "/users/me", null, UserView.class);
    }

    /** {@code GET /users/me/keys}: the caller's SSH public keys. */
    public List<SshKeyView> keys() {
        return transport.sendForList("GET", API + "/users/me/keys", null, SshKeyView.class);
    }

    /**
     * {@code POST /users/me/keys} (201): registers a public key.
     *
     * @throws ApiException 422 with {@code field} {@code key} for a missing, unparsable or weak key,
     *     400 for a body of the wrong shape (e.g. {@code key} not a string), 409 when already
     *     registered
     */
    public SshKeyView addKey(AddSshKeyRequest request) {
        return transport.send("POST", API + "/users/me/keys", request, SshKeyView.class);
    }

    /**
     * {@code DELETE /users/me/keys?fingerprint=} (204): removes a key.
     *
     * @param fingerprint OpenSSH form, {@code SHA256:...}
     */
    public void removeKey(String fingerprint) {
        transport.sendIgnoringBody("DELETE", API + "/users/me/keys" + query(Map.of("fingerprint", fingerprint)));
    }

    /** @return the facet for OIDC sign-in ({@code /auth/oidc*}, no token needed), sharing this client's transport */
    public OidcClient oidc() {
        return oidc;
    }

    /** @return the facet for the server's OS images, sharing this client's transport */
    public ImageClient images() {
        return images;
    }

    /** @return the facet for the caller's secrets, sharing this client's transport */
    public SecretClient secrets() {
        return secrets;
    }

    // ---- administration --------------------------------------------------------------------

    /**
     * @return the facet for users, API tokens and the audit log, sharing this client's transport
     *     (closing this client closes it too)
     */
    public AdminClient admin() {
        return admin;
    }

    /** @return the facet for labs ({@code /labs}), sharing this client's transport */
    public LabClient labs() {
        return labs;
    }

    // ---- server ----------------------------------------------------------------------------

    /** {@code GET /info}: server version and SSH gateway address. */
    public ServerInfo info() {
        return transport.send("GET", API + "/info", null, ServerInfo.class);
    }

    /**
     * {@code GET /ssh/host-ca}: the public key of the CA that signs every workspace's SSH host key.
     *
     * @throws ApiException 404 from a server older than host certificates
     */
    public SshHostCa sshHostCa() {
        return transport.send("GET", API + "/ssh/host-ca", null, SshHostCa.class);
    }

    /**
     * {@code GET /readyz} (no auth).
     *
     * @return true for 200, false for any other status (e.g. 503 while starting)
     * @throws ServerUnreachableException when nothing answers
     */
    public boolean ready() {
        return transport.getStatus("/readyz") == 200;
    }

    /** Closes the HTTP client, releasing its selector thread. Idempotent. */
    @Override
    public void close() {
        transport.close();
    }
}
