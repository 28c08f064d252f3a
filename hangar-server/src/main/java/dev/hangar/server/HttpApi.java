package dev.hangar.server;

import dev.hangar.api.Json;
import dev.hangar.core.audit.AuditLog;
import dev.hangar.core.service.UserService;
import dev.hangar.core.service.WorkspaceService;
import dev.hangar.core.store.Store;
import dev.hangar.core.template.TemplateCatalog;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.javalin.router.Endpoint;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Builds the Javalin application: JSON through {@link Json#mapper()}, handlers on virtual threads,
 * bearer auth on {@code /api/v1/*}, every route, error mapping ({@link ProblemMapper}), request
 * metrics and the audit of writes and failed authentications ({@link HttpAudit}). The route classes ({@code *Routes}) are the table of contents of the API.
 */
final class HttpApi {
    private HttpApi() {}

    static Javalin create(
            ServerConfig config,
            UserService users,
            AuditLog audit,
            dev.hangar.core.audit.AuditQueue failedAuth,
            dev.hangar.core.service.UserAdminService userAdmin,
            WorkspaceService workspaces,
            dev.hangar.core.service.DryRunService dryRun,
            TemplateCatalog templates,
            Store store,
            ServerMetrics metrics,
            Supplier<GatewayHook.GatewayInfo> gateway,
            java.util.function.BooleanSupplier started,
            Supplier<Leadership> leadership,
            ImageRoutes images,
            ImageLoadRoutes imageLoads,
            ConsoleRoutes console,
            dev.hangar.core.usb.UsbService usb,
            dev.hangar.core.service.HostCertificateAuthority hostCa,
            dev.hangar.core.autostop.ActivityService activity,
            dev.hangar.core.lab.LabService labs,
            java.util.Optional<OidcSignIn> oidc,
            dev.hangar.core.secret.SecretService secrets,
            dev.hangar.core.service.ResetService resets,
            dev.hangar.core.service.SuspendService suspends) {
        HttpAudit httpAudit = new HttpAudit(audit, failedAuth);
        return Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.jsonMapper(new JavalinJackson(Json.mapper(), false));
            // RequestBodies enforces 64 KiB itself; Jetty's limit is only a backstop.
            cfg.http.maxRequestSize = RequestBodies.MAX_BYTES + 1L;
            cfg.jetty.host = config.listenHost();
            cfg.jetty.port = config.listenPort();
            // What Jetty refuses before routing (e.g. 431 for oversized headers) is problem+json too.
            cfg.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler()));
            cfg.requestLogger.http((ctx, ms) -> {
                Endpoint e = ctx.endpoints().lastHttpEndpoint();
                String route = e == null ? "unmatched" : e.path;
                // A request held until its workspace changes takes up to 20 s by design: a label of its
                // own, so that it does not skew the plain GET's latency.
                if (route.equals(WorkspaceRoutes.BASE + "/{name}") && ctx.queryParam("changedFrom") != null)
                    route += "?changedFrom";
                metrics.http(
                        ctx.method().name(), route, ctx.status().getCode(), Duration.ofNanos((long) (ms * 1_000_000L)));
                // The one place every finished request passes: writes and failed authentications are audited here.
                httpAudit.finished(ctx);
            });
            ProblemMapper.register(cfg.routes);
            java.util.Set<String> publicPaths = new java.util.HashSet<>(OidcRoutes.PUBLIC);
            publicPaths.add(SystemRoutes.OPENAPI_PATH);
            cfg.routes.before("/api/v1/*", new BearerAuth(users, publicPaths));
            new WorkspaceRoutes(
                            workspaces,
                            dryRun,
                            activity,
                            suspends,
                            metrics.listPageCache(
                                    new ListPageCache(ListPageCache.DEFAULT_MAX_BYTES, metrics::listPageCacheLookup)))
                    .register(cfg.routes);
            new LabRoutes(labs).register(cfg.routes);
            new ResetRoutes(resets).register(cfg.routes);
            new ActivityRoutes(activity).register(cfg.routes);
            new UsbRoutes(usb).register(cfg.routes);
            new TemplateRoutes(templates).register(cfg.routes);
            new UserRoutes(users).register(cfg.routes);
            new TokenRoutes(users).register(cfg.routes);
            new UserAdminRoutes(users, userAdmin).register(cfg.routes);
            new QuotaRoutes(new dev.hangar.core.service.QuotaService(store, config.quotas())).register(cfg.routes);
            new UserAutostopRoutes(new dev.hangar.core.autostop.UserAutostop(store)).register(cfg.routes);
            images.register(cfg.routes);
            imageLoads.register(cfg.routes);
            new SystemRoutes(store, metrics, gateway, started, leadership).register(cfg.routes);
            console.register(cfg.routes);
            new SshRoutes(hostCa).register(cfg.routes);
            new AuditRoutes(audit).register(cfg.routes);
            new OidcRoutes(oidc, users, config.oidc().tokenLifetime()).register(cfg.routes);
            var dashboard = new dev.hangar.server.dashboard.DashboardRoutes(
                    users,
                    workspaces,
                    templates,
                    audit,
                    failedAuth,
                    usb,
                    labs,
                    images.offered(),
                    oidc,
                    config.dashboardSecureCookies(),
                    java.time.Clock.systemUTC());
            dashboard.register(cfg.routes);
            dashboard.registerConsole(cfg.routes, console.consoles());
            console.registerBrowser(cfg.routes, dashboard::browserUser);
            new SecretRoutes(secrets).register(cfg.routes);
            new DevcontainerUploadRoutes(
                            new DevcontainerUploads(config.home().resolve("devcontainer-uploads")),
                            store,
                            java.time.Clock.systemUTC())
                    .register(cfg.routes);
        });
    }
}
