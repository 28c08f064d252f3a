package dev.hangar.api.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.api.AddSshKeyRequest;
import dev.hangar.api.CreateWorkspaceRequest;
import dev.hangar.api.EventView;
import dev.hangar.api.Json;
import dev.hangar.api.Problem;
import dev.hangar.api.ServerInfo;
import dev.hangar.api.SshHostCa;
import dev.hangar.api.SshKeyView;
import dev.hangar.api.TemplateView;
import dev.hangar.api.UserView;
import dev.hangar.api.WorkspaceView;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

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
 * <p>Thread-safe: all state is immutable and {@link HttpClient} is thread-safe. Close it to release
 * the HTTP client's selector thread.
 */
public final class HangarClient implements AutoCloseable {
    private static final String API = "/api/v1";

    private final ClientSettings settings;
    private final HttpClient http;

    /** Creates a client; no connection is made until the first call. */
    public HangarClient(ClientSettings settings) {
        this.settings = Objects.requireNonNull(settings);
        HttpClient.Builder b = HttpClient.newBuilder()
                // HTTP/1.1: no h2c upgrade dance on plain http, one simple request per call.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        if (settings.baseUrl().getScheme().equalsIgnoreCase("http")) b.sslContext(noTls());
        this.http = b.build();
    }

    /**
     * A client for a plain-http server never negotiates TLS (every request goes to the base URL
     * and redirects are not followed), yet {@link HttpClient} builds the default {@link SSLContext},
     * which parses the JDK's whole CA store: about 100 ms of CPU on every CLI start. This context
     * trusts nothing, so should TLS ever be attempted with it, the handshake fails.
     */
    private static SSLContext noTls() {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(new KeyManager[0], new TrustManager[0], null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a TLS context", e);
        }
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
            String path = API + "/workspaces" + query(q);
            HttpResponse<byte[]> r = exchange("GET", path, null);
            all.addAll(read("GET", path, r, listOf(WorkspaceView.class)));
            token = nextPageToken(r);
        } while (!token.isEmpty());
        return all;
    }

    /** @return the {@code continue} token of the {@code rel="next"} link, or "" on the last page */
    static String nextPageToken(HttpResponse<?> r) {
        for (String link : r.headers().allValues("Link")) {
            for (String part : link.split(",")) {
                if (!part.replace(" ", "").contains("rel=\"next\"")) continue;
                java.util.regex.Matcher m = NEXT_TOKEN.matcher(part);
                if (m.find()) return java.net.URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    private static final java.util.regex.Pattern NEXT_TOKEN = java.util.regex.Pattern.compile("[?&]continue=([^&>]+)");

    /**
     * {@code POST /workspaces} (201): records a new workspace; the server starts provisioning it.
     *
     * @throws ApiException 400 with {@code field} for a body the server cannot read (wrong JSON
     *     type), 422 with {@code field} for a bad name, unknown template (or none given and no
     *     default), size, image or user-data, 409 for a duplicate name
     */
    public WorkspaceView createWorkspace(CreateWorkspaceRequest request) {
        return send("POST", API + "/workspaces", request, type(WorkspaceView.class));
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
        return send("GET", workspacePath(name, "") + ownerQuery(owner), null, type(WorkspaceView.class));
    }

    /** {@code POST /workspaces/{name}/start} (202): asks for it to run. Idempotent. */
    public WorkspaceView startWorkspace(String name, String owner) {
        return send("POST", workspacePath(name, "/start") + ownerQuery(owner), null, type(WorkspaceView.class));
    }

    /** {@code POST /workspaces/{name}/stop} (202): asks for it to stop, keeping its disk. Idempotent. */
    public WorkspaceView stopWorkspace(String name, String owner) {
        return send("POST", workspacePath(name, "/stop") + ownerQuery(owner), null, type(WorkspaceView.class));
    }

    /** {@code POST /workspaces/{name}/restart} (202): asks for a stop then a start; 409 when stopped. */
    public WorkspaceView restartWorkspace(String name, String owner) {
        return send("POST", workspacePath(name, "/restart") + ownerQuery(owner), null, type(WorkspaceView.class));
    }

    /** {@code DELETE /workspaces/{name}} (202): asks for it and its disk to be removed. Idempotent. */
    public WorkspaceView deleteWorkspace(String name, String owner) {
        return send("DELETE", workspacePath(name, "") + ownerQuery(owner), null, type(WorkspaceView.class));
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
        return send("GET", workspacePath(name, "/events") + query(q), null, listOf(EventView.class));
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
        String path = workspacePath(name, "/console/log") + query(q);
        HttpResponse<byte[]> r = exchange("GET", path, null);
        if (r.statusCode() < 200 || r.statusCode() > 299) throw new ApiException(problemOf("GET", path, r));
        return new String(r.body(), StandardCharsets.UTF_8);
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
        String path = workspacePath(name, "/console") + ownerQuery(owner);
        String base = settings.baseUrl().toString();
        URI uri = URI.create(base.replaceFirst("^(?i)http", "ws") + path);
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(settings.connectTimeout());
        if (!settings.token().isEmpty()) b.header("Authorization", "Bearer " + settings.token());
        try {
            return b.buildAsync(uri, listener)
                    .get(
                            settings.connectTimeout()
                                    .plus(settings.requestTimeout())
                                    .toMillis(),
                            TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof WebSocketHandshakeException h) {
                HttpResponse<?> r = h.getResponse();
                byte[] body = r.body() instanceof String text ? text.getBytes(StandardCharsets.UTF_8) : new byte[0];
                throw new ApiException(problemOf(
                        "GET",
                        path,
                        r.statusCode(),
                        r.headers().firstValue("Content-Type").orElse(""),
                        body));
            }
            if (c instanceof HttpConnectTimeoutException)
                throw unreachable("no connection within " + seconds(settings.connectTimeout()), c);
            if (c instanceof ConnectException) throw unreachable("connection refused", c);
            throw unreachable(c == null || c.getMessage() == null ? String.valueOf(c) : firstLine(c.getMessage()), c);
        } catch (TimeoutException e) {
            throw unreachable(
                    "no WebSocket handshake within "
                            + seconds(settings.connectTimeout().plus(settings.requestTimeout())),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancellationException c =
                    new CancellationException("interrupted while attaching to the console of " + name);
            c.initCause(e);
            throw c;
        }
    }

    // ---- USB/IP ----------------------------------------------------------------------------

    /**
     * {@code POST /workspaces/{name}/usb/attachments} (201): asks the server's USB policy whether
     * the device may be forwarded into the workspace and records the attach (event {@code
     * usb-attach}; a refusal is recorded as {@code usb-denied}).
     *
     * @throws ApiException 403 naming the VID:PID and where to allow it; 400 with {@code field} for
     *     a malformed bus id, VID:PID or usbipd address; 404 for an unknown workspace
     */
    public dev.hangar.api.UsbAttachmentView attachUsb(
            String name, String owner, dev.hangar.api.UsbAttachRequest request) {
        return send(
                "POST",
                workspacePath(name, "/usb/attachments") + ownerQuery(owner),
                request,
                type(dev.hangar.api.UsbAttachmentView.class));
    }

    /**
     * {@code DELETE /workspaces/{name}/usb/attachments/{busid}} (204): records the detach (event
     * {@code usb-detach}). Idempotent: an unknown bus id is not an error.
     */
    public void detachUsb(String name, String owner, String busid) {
        send("DELETE", workspacePath(name, "/usb/attachments/" + segment(busid)) + ownerQuery(owner), null, null);
    }

    /** {@code GET /workspaces/{name}/usb/attachments}: devices attached now, oldest first. */
    public List<dev.hangar.api.UsbAttachmentView> usbAttachments(String name, String owner) {
        return send(
                "GET",
                workspacePath(name, "/usb/attachments") + ownerQuery(owner),
                null,
                listOf(dev.hangar.api.UsbAttachmentView.class));
    }

    // ---- templates -------------------------------------------------------------------------

    /** {@code GET /templates}: every template. */
    public List<TemplateView> templates() {
        return send("GET", API + "/templates", null, listOf(TemplateView.class));
    }

    /** {@code GET /templates/{name}}; 404 when unknown. */
    public TemplateView template(String name) {
        return send("GET", API + "/templates/" + segment(name), null, type(TemplateView.class));
    }

    // ---- images ----------------------------------------------------------------------------

    /** {@code GET /images}: catalog entries and cached images, by name. */
    public List<dev.hangar.api.ImageView> images() {
        return send("GET", API + "/images", null, listOf(dev.hangar.api.ImageView.class));
    }

    /**
     * {@code GET /images/{name}}: one image with its pull progress.
     *
     * @throws ApiException 404 when neither cached nor in the catalog
     */
    public dev.hangar.api.ImageView image(String name) {
        return send("GET", API + "/images/" + segment(name), null, type(dev.hangar.api.ImageView.class));
    }

    /**
     * {@code POST /images/pull} (202): starts, or joins, a background download of a catalog image;
     * poll {@link #image(String)} for progress. Idempotent; a cached image answers at once.
     *
     * @throws ApiException 404 for a name not in the catalog
     */
    public dev.hangar.api.ImageView pullImage(String name) {
        return send(
                "POST",
                API + "/images/pull",
                new dev.hangar.api.PullImageRequest(name),
                type(dev.hangar.api.ImageView.class));
    }

    /**
     * {@code POST /images/import} (201, admins only): copies a file or kernel-boot directory that is
     * on the SERVER host into the image cache.
     *
     * @throws ApiException 403 for non-admins, 409 when the name is cached, 422 for a missing or
     *     corrupt source
     */
    public dev.hangar.api.ImageView importImage(String path, String name) {
        return send(
                "POST",
                API + "/images/import",
                new dev.hangar.api.ImportImageRequest(path, name),
                type(dev.hangar.api.ImageView.class));
    }

    /**
     * {@code DELETE /images/{name}} (204, admins only): removes a cached image (a catalog entry can
     * be pulled again).
     *
     * @throws ApiException 403 for non-admins, 404 when the image is not cached, 409 while workspace
     *     disks still use it (the detail names them)
     */
    public void deleteImage(String name) {
        send("DELETE", API + "/images/" + segment(name), null, null);
    }

    // ---- users and keys --------------------------------------------------------------------

    /** {@code GET /users/me}: who the token belongs to; 401 for a bad token. */
    public UserView me() {
        return send("GET", API + "/users/me", null, type(UserView.class));
    }

    /** {@code GET /users/me/keys}: the caller's SSH public keys. */
    public List<SshKeyView> keys() {
        return send("GET", API + "/users/me/keys", null, listOf(SshKeyView.class));
    }

    /**
     * {@code POST /users/me/keys} (201): registers a public key.
     *
     * @throws ApiException 422 with {@code field} {@code key} for a missing, unparsable or weak key,
     *     400 for a body of the wrong shape (e.g. {@code key} not a string), 409 when already
     *     registered
     */
    public SshKeyView addKey(AddSshKeyRequest request) {
        return send("POST", API + "/users/me/keys", request, type(SshKeyView.class));
    }

    /**
     * {@code DELETE /users/me/keys?fingerprint=} (204): removes a key.
     *
     * @param fingerprint OpenSSH form, {@code SHA256:...}
     */
    public void removeKey(String fingerprint) {
        send("DELETE", API + "/users/me/keys" + query(Map.of("fingerprint", fingerprint)), null, null);
    }

    // ---- server ----------------------------------------------------------------------------

    /** {@code GET /info}: server version and SSH gateway address. */
    public ServerInfo info() {
        return send("GET", API + "/info", null, type(ServerInfo.class));
    }

    /**
     * {@code GET /ssh/host-ca}: the public key of the CA that signs every workspace's SSH host key.
     *
     * @throws ApiException 404 from a server older than host certificates
     */
    public SshHostCa sshHostCa() {
        return send("GET", API + "/ssh/host-ca", null, type(SshHostCa.class));
    }

    /**
     * {@code GET /readyz} (no auth).
     *
     * @return true for 200, false for any other status (e.g. 503 while starting)
     * @throws ServerUnreachableException when nothing answers
     */
    public boolean ready() {
        HttpResponse<byte[]> r = exchange("GET", "/readyz", null);
        return r.statusCode() == 200;
    }

    @Override
    public void close() {
        http.close();
    }

    // ---- plumbing --------------------------------------------------------------------------

    private <T> T send(String method, String path, Object body, ObjectReader reader) {
        return read(method, path, exchange(method, path, body), reader);
    }

    private <T> T read(String method, String path, HttpResponse<byte[]> r, ObjectReader reader) {
        int status = r.statusCode();
        if (status < 200 || status > 299) throw new ApiException(problemOf(method, path, r));
        if (reader == null) return null;
        try {
            return reader.readValue(r.body());
        } catch (IOException e) {
            throw new IllegalStateException(
                    "the server at " + settings.baseUrl() + " sent an unreadable answer to " + method + " " + path
                            + ": " + firstLine(e.getMessage()),
                    e);
        }
    }

    private HttpResponse<byte[]> exchange(String method, String path, Object body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(settings.baseUrl() + path))
                .timeout(settings.requestTimeout())
                .header("Accept", "application/json, application/problem+json");
        if (!settings.token().isEmpty()) b.header("Authorization", "Bearer " + settings.token());
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofByteArray(json(body)));
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpConnectTimeoutException e) {
            throw unreachable("no connection within " + seconds(settings.connectTimeout()), e);
        } catch (HttpTimeoutException e) {
            throw unreachable("no answer within " + seconds(settings.requestTimeout()), e);
        } catch (ConnectException e) {
            throw unreachable("connection refused", e);
        } catch (IOException e) {
            throw unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : firstLine(e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancellationException c = new CancellationException("interrupted during " + method + " " + path);
            c.initCause(e);
            throw c;
        }
    }

    private ServerUnreachableException unreachable(String why, Throwable cause) {
        return new ServerUnreachableException(settings.baseUrl(), why, cause);
    }

    /** Serialises a request body, leaving out null fields (they mean "use the default"). */
    private static byte[] json(Object body) {
        ObjectNode node = Json.mapper().valueToTree(body);
        node.properties().removeIf(e -> e.getValue().isNull());
        try {
            return Json.mapper().writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot serialise " + body.getClass().getSimpleName(), e);
        }
    }

    private Problem problemOf(String method, String path, HttpResponse<byte[]> r) {
        return problemOf(
                method,
                path,
                r.statusCode(),
                r.headers().firstValue("Content-Type").orElse(""),
                r.body());
    }

    private Problem problemOf(String method, String path, int status, String contentType, byte[] body) {
        if (contentType.contains("json") && body.length > 0) {
            try {
                Problem p = type(Problem.class).readValue(body);
                if (p != null) {
                    String detail = nonEmpty(p.detail(), nonEmpty(p.title(), "HTTP " + status));
                    return new Problem(
                            nonEmpty(p.type(), "about:blank"),
                            nonEmpty(p.title(), ""),
                            status,
                            detail,
                            nonEmpty(p.instance(), path),
                            nonEmpty(p.field(), ""));
                }
            } catch (IOException e) {
                // Not a problem document after all: fall through to a synthesised one.
            }
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        String snippet = text.isEmpty() ? "" : ": " + firstLine(text.length() > 200 ? text.substring(0, 200) : text);
        return new Problem(
                "about:blank",
                "HTTP " + status,
                status,
                "HTTP " + status + " from " + method + " " + settings.baseUrl() + path + snippet,
                path,
                "");
    }

    private static ObjectReader type(Class<?> c) {
        return Json.mapper().readerFor(c).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    private static ObjectReader listOf(Class<?> c) {
        JavaType t = Json.mapper().getTypeFactory().constructCollectionType(List.class, c);
        return Json.mapper().readerFor(t).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    private static String workspacePath(String name, String suffix) {
        return API + "/workspaces/" + segment(name) + suffix;
    }

    private static String ownerQuery(String owner) {
        return query(Map.of("owner", owner));
    }

    /** @return {@code ?k=v&...} for the non-empty values, percent-encoded; empty when none */
    private static String query(Map<String, String> params) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (e.getValue() == null || e.getValue().isEmpty()) continue;
            sb.append(sb.isEmpty() ? '?' : '&')
                    .append(e.getKey())
                    .append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    /** Percent-encodes one path segment (RFC 3986: a space is %20, never '+'). */
    static String segment(String s) {
        if (s.isEmpty()) throw new IllegalArgumentException("a name must not be empty");
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String nonEmpty(String s, String fallback) {
        return s == null || s.isEmpty() ? fallback : s;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    private static String seconds(java.time.Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
