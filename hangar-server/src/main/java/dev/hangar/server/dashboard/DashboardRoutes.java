package dev.hangar.server.dashboard;

import dev.hangar.core.audit.AuditLog;
import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.LifecycleConflictException;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.ProviderUnavailableException;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.lab.LabService;
import dev.hangar.core.service.ConsoleService;
import dev.hangar.core.service.UserService;
import dev.hangar.core.service.WorkspaceService;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.core.usb.UsbService;
import dev.hangar.provider.spi.WorkspaceImages;
import dev.hangar.server.ApiException;
import dev.hangar.server.OidcSignIn;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Clock;
import java.util.Optional;

/**
 * The web dashboard, served by hangar-server on the API's port: {@code /} (the workspaces), the
 * pages under {@code /ui/} and Swagger UI at {@code /api/docs}. Server-rendered HTML (jte,
 * precompiled), a little JavaScript that only refreshes fragments; every asset comes from the jar.
 *
 * <p><b>Who sees what.</b> Pages call the same services as the REST routes ({@link
 * WorkspaceService}, {@link UserService}, {@link TemplateCatalog}) with the signed-in user as the
 * actor, so a user sees and changes exactly what the API lets them; auditors' writes are refused
 * here as {@code BearerAuth} refuses them on the API. Writes are audited with the API's action
 * names ({@code workspace.stop}, {@code key.add}, ...), outcome {@code ok} or the refusal.
 *
 * <p><b>Sessions and CSRF.</b> Sign-in with an API token ({@link UserService#authenticate}) starts
 * a {@link SessionStore} session in an HttpOnly, SameSite=Strict cookie (Secure behind TLS); the
 * user is looked up again on every request, so a disabled user is out at once. Every POST is
 * refused (403) when the browser marks it cross-origin or its {@code Origin} is another, and must
 * carry the session's synchronizer token. A page without a live session redirects to sign-in; a
 * polled fragment answers 401 and the page's script goes to sign-in.
 *
 * <p>Thread-safe.
 */
public final class DashboardRoutes {
    private final UserService users;
    private final AuditLog audit;
    // entries anyone can cause in bulk without signing in (a cross-site request): written off the
    // request thread, as the API's 401s are
    private final dev.hangar.core.audit.AuditQueue unauthenticated;
    private final SessionStore sessions;
    private final WorkspacePages workspacePages;
    private final AccountPages accountPages;
    private final ImagePages imagePages;
    private final LabPages labPages;
    private final UsbPages usbPages;
    private final UserPages userPages;
    private final Optional<OidcPages> oidcPages;
    private final SecureCookies secureCookies;

    /**
     * @param audit where the entries of signed-in users' actions are written, before the answer
     * @param unauthenticated the queue for entries nobody signed in caused ({@code
     *     dashboard.cross-site}): anyone can send those in bulk
     * @param usb the USB attachments of workspaces (as {@code /api/v1/workspaces/{name}/usb/attachments})
     * @param labs the labs (as {@code /api/v1/labs})
     * @param images the images of the provider that offers them, if any (as {@code /api/v1/images})
     * @param oidc the OIDC sign-in, when the server has a provider configured: the sign-in page
     *     then offers "Sign in with &lt;provider&gt;"
     * @param secureCookies when the dashboard's cookies are Secure ({@code dashboard.secure-cookies})
     * @param clock the server's clock (session expiry, timeline durations)
     */
    public DashboardRoutes(
            UserService users,
            WorkspaceService workspaces,
            TemplateCatalog templates,
            AuditLog audit,
            dev.hangar.core.audit.AuditQueue unauthenticated,
            UsbService usb,
            LabService labs,
            Optional<WorkspaceImages> images,
            Optional<OidcSignIn> oidc,
            SecureCookies secureCookies,
            Clock clock) {
        this.users = users;
        this.audit = audit;
        this.unauthenticated = unauthenticated;
        this.sessions = new SessionStore(clock);
        this.labPages = new LabPages(labs);
        this.usbPages = new UsbPages(usb, workspaces, audit);
        this.workspacePages = new WorkspacePages(workspaces, usbPages, labPages, templates, audit, clock);
        this.accountPages = new AccountPages(users, templates, audit);
        this.imagePages = new ImagePages(images, audit);
        this.userPages = new UserPages(users, audit);
        this.secureCookies = secureCookies;
        this.oidcPages = oidc.map(o -> new OidcPages(o, clock, secureCookies));
    }

    /**
     * @return whether {@code path} is one of the dashboard's (HTML pages, fragments, assets, API
     *     docs) rather than the REST API's; {@code HangarServer.routes()} leaves these out
     */
    public static boolean owns(String path) {
        return path.equals("/")
                || path.startsWith("/ui/")
                || path.equals(OidcPages.CALLBACK)
                || path.equals("/api/docs")
                || path.startsWith("/api/docs/");
    }

    /** Registers every dashboard route. */
    public void register(RoutesConfig r) {
        r.get("/ui/sign-in", ctx -> {
            WebSecurity.headers(ctx);
            String notice = ctx.queryParam("expired") != null ? "Your session has ended; sign in again." : "";
            Renderer.html(ctx, 200, "signin.jte", "page", new Pages.SignIn("", notice, oidcName()));
        });
        r.post("/ui/sign-in", this::signIn);
        r.get("/ui/sign-in/oidc", this::oidcBegin);
        r.get(OidcPages.CALLBACK, this::oidcCallback);
        r.post("/ui/sign-out", action((ctx, s) -> {
            sessions.remove(ctx.cookie(WebSecurity.COOKIE));
            WebSecurity.clearSessionCookie(ctx, secureCookies);
            audit.record(s.user().name(), "session.delete", s.user().name(), source(ctx), "ok");
            ctx.redirect("/ui/sign-in", io.javalin.http.HttpStatus.SEE_OTHER);
        }));

        r.get("/", page(workspacePages::list));
        r.get("/ui/workspaces/rows", fragment(workspacePages::rows));
        r.get("/ui/workspaces/{owner}/{name}", page(workspacePages::detail));
        r.get("/ui/workspaces/{owner}/{name}/live", fragment(workspacePages::live));
        r.get("/ui/workspaces/{owner}/{name}/delete", page(workspacePages::confirmDelete));
        for (String a : WorkspacePages.ACTIONS)
            r.post("/ui/workspaces/{owner}/{name}/" + a, action((ctx, s) -> workspacePages.act(ctx, s, a)));
        r.post("/ui/workspaces/{owner}/{name}/usb/detach", action(usbPages::detach));
        r.get("/ui/new", page(workspacePages::createForm));
        r.post("/ui/new", action(workspacePages::create));

        r.get("/ui/templates", page(accountPages::templates));
        r.get("/ui/keys", page(accountPages::keys));
        r.post("/ui/keys", action(accountPages::addKey));
        r.post("/ui/keys/remove", action(accountPages::removeKey));

        r.get("/ui/images", page(imagePages::list));
        r.post("/ui/images/pull", action(imagePages::pull));
        r.get("/ui/images/status", fragment(imagePages::status));

        r.get("/ui/labs", page(labPages::list));
        r.get("/ui/labs/{owner}/{name}", page(labPages::detail));
        r.get("/ui/labs/{owner}/{name}/inventory.ini", page(labPages::inventory));

        r.get("/ui/users", page(userPages::list));

        r.get("/ui/static/{file}", Assets::dashboard);
        r.get("/ui/static/xterm/{file}", Assets::xterm);
        r.get("/api/docs", Assets::docsPage);
        r.get("/api/docs/{file}", Assets::swaggerUi);
    }

    /**
     * Registers the browser console's page and its state fragment ({@link ConsolePages}); the
     * console's WebSocket itself is {@code ConsoleRoutes}', authenticated by {@link #browserUser}.
     */
    public void registerConsole(RoutesConfig r, ConsoleService consoles) {
        ConsolePages pages = new ConsolePages(consoles);
        r.get("/ui/workspaces/{owner}/{name}/console", page(pages::page));
        r.get("/ui/workspaces/{owner}/{name}/console/state", fragment(pages::state));
    }

    /**
     * Who opens a dashboard WebSocket: the enabled user of the request's live session, only when the
     * handshake's {@code Origin} is this server's own (required: a WebSocket is not subject to the
     * same-origin policy, so this check is what stops another site's page from opening the console
     * with the user's cookie). A refused Origin is audited as {@code dashboard.cross-site}.
     *
     * @return the user, or empty when there is no live session or the Origin is missing or foreign
     */
    public Optional<User> browserUser(Context ctx) {
        if (!WebSecurity.webSocketFromOwnPage(ctx)) {
            unauthenticated.offer("anonymous", "dashboard.cross-site", ctx.path(), source(ctx), "401");
            return Optional.empty();
        }
        return signed(ctx).map(Signed::user);
    }

    /** A page or fragment handler that runs for a signed-in user. */
    @FunctionalInterface
    interface SignedHandler {
        void handle(Context ctx, Signed s) throws Exception;
    }

    private void signIn(Context ctx) {
        WebSecurity.headers(ctx);
        if (!WebSecurity.sameOrigin(ctx)) {
            refuseCrossSite(ctx);
            return;
        }
        String token = Optional.ofNullable(ctx.formParam("token")).orElse("").strip();
        Optional<User> user =
                token.isEmpty() ? Optional.empty() : users.authenticate(token).user();
        if (user.isEmpty()) {
            // 401: HttpAudit records it as auth.failed, as for the API.
            Renderer.html(
                    ctx,
                    401,
                    "signin.jte",
                    "page",
                    new Pages.SignIn("That token is not valid (unknown, expired or revoked).", "", oidcName()));
            return;
        }
        startSession(ctx, user.get());
    }

    /** Starts a session for {@code user} (a fresh id at every sign-in: no fixation) and goes to the workspaces. */
    private void startSession(Context ctx, User user) {
        sessions.remove(ctx.cookie(WebSecurity.COOKIE));
        SessionStore.Created created = sessions.create(user.name());
        WebSecurity.setSessionCookie(ctx, created.id(), secureCookies);
        audit.record(user.name(), "session.create", user.name(), source(ctx), "ok");
        ctx.redirect("/", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private String oidcName() {
        return oidcPages.map(OidcPages::providerName).orElse("");
    }

    private void oidcBegin(Context ctx) {
        WebSecurity.headers(ctx);
        if (oidcPages.isEmpty()) {
            Renderer.html(
                    ctx, 404, "signin.jte", "page", new Pages.SignIn("OIDC sign-in is not configured here.", "", ""));
            return;
        }
        try {
            oidcPages.get().begin(ctx);
        } catch (ApiException e) {
            Renderer.html(ctx, e.status(), "signin.jte", "page", new Pages.SignIn(e.getMessage(), "", oidcName()));
        }
    }

    /** The provider's redirect back: on success a session like a token sign-in; else the sign-in page saying why. */
    private void oidcCallback(Context ctx) {
        WebSecurity.headers(ctx);
        if (oidcPages.isEmpty()) {
            ctx.status(404).contentType("text/plain; charset=utf-8").result("OIDC sign-in is not configured here\n");
            return;
        }
        User user;
        try {
            user = oidcPages.get().complete(ctx);
        } catch (ApiException e) {
            // a 401 is audited as auth.failed by HttpAudit, as on the API
            Renderer.html(
                    ctx,
                    e.status(),
                    "signin.jte",
                    "page",
                    new Pages.SignIn("Sign-in with " + oidcName() + " failed: " + e.getMessage(), "", oidcName()));
            return;
        }
        audit.record(user.name(), "auth.oidc", user.name(), source(ctx), "ok");
        startSession(ctx, user);
    }

    private Optional<Signed> signed(Context ctx) {
        String id = ctx.cookie(WebSecurity.COOKIE);
        return sessions.find(id)
                .flatMap(s -> users.find(s.user()).filter(u -> !u.disabled()).map(u -> new Signed(u, s)));
    }

    private Handler page(SignedHandler h) {
        return ctx -> {
            WebSecurity.headers(ctx);
            Optional<Signed> s = signed(ctx);
            if (s.isEmpty()) {
                boolean had = ctx.cookie(WebSecurity.COOKIE) != null;
                ctx.redirect(had ? "/ui/sign-in?expired=1" : "/ui/sign-in", io.javalin.http.HttpStatus.SEE_OTHER);
                return;
            }
            run(ctx, s.get(), h);
        };
    }

    private Handler fragment(SignedHandler h) {
        return ctx -> {
            WebSecurity.headers(ctx);
            Optional<Signed> s = signed(ctx);
            if (s.isEmpty()) {
                ctx.status(401).contentType("text/plain; charset=utf-8").result("sign in again\n");
                return;
            }
            run(ctx, s.get(), h);
        };
    }

    private Handler action(SignedHandler h) {
        return ctx -> {
            WebSecurity.headers(ctx);
            if (!WebSecurity.sameOrigin(ctx)) {
                refuseCrossSite(ctx);
                return;
            }
            Optional<Signed> s = signed(ctx);
            if (s.isEmpty()) {
                ctx.redirect("/ui/sign-in?expired=1", io.javalin.http.HttpStatus.SEE_OTHER);
                return;
            }
            if (!WebSecurity.csrfMatches(ctx, s.get().session().csrf())) {
                audit.record(s.get().user().name(), "dashboard.csrf", ctx.path(), source(ctx), "403");
                message(
                        ctx,
                        s.get(),
                        403,
                        "Refused",
                        "This form is out of date or did not come from this dashboard; reload the page and try again.");
                return;
            }
            run(ctx, s.get(), h);
        };
    }

    private void refuseCrossSite(Context ctx) {
        unauthenticated.offer("anonymous", "dashboard.cross-site", ctx.path(), source(ctx), "403");
        ctx.status(403).contentType("text/plain; charset=utf-8").result("refused: a cross-site request\n");
    }

    /** Runs {@code h}, turning the services' refusals into a page that says what happened. */
    private static void run(Context ctx, Signed s, SignedHandler h) throws Exception {
        try {
            h.handle(ctx, s);
        } catch (NotFoundException e) {
            message(ctx, s, 404, "Not found", e.getMessage());
        } catch (ValidationException e) {
            message(ctx, s, 422, "Not accepted", e.getMessage());
        } catch (ConflictException | LifecycleConflictException e) {
            message(ctx, s, 409, "Conflict", e.getMessage());
        } catch (ProviderUnavailableException e) {
            message(ctx, s, 503, "Unavailable", e.getMessage());
        } catch (ForbiddenException e) {
            message(ctx, s, 403, "Not allowed", e.getMessage());
        }
    }

    static void message(Context ctx, Signed s, int status, String title, String message) {
        Renderer.html(ctx, status, "message.jte", "page", new Pages.Message(s.chrome(""), title, message));
    }

    static String source(Context ctx) {
        String addr = ctx.req().getRemoteAddr();
        return addr == null ? "" : addr;
    }

    /** A refusal the dashboard itself decides (an auditor's write); shown as a 403 page. */
    static final class ForbiddenException extends RuntimeException {
        ForbiddenException(String message) {
            super(message);
        }
    }
}
