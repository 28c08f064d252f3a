package dev.hangar.server;

import dev.hangar.core.audit.AuditLog;
import dev.hangar.core.autostop.ActivityService;
import dev.hangar.core.autostop.ActivitySource;
import dev.hangar.core.reconcile.ProviderRegistry;
import dev.hangar.core.reconcile.WorkspaceReconciler;
import dev.hangar.core.service.HostCertificateAuthority;
import dev.hangar.core.service.UserService;
import dev.hangar.core.service.WorkspaceService;
import dev.hangar.core.store.Store;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.provider.spi.WorkspaceImages;
import dev.hangar.provider.spi.WorkspaceProviderFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javalin.Javalin;
import java.net.URI;
import java.time.Clock;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link HangarServer.Builder#start()} does: opens the store, loads templates and providers,
 * builds the services, the reconciler and the HTTP API, starts the gateway, and hands the parts to a
 * {@link HangarServer}, in this order (see {@link HangarServer} for why the admin user and {@code
 * cli.yaml} come last). One instance per start; not thread-safe.
 */
final class ServerAssembly {
    // The start-up lines keep the logger name operators already filter on.
    private static final Logger LOG = LoggerFactory.getLogger(HangarServer.class);

    private final ServerConfig config;
    private final List<WorkspaceProviderFactory> factories;
    private final boolean discover;
    private final GatewayHook gateway;
    private final Clock clock;
    private final Function<ServerConfig, Store> storeOpener;
    private final Supplier<KubernetesClient> kubernetes;
    private final Map<String, String> env;

    ServerAssembly(
            ServerConfig config,
            List<WorkspaceProviderFactory> factories,
            boolean discover,
            GatewayHook gateway,
            Clock clock,
            Function<ServerConfig, Store> storeOpener,
            Supplier<KubernetesClient> kubernetes,
            Map<String, String> env) {
        this.config = config;
        this.factories = List.copyOf(factories);
        this.discover = discover;
        this.gateway = gateway;
        this.clock = clock;
        this.storeOpener = storeOpener;
        this.kubernetes = kubernetes;
        this.env = env;
    }

    /**
     * Starts everything in order, pushing each started part onto {@code closeables} so the caller
     * can close what was started when a later step throws.
     *
     * @throws ConfigException for an invalid configuration, naming what to fix
     */
    HangarServer startInto(Deque<AutoCloseable> closeables) {
        Replicas replicas = Replicas.create(config.leaderElection(), config.databaseUrl(), env);
        HangarHome home = HangarHome.create(config.home());
        // Replicas share the gateway host key, host CA and secrets key through a Secret, not a volume.
        // Before the store opens: the store seals workspace host keys with the secrets key, so it
        // must open with the shared key, not with one this replica's empty home would make up.
        Supplier<KubernetesClient> clients = kubernetes;
        if (config.leaderElection().elected()) {
            KubernetesClient client = kubernetes.get();
            closeables.push(client);
            clients = () -> client;
            SharedKeys.sync(
                    client,
                    Replicas.namespace(config.leaderElection(), Replicas.POD_NAMESPACE),
                    SharedKeys.secretName(config.leaderElection().lease()),
                    SharedKeys.KeyFiles.of(config));
        }
        Store store = storeOpener.apply(config);
        closeables.push(store);
        List<WorkspaceProviderFactory> discovered = discover ? Providers.discovered() : List.of();
        TemplateCatalog templates =
                Templates.withoutProviders(Templates.load(config), Providers.inactive(config, discovered));
        ProviderRegistry providers = Providers.create(config, factories, discovered, clock);
        closeables.push(providers);
        try {
            providers.requireProvidersFor(templates);
        } catch (IllegalStateException e) {
            throw new ConfigException(e.getMessage(), e);
        }

        HostCertificateAuthority hostCa = home.hostCa();
        ServerMetrics metrics = new ServerMetrics(store);
        dev.hangar.core.secret.SecretService secrets = config.secrets().open(store, clock);
        WorkspaceReconciler reconciler = new WorkspaceReconciler(
                store,
                templates,
                providers,
                hostCa,
                clock,
                config.reconciler(),
                metrics,
                dev.hangar.core.reconcile.ReconcileScheduler.virtualThreads(),
                secrets,
                replicas.fence());
        closeables.push(reconciler);
        // last-used times are written off the request path; closed (flushed) before the store
        dev.hangar.core.service.TokenUseRecorder tokenUses =
                dev.hangar.core.service.TokenUseRecorder.background(store, UserService.LAST_USED_GRANULARITY);
        closeables.push(tokenUses);
        UserService users = new UserService(store, clock, tokenUses);
        AuditLog audit = new AuditLog(store, clock, config.auditRetention());
        // failed authentications (a client can send them in bulk) are audited off the request path;
        // closed (written out) before the store
        dev.hangar.core.audit.AuditQueue failedAuth = metrics.auditQueue(
                new dev.hangar.core.audit.AuditQueue(audit, dev.hangar.core.audit.AuditQueue.DEFAULT_CAPACITY));
        closeables.push(failedAuth);
        WorkspaceService workspaces;
        try {
            workspaces = new WorkspaceService(
                    store,
                    templates,
                    clock,
                    reconciler::enqueue,
                    config.defaultTemplate(),
                    config.quotas(),
                    dev.hangar.core.device.DeviceClaims.connect(
                            providers
                                    .find(WorkspaceService.PASSTHROUGH_KIND)
                                    .flatMap(dev.hangar.provider.spi.WorkspaceProvider::hostDevices),
                            store,
                            clock));
        } catch (dev.hangar.core.domain.ValidationException e) {
            throw new ConfigException("templates.default: " + e.getMessage(), e);
        }

        dev.hangar.core.lab.LabService labs =
                new dev.hangar.core.lab.LabService(store, workspaces, clock, config.labs());
        IdleStop idle = IdleStop.create(config, store, templates, workspaces, clock, reconciler::enqueue);
        ActivityService activity = idle.activity();
        dev.hangar.core.usb.UsbService usb = new dev.hangar.core.usb.UsbService(
                store, templates, workspaces, new UsbAllowFile(config.home()), clock, providers);
        activity.addHeldOpen(usb::holdsAttachment);
        ConsoleRoutes console = new ConsoleRoutes(
                users,
                audit,
                failedAuth,
                new dev.hangar.core.service.ConsoleService(workspaces, store, templates, providers, hostCa, clock),
                id -> activity.record(id, ActivitySource.CONSOLE));
        activity.addHeldOpen(console::attached);

        // Images come from every provider that offers them (qemu, docker); the server never names one.
        Map<String, WorkspaceImages> images = new LinkedHashMap<>();
        for (String type : providers.types())
            providers.find(type).flatMap(p -> p.images()).ifPresent(i -> images.put(type, i));
        java.util.Optional<dev.hangar.provider.spi.NodeImages> nodeImages = providers.types().stream()
                .flatMap(type -> providers.find(type).stream())
                .flatMap(p -> p.nodeImages().stream())
                .findFirst();
        if (config.imageLoad().enabled() && nodeImages.isEmpty())
            throw new ConfigException("image-load.enabled is true but no provider can load images onto nodes:"
                    + " configure the kubernetes provider (providers.kubernetes.*) or set image-load.enabled: false");
        GatewayRef gatewayRef = new GatewayRef();
        Javalin app = HttpApi.create(
                config,
                users,
                audit,
                failedAuth,
                new dev.hangar.core.service.UserAdminService(store, clock, workspaces, config.quotas()),
                workspaces,
                new dev.hangar.core.service.DryRunService(workspaces, store, templates, providers, hostCa),
                templates,
                store,
                metrics,
                gatewayRef::info,
                gatewayRef::started,
                replicas::leadership,
                new ImageRoutes(images, id -> store.workspaces().find(id).map(w -> w.owner() + "/" + w.name())),
                new ImageLoadRoutes(
                        config.imageLoad(), nodeImages, config.home().resolve("tmp")),
                console,
                usb,
                hostCa,
                activity,
                labs,
                config.oidc().enabled()
                        ? java.util.Optional.of(new OidcSignIn(
                                config.oidc(),
                                new dev.hangar.core.oidc.OidcProvisioning(
                                        store, clock, config.oidc().policy())))
                        : java.util.Optional.empty(),
                secrets,
                new dev.hangar.core.service.ResetService(
                        store, workspaces, labs, providers, clock, reconciler::enqueue),
                new dev.hangar.core.service.SuspendService(workspaces, store, templates, providers, hostCa));
        try {
            app.start(config.listenHost(), config.listenPort());
        } catch (RuntimeException e) {
            throw new ConfigException(
                    "cannot listen on " + config.listenHost() + ":" + config.listenPort() + ": " + rootMessage(e), e);
        }
        closeables.push(app::stop);
        URI baseUri = URI.create("http://" + hostForUri(config.listenHost()) + ":" + app.port());

        // Bind everything before the first lasting side effect: a server that cannot listen on its
        // gateway port exits without having created the admin user or written cli.yaml.
        GatewayHook.RunningGateway gateway = gatewayHookStart(new ServerContext(
                config, baseUri, store, users, workspaces, templates, clock, audit, failedAuth, activity, providers));
        closeables.push(gateway);
        home.writeCliConfig(users, config.adminName(), baseUri);
        // Only the leader runs the reconciler and the periodic jobs; every replica serves API and gateway.
        replicas.start(
                reconciler,
                List.of(
                        () -> new AuditPruner(audit),
                        () -> idle.startTimer(config.autostop().sweepInterval())),
                new Replicas.ReplicaFeedSource(store, config.reconciler().pollInterval()),
                clients,
                closeables);
        gatewayRef.set(gateway);
        gatewayRef.markStarted();
        LOG.info(
                "Hangar {} listening on {} (store {}, providers {}, {} templates, {})",
                Version.get(),
                baseUri,
                store.describe(),
                providers.types(),
                templates.all().size(),
                replicas.describe());
        return new HangarServer(
                config,
                store,
                templates,
                providers,
                reconciler,
                users,
                workspaces,
                audit,
                app,
                baseUri,
                gateway,
                closeables,
                activity,
                idle.autostop(),
                replicas);
    }

    private GatewayHook.RunningGateway gatewayHookStart(ServerContext context) {
        return Objects.requireNonNull(gateway.start(context), "GatewayHook.start returned null");
    }

    private static String hostForUri(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
