package dev.hangar.server;

import dev.hangar.core.audit.AuditLog;
import dev.hangar.core.autostop.ActivityService;
import dev.hangar.core.autostop.AutostopSweep;
import dev.hangar.core.reconcile.ProviderRegistry;
import dev.hangar.core.reconcile.WorkspaceReconciler;
import dev.hangar.core.service.UserService;
import dev.hangar.core.service.WorkspaceService;
import dev.hangar.core.store.Store;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.provider.spi.WorkspaceProviderFactory;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.javalin.router.ParsedEndpoint;
import io.javalin.websocket.WsHandlerEntry;
import io.javalin.websocket.WsHandlerType;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane in one object: store, templates, providers, reconciler, HTTP API and (through
 * {@link GatewayHook}) the SSH gateway. {@link Builder#start()} brings everything up in that order
 * and {@link #close()} takes it down in reverse; if any step of startup fails, what was started is
 * closed again and the exception propagates (a {@link ConfigException} names what to fix).
 *
 * <p>On first start (no users in the store) the admin user {@link ServerConfig#adminName()} is
 * created and a token for it is written, with the server's URL, to {@code $HANGAR_HOME/cli.yaml}
 * (mode 0600). On every start an existing {@code cli.yaml} gets the current URL (its token is
 * kept). Tokens are never logged. Both happen only after the HTTP API and the gateway are bound,
 * so a server that cannot listen leaves no admin user and no {@code cli.yaml} behind. The
 * configured default template ({@link ServerConfig#defaultTemplate()}) is checked before anything
 * listens. The files in {@code $HANGAR_HOME} (the directory, the host CA, {@code cli.yaml}) are
 * {@code HangarHome}'s job; this class decides when each is touched.
 *
 * <p>Thread-safe after start.
 */
public final class HangarServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HangarServer.class);

    private final ServerConfig config;
    private final Store store;
    private final TemplateCatalog templates;
    private final ProviderRegistry providers;
    private final WorkspaceReconciler reconciler;
    private final UserService users;
    private final WorkspaceService workspaces;
    private final AuditLog audit;
    private final Javalin app;
    private final URI baseUri;
    private final GatewayHook.RunningGateway gateway;
    private final Deque<AutoCloseable> closeables;
    private final ActivityService activity;
    private final AutostopSweep autostop;
    private final Replicas replicas;

    /** Called by {@link ServerAssembly} once everything is up. */
    HangarServer(
            ServerConfig config,
            Store store,
            TemplateCatalog templates,
            ProviderRegistry providers,
            WorkspaceReconciler reconciler,
            UserService users,
            WorkspaceService workspaces,
            AuditLog audit,
            Javalin app,
            URI baseUri,
            GatewayHook.RunningGateway gateway,
            Deque<AutoCloseable> closeables,
            ActivityService activity,
            AutostopSweep autostop,
            Replicas replicas) {
        this.replicas = replicas;
        this.activity = activity;
        this.autostop = autostop;
        this.config = config;
        this.store = store;
        this.templates = templates;
        this.providers = providers;
        this.reconciler = reconciler;
        this.users = users;
        this.workspaces = workspaces;
        this.audit = audit;
        this.app = app;
        this.baseUri = baseUri;
        this.gateway = gateway;
        this.closeables = closeables;
    }

    /** @return a builder for a server with {@code config} */
    public static Builder builder(ServerConfig config) {
        return new Builder(config);
    }

    /**
     * Configures and starts a {@link HangarServer}. Not thread-safe; use once.
     */
    public static final class Builder {
        private final ServerConfig config;
        private final List<WorkspaceProviderFactory> factories = new ArrayList<>();
        private boolean discover = true;
        private GatewayHook gateway = GatewayHook.NONE;
        private Clock clock = Clock.systemUTC();
        private Function<ServerConfig, Store> storeOpener = Stores::open;
        private java.util.function.Supplier<io.fabric8.kubernetes.client.KubernetesClient> kubernetes =
                () -> new io.fabric8.kubernetes.client.KubernetesClientBuilder().build();
        private Map<String, String> env = System.getenv();

        private Builder(ServerConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /**
         * Adds a provider factory besides those found by {@link java.util.ServiceLoader} (e.g. a
         * test's fake provider). Two factories of one type are a startup error.
         */
        public Builder addProviderFactory(WorkspaceProviderFactory factory) {
            factories.add(Objects.requireNonNull(factory, "factory"));
            return this;
        }

        /**
         * @param discover whether to add the factories registered in {@code
         *     META-INF/services/dev.hangar.provider.spi.WorkspaceProviderFactory} (default true)
         */
        public Builder discoverProviders(boolean discover) {
            this.discover = discover;
            return this;
        }

        /** Sets the SSH gateway starter (default {@link GatewayHook#NONE}). */
        public Builder gateway(GatewayHook hook) {
            this.gateway = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /** Sets the clock for services, reconciler and providers (default UTC system clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Replaces how the store is opened (default: {@code JdbiStore} on {@code database.url}). */
        public Builder storeOpener(Function<ServerConfig, Store> opener) {
            this.storeOpener = Objects.requireNonNull(opener, "opener");
            return this;
        }

        /**
         * Sets the Kubernetes client for {@code leader-election.mode: kubernetes} (default: fabric8's
         * auto-configuration, in a Pod its service account). The server closes it when it stops.
         */
        public Builder kubernetesClient(
                java.util.function.Supplier<io.fabric8.kubernetes.client.KubernetesClient> client) {
            this.kubernetes = Objects.requireNonNull(client, "client");
            return this;
        }

        /** Sets the environment the server reads {@code HOSTNAME} from (default: the process's). */
        public Builder environment(Map<String, String> env) {
            this.env = Map.copyOf(env);
            return this;
        }

        /**
         * Starts the server.
         *
         * @throws ConfigException for an invalid configuration (unknown provider type, bad
         *     template, port in use, ...), naming what to fix
         */
        public HangarServer start() {
            Deque<AutoCloseable> closeables = new ArrayDeque<>();
            try {
                return new ServerAssembly(config, factories, discover, gateway, clock, storeOpener, kubernetes, env)
                        .startInto(closeables);
            } catch (RuntimeException e) {
                closeAll(closeables);
                throw e;
            }
        }
    }

    /** Closes each of {@code closeables}, last pushed first, logging (not throwing) failures. */
    static void closeAll(Deque<AutoCloseable> closeables) {
        while (!closeables.isEmpty()) {
            AutoCloseable c = closeables.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("error while shutting down: {}", e.toString());
            }
        }
    }

    /** @return the HTTP API's base URI, e.g. {@code http://127.0.0.1:7080} (the real port when 0 was configured) */
    public URI baseUri() {
        return baseUri;
    }

    /** @return the TCP port the HTTP API listens on */
    public int port() {
        return app.port();
    }

    /** @return the configuration it started with */
    public ServerConfig config() {
        return config;
    }

    /** @return the store (for tests and add-ons) */
    public Store store() {
        return store;
    }

    /** @return user use cases */
    public UserService users() {
        return users;
    }

    /** @return workspace use cases */
    public WorkspaceService workspaces() {
        return workspaces;
    }

    /** @return the audit log (tests move the clock and call {@link AuditLog#prune()}) */
    public AuditLog audit() {
        return audit;
    }

    /** @return the loaded templates */
    public TemplateCatalog templates() {
        return templates;
    }

    /** @return the registered providers */
    public ProviderRegistry providers() {
        return providers;
    }

    /** @return the reconciler */
    public WorkspaceReconciler reconciler() {
        return reconciler;
    }

    /** @return whether this replica leads (runs the reconciler and the background jobs), as {@code /readyz} shows */
    public boolean leading() {
        return replicas.leadership().leading();
    }

    /** @return this replica's identity (Lease holder and reconcile-claim holder) */
    public String identity() {
        return replicas.leadership().identity();
    }

    /** @return idle tracking (activity, leases) */
    public ActivityService activity() {
        return activity;
    }

    /**
     * @return the auto-stop sweep; the server runs it every {@code autostop.sweep-interval}, and
     *     tests run it at once after moving their clock
     */
    public AutostopSweep autostop() {
        return autostop;
    }

    /** @return where the gateway hook says clients reach the gateway */
    public GatewayHook.GatewayInfo gateway() {
        return gateway.info();
    }

    /**
     * @return the HTTP routes Javalin actually registered, as {@code "METHOD /path"} with path
     *     parameters as {@code {name}} (the OpenAPI form), WebSocket endpoints as {@code GET};
     *     before/after filters and the web dashboard's pages ({@code DashboardRoutes#owns}) excluded
     */
    public Set<String> routes() {
        Set<String> out = new TreeSet<>();
        for (ParsedEndpoint pe : app.unsafe.internalRouter.allHttpHandlers()) {
            Endpoint e = pe.endpoint;
            if (e.method.isHttpMethod()
                    && e.method != HandlerType.HEAD
                    && e.method != HandlerType.OPTIONS
                    && !dev.hangar.server.dashboard.DashboardRoutes.owns(e.path)) {
                out.add(e.method.name() + " " + e.path);
            }
        }
        // A WebSocket endpoint is a GET with "Upgrade: websocket" (RFC 6455 section 4.1).
        for (WsHandlerEntry ws : app.unsafe.internalRouter.allWsHandlers()) {
            if (ws.getType() == WsHandlerType.WEBSOCKET
                    && !dev.hangar.server.dashboard.DashboardRoutes.owns(ws.getPath())) out.add("GET " + ws.getPath());
        }
        return out;
    }

    /**
     * Stops the gateway, the HTTP API and the reconciler, then closes providers (workspaces keep
     * running) and the store. Idempotent.
     */
    @Override
    public void close() {
        synchronized (closeables) {
            closeAll(closeables);
        }
        LOG.info("Hangar stopped");
    }
}
