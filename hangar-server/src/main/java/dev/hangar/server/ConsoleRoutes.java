package dev.hangar.server;

import static dev.hangar.server.QueryParams.owner;

import dev.hangar.core.audit.AuditEntry;
import dev.hangar.core.audit.AuditLog;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.service.ConsoleService;
import dev.hangar.core.service.ConsoleService.Target;
import dev.hangar.core.service.UserService;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.WorkspaceTerminal;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.websocket.WsBinaryMessageContext;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import io.javalin.websocket.WsMessageContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/workspaces/{name}/console}: the workspace's console over a WebSocket (RFC 6455):
 * its serial console, or for kinds without one (Pods) a shell through the provider's terminal; and
 * {@code .../console/log}: the end of its serial log as text.
 *
 * <p><b>Access.</b> HTTP plumbing only; the decisions are {@link ConsoleService}'s. The same bearer
 * token as every API call (checked before the upgrade, so a bad request gets an ordinary
 * problem+json answer instead of a 101): the owner, or an admin with {@code ?owner=}; a non-admin
 * naming another owner gets 403, an unknown workspace 404, a workspace whose provider has no
 * console and no terminal ({@link dev.hangar.provider.spi.WorkspaceProvider#console} and {@code
 * terminal} empty) 409 with kind {@code no-console}, a workspace without a running VM (phase other
 * than Starting, Running, Stopping; for a terminal, other than Running) 409 with kind {@code
 * not-running} and its phase and reason in the detail.
 *
 * <p><b>Bridge.</b> After the upgrade the server connects to the provider's unix socket ({@link
 * dev.hangar.provider.spi.ConsoleEndpoint}) or opens a shell ({@link
 * dev.hangar.provider.spi.WorkspaceTerminal}, sized by the {@code columns} and {@code rows} query
 * parameters) and relays bytes unchanged ({@link ConsoleLink}): every binary (or text, as UTF-8)
 * message from the client is written to the workspace, except a text resize message ({@link
 * ConsoleResize}), which resizes a shell's TTY and is dropped for a serial console; whatever the
 * workspace writes is sent as binary messages of at most {@value #CHUNK} bytes. No terminal
 * emulation, no line discipline: the client's terminal does that.
 *
 * <p><b>One client per console.</b> QEMU's socket chardev serves one connection at a time and
 * leaves a second one silently waiting in the backlog, so the server allows one WebSocket per
 * workspace: a second client is closed at once with {@value #BUSY} ("Try Again Later") and a reason
 * that names who is attached. Close codes the server sends:
 *
 * <table>
 *   <caption>close codes</caption>
 *   <tr><th>code</th><th>when</th></tr>
 *   <tr><td>1000</td><td>the console socket closed (the VM stopped or restarted), or the shell exited</td></tr>
 *   <tr><td>{@value #BUSY}</td><td>another client is attached ({@code console busy: ...})</td></tr>
 *   <tr><td>{@value #NOT_RUNNING}</td><td>the console socket cannot be reached (the VM is not
 *       running), or the shell cannot start for a reason that may pass (e.g. no running pod)</td></tr>
 *   <tr><td>1011</td><td>an I/O error on the console socket, or the shell cannot start for good (e.g.
 *       the provider lacks the permission)</td></tr>
 * </table>
 *
 * <p><b>The dashboard's console</b> ({@link #registerBrowser}, {@value #BROWSER_PATH}) is the same
 * bridge behind the dashboard's session cookie and a required same-origin {@code Origin} instead of
 * the bearer token: browsers cannot send an {@code Authorization} header on a WebSocket.
 *
 * <p>Each attach records a {@code console-attach} event (who, from where) and each detach a {@code
 * console-detach} event (duration and bytes both ways), through {@link ConsoleService}. Thread-safe.
 */
final class ConsoleRoutes {
    /** Close code for "another client is attached" (RFC 6455 section 7.4.1, 1013 Try Again Later). */
    static final int BUSY = 1013;
    /** Close code (private range 4000-4999) for "the console socket is not there": the VM is not running. */
    static final int NOT_RUNNING = 4409;

    /** The dashboard's console WebSocket ({@link #registerBrowser}). */
    static final String BROWSER_PATH = "/ui/workspaces/{owner}/{name}/console/ws";

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleRoutes.class);
    private static final String TARGET = "hangar.console.target";
    private static final int CHUNK = 4096;
    private static final int DEFAULT_LOG_LINES = 100;
    /** Largest {@code lines} of the log route. */
    private static final int MAX_LOG_LINES = 10_000;
    /** RFC 6455 section 5.5: a close frame's reason fits in 123 bytes of UTF-8. */
    private static final int MAX_REASON_BYTES = 123;

    private static final Duration PING_INTERVAL = Duration.ofSeconds(30);
    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    /** One attached client. */
    private record Attachment(
            String sessionId,
            Target target,
            ConsoleLink link,
            Instant since,
            AtomicLong toGuest,
            AtomicLong fromGuest) {}

    private final BearerAuth auth;
    private final AuditLog audit;
    private final dev.hangar.core.audit.AuditQueue failedAuth;
    private final ConsoleService consoles;
    /** Workspace id to its attached client. */
    private final ConcurrentHashMap<String, Attachment> attached = new ConcurrentHashMap<>();

    /** Told a workspace id when a client attaches or detaches (idle auto-stop counts it as use). */
    private final java.util.function.Consumer<String> onActivity;

    /** @param onActivity told a workspace id at each attach and detach; must not block */
    ConsoleRoutes(
            UserService users,
            AuditLog audit,
            dev.hangar.core.audit.AuditQueue failedAuth,
            ConsoleService consoles,
            java.util.function.Consumer<String> onActivity) {
        this.auth = new BearerAuth(users, java.util.Set.of());
        this.audit = audit;
        this.failedAuth = failedAuth;
        this.consoles = consoles;
        this.onActivity = onActivity;
    }

    /** @return whether a client is attached to the workspace's console now (idle auto-stop asks) */
    boolean attached(String workspaceId) {
        return attached.containsKey(workspaceId);
    }

    void register(RoutesConfig r) {
        String path = WorkspaceRoutes.BASE + "/{name}/console";
        r.get(path + "/log", this::log);
        r.wsBeforeUpgrade(path, ctx -> beforeUpgrade(ctx, () -> resolve(ctx, authorize(ctx), owner(ctx))));
        r.ws(path, this::bridge);
    }

    /** @return the console service (the dashboard's console page asks it whether a console is there) */
    ConsoleService consoles() {
        return consoles;
    }

    /**
     * Registers {@value #BROWSER_PATH}: the same console and bridge for the dashboard's console page,
     * authenticated by the dashboard's session instead of a bearer token (a browser cannot send an
     * {@code Authorization} header on a WebSocket). {@code browserUser} decides who that is and must
     * refuse (empty) a handshake whose {@code Origin} is not this server's own, which stops
     * cross-site WebSocket hijacking; a refusal is a 401 before the upgrade. Everything after that
     * (whose workspace, auditors, busy, not running) is as on the API route.
     */
    void registerBrowser(RoutesConfig r, java.util.function.Function<Context, Optional<User>> browserUser) {
        r.wsBeforeUpgrade(
                BROWSER_PATH,
                ctx -> beforeUpgrade(ctx, () -> {
                    User u = browserUser
                            .apply(ctx)
                            .orElseThrow(
                                    () -> ApiException.unauthorized(
                                            "sign in to the dashboard (a session cookie and this server's own Origin are required)"));
                    ctx.attribute(BearerAuth.USER, u);
                    return resolve(ctx, u, ctx.pathParam("owner"));
                }));
        r.ws(BROWSER_PATH, this::bridge);
    }

    private void bridge(io.javalin.websocket.WsConfig ws) {
        ws.onConnect(this::connect);
        ws.onBinaryMessage(this::fromClient);
        ws.onMessage(this::fromClient);
        ws.onClose(ctx -> detach(ctx, "closed by the client"));
        ws.onError(ctx -> detach(ctx, "error: " + ctx.error()));
    }

    /** {@code GET .../console/log?lines=N}: the last N lines (default 100) as text/plain; empty when there is no log. */
    private void log(Context ctx) {
        int lines = lines(ctx.queryParam("lines"));
        User u = authorize(ctx);
        var tail = consoles.log(u, owner(ctx), ctx.pathParam("name"), lines);
        ctx.contentType("text/plain; charset=utf-8").result(tail.isEmpty() ? "" : String.join("\n", tail) + "\n");
    }

    /**
     * Runs the checks before the 101. Javalin 7.2 maps an exception thrown here to a status but
     * never writes the body of a refused upgrade, so the problem document is written here and the
     * upgrade skipped.
     */
    private void beforeUpgrade(Context ctx, java.util.function.Supplier<Target> resolve) throws IOException {
        try {
            ctx.attribute(TARGET, resolve.get());
        } catch (RuntimeException e) {
            ProblemMapper.handle(e, ctx);
            auditRefusal(ctx);
            byte[] body = ctx.resultInputStream().readAllBytes();
            ctx.res().setContentLength(body.length);
            ctx.res().getOutputStream().write(body);
            ctx.res().flushBuffer();
            ctx.skipRemainingHandlers();
        }
    }

    /** Audits a refused upgrade: {@code auth.failed} for a 401, else {@code console.open} with the status. */
    private void auditRefusal(Context ctx) {
        int status = ctx.status().getCode();
        String source = HttpAudit.source(ctx);
        if (status == 401) {
            String token = Optional.ofNullable(ctx.<String>attribute(HttpAudit.FAILED_TOKEN))
                    .orElse("");
            // off the request path, as HttpAudit does for the API's 401s
            failedAuth.offer(AuditEntry.ANONYMOUS, "auth.failed", token, source, "401");
            return;
        }
        Optional<User> u = Optional.ofNullable(ctx.<User>attribute(BearerAuth.USER));
        String actor = u.map(User::name).orElse(AuditEntry.ANONYMOUS);
        String given = ctx.pathParamMap().containsKey("owner") ? ctx.pathParam("owner") : owner(ctx);
        String owner = given.isEmpty() ? u.map(User::name).orElse("") : given;
        audit.record(actor, "console.open", owner + "/" + ctx.pathParam("name"), source, Integer.toString(status));
    }

    /** Audits a console session's open ({@code ok}, {@code denied} when busy, {@code error}) or close. */
    private void auditSession(WsContext ctx, Target t, String action, String outcome) {
        Workspace w = t.workspace();
        audit.record(
                t.user().name(),
                action,
                w.owner() + "/" + w.name(),
                ctx.session.getRemoteSocketAddress() instanceof java.net.InetSocketAddress i && i.getAddress() != null
                        ? i.getAddress().getHostAddress()
                        : "",
                outcome);
    }

    /**
     * The token, shared by both routes. Whose workspace it may be is {@link ConsoleService}'s rule
     * (through {@code WorkspaceService.get}): another user's workspace is "not found" (404), never
     * "forbidden", so names cannot be probed.
     */
    private User authorize(Context ctx) {
        auth.handle(ctx);
        return BearerAuth.user(ctx);
    }

    private Target resolve(Context ctx, User u, String owner) {
        // Typing into a console changes the workspace; auditors read (the log) and change nothing.
        if (u.role() == dev.hangar.core.domain.Role.AUDITOR)
            throw ApiException.forbidden("auditors may read the console log but not attach to the console");
        // Refused here, before the upgrade, so the client never prints "Connected" for a console that is not there.
        return consoles.requireSocket(consoles.attach(u, owner, ctx.pathParam("name")));
    }

    private void connect(WsConnectContext ctx) {
        Target t = ctx.attribute(TARGET);
        if (t == null) {
            // Not reachable through the router (the pre-upgrade handler always sets it); fail closed.
            ctx.closeSession(1011, "console target not resolved");
            return;
        }
        Workspace w = t.workspace();
        Attachment current = attached.get(w.id());
        if (current != null) {
            auditSession(ctx, t, "console.open", AuditEntry.DENIED);
            ctx.closeSession(
                    BUSY,
                    reason("console busy: " + current.target().user().name() + " is attached since " + current.since()
                            + "; the serial console takes one client at a time"));
            return;
        }
        ConsoleLink link;
        try {
            link = ConsoleLink.open(
                    t.access(), ConsoleResize.initial(ctx.queryParam("columns"), ctx.queryParam("rows")));
        } catch (IOException e) {
            auditSession(ctx, t, "console.open", AuditEntry.ERROR);
            ctx.closeSession(NOT_RUNNING, reason(consoles.unreachable(t)));
            return;
        } catch (ProviderException e) {
            LOG.info("terminal of workspace {}: {}", w.id(), e.getMessage());
            auditSession(ctx, t, "console.open", AuditEntry.ERROR);
            ctx.closeSession(e.permanent() ? 1011 : NOT_RUNNING, reason("terminal unavailable: " + e.getMessage()));
            return;
        }
        Attachment a = new Attachment(ctx.sessionId(), t, link, now(), new AtomicLong(), new AtomicLong());
        if (attached.putIfAbsent(w.id(), a) != null) {
            // Another client won the race between the check above and here.
            link.close();
            auditSession(ctx, t, "console.open", AuditEntry.DENIED);
            ctx.closeSession(BUSY, reason("console busy: another client attached just now"));
            return;
        }
        ctx.session.setIdleTimeout(IDLE_TIMEOUT);
        ctx.enableAutomaticPings(PING_INTERVAL.toSeconds(), TimeUnit.SECONDS);
        consoles.attached(t, String.valueOf(ctx.session.getRemoteSocketAddress()));
        auditSession(ctx, t, "console.open", AuditEntry.OK);
        onActivity.accept(w.id());
        Thread.ofVirtual().name("console-" + w.id()).start(() -> toClient(ctx, a));
    }

    /** Relays the guest's output to the client until the socket closes or the client goes. */
    private void toClient(WsContext ctx, Attachment a) {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        try {
            while (true) {
                buf.clear();
                int n = a.link().read(buf);
                if (n < 0) {
                    ctx.closeSession(1000, a.link().endedReason());
                    return;
                }
                if (n == 0) continue;
                buf.flip();
                ByteBuffer copy = ByteBuffer.allocate(n).put(buf).flip();
                Callback.Completable sent = new Callback.Completable();
                ctx.session.sendBinary(copy, sent);
                // Waiting for each frame keeps a slow client from buffering the guest's output without limit.
                sent.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                a.fromGuest().addAndGet(n);
            }
        } catch (IOException e) {
            if (a.link().isOpen()) {
                LOG.info("console of workspace {}: {}", a.target().workspace().id(), e.toString());
                ctx.closeSession(1011, reason("console I/O error: " + e.getMessage()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // The client went away or stopped reading; its close handler tidies up.
            LOG.debug(
                    "console of workspace {}: sending failed: {}",
                    a.target().workspace().id(),
                    e.toString());
            if (ctx.session.isOpen()) ctx.closeSession(1011, reason("console send failed: " + e));
        }
    }

    private void fromClient(WsBinaryMessageContext ctx) {
        write(ctx, ctx.data());
    }

    private void fromClient(WsMessageContext ctx) {
        Optional<WorkspaceTerminal.Size> resize = ConsoleResize.parse(ctx.message());
        if (resize.isPresent()) {
            mine(ctx).ifPresent(a -> a.link().resize(resize.get()));
            return;
        }
        write(ctx, ByteBuffer.wrap(ctx.message().getBytes(StandardCharsets.UTF_8)));
    }

    private void write(WsContext ctx, ByteBuffer data) {
        Attachment a = mine(ctx).orElse(null);
        if (a == null) return;
        try {
            int n = data.remaining();
            a.link().write(data);
            a.toGuest().addAndGet(n);
        } catch (IOException e) {
            ctx.closeSession(1011, reason("console I/O error: " + e.getMessage()));
        }
    }

    private void detach(WsContext ctx, String why) {
        Optional<Attachment> mine = mine(ctx);
        if (mine.isEmpty()) return;
        Attachment a = mine.get();
        if (!attached.remove(a.target().workspace().id(), a)) return;
        a.link().close();
        Duration d = Duration.between(a.since(), now());
        consoles.detached(a.target(), why, d, a.toGuest().get(), a.fromGuest().get());
        auditSession(ctx, a.target(), "console.close", AuditEntry.OK);
        onActivity.accept(a.target().workspace().id());
    }

    /** @return the attachment this WebSocket owns, if it is the attached client */
    private Optional<Attachment> mine(WsContext ctx) {
        Target t = ctx.attribute(TARGET);
        if (t == null) return Optional.empty();
        Attachment a = attached.get(t.workspace().id());
        return a != null && a.sessionId().equals(ctx.sessionId()) ? Optional.of(a) : Optional.empty();
    }

    private static int lines(String raw) {
        if (raw == null || raw.isBlank()) return DEFAULT_LOG_LINES;
        try {
            int n = Integer.parseInt(raw.strip());
            if (n >= 1 && n <= MAX_LOG_LINES) return n;
        } catch (NumberFormatException e) {
            // Reported below with the allowed range.
        }
        throw ApiException.badRequest("lines", "lines must be an integer 1.." + MAX_LOG_LINES + ", got '" + raw + "'");
    }

    private Instant now() {
        return consoles.now();
    }

    /** Cuts a close reason to the 123 bytes RFC 6455 allows, on a character boundary. */
    static String reason(String s) {
        String r = s;
        while (r.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) r = r.substring(0, r.length() - 1);
        return r;
    }
}
