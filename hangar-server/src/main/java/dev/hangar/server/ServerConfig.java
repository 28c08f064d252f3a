package dev.hangar.server;

import dev.hangar.core.audit.AuditLog;
import dev.hangar.core.domain.Names;
import dev.hangar.core.quota.QuotaPolicy;
import dev.hangar.core.reconcile.WorkspaceReconciler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything the control plane is configured with. Built by {@link ServerConfigLoader} from
 * {@code $HANGAR_HOME/server.yaml}, {@code HANGAR_*} environment variables and command-line flags
 * (later sources win), or directly by tests and embedders.
 *
 * <p>{@link #toString()} never prints the database password, so the record is safe to log. Every
 * config key with its default and meaning: {@code docs/server-config.md}.
 *
 * @param listenHost address the HTTP API binds to; {@code 127.0.0.1} by default (config key {@code
 *     listen}, {@code HOST:PORT})
 * @param listenPort TCP port of the HTTP API, 0 for any free port; 7080 by default
 * @param home {@code $HANGAR_HOME}: database, CLI config, templates, provider data live here
 * @param databaseUrl JDBC URL of the store ({@code database.url}); default {@code
 *     jdbc:sqlite:$HANGAR_HOME/hangar.db}
 * @param databaseUsername database user ({@code database.username}); empty for SQLite
 * @param databasePassword database password ({@code database.password}); empty when none; a secret
 * @param templateDir directory of extra {@code *.yaml} templates ({@code templates.dir}); default
 *     {@code $HANGAR_HOME/templates}
 * @param builtinTemplates whether the templates shipped in hangar-core are offered ({@code
 *     templates.builtin}, default true)
 * @param providers per provider type, its settings ({@code providers.<type>.<key>}); the special
 *     key {@code enabled: false} keeps a discovered provider from being created
 * @param reconciler the reconciler's tuning ({@code reconciler.concurrency}, {@code
 *     reconciler.poll-interval}, {@code reconciler.resync-interval}, {@code reconciler.base-backoff},
 *     {@code reconciler.max-attempts})
 * @param adminName name of the admin user created on first start ({@code admin}); a DNS-1123 label
 * @param gateway the SSH gateway's settings ({@code gateway.<key>}, e.g. {@code
 *     gateway.listen-port: 2222}), handed unchanged to the {@link GatewayHook} through {@link
 *     ServerContext#config()}; the hook rejects keys it does not know (see {@link SshGatewayHook}
 *     for the keys of the built-in gateway)
 * @param defaultTemplate the template of a create request that names none ({@code
 *     templates.default}); empty (the default) for the only template when there is exactly one,
 *     else {@code debian-12} when it exists; checked against the templates at start-up
 * @param autostop idle auto-stop settings ({@code autostop.*})
 * @param auditRetention how long audit log entries are kept ({@code audit.retention}, default 90
 *     days); positive
 * @param quotas per-role quota limits ({@code quotas.<role>.<limit>}); every role unlimited by
 *     default
 * @param oidc OpenID Connect sign-in ({@code oidc.*}); off by default
 * @param labs lab settings ({@code labs.max-members}, {@code labs.subnet})
 * @param secrets user secrets settings ({@code secrets.*}); {@link SecretSettings#defaults} of {@code home} when null
 * @param dashboardSecureCookies whether dashboard cookies are Secure ({@code dashboard.secure-cookies})
 * @param leaderElection how replicas choose the one that reconciles ({@code leader-election.*});
 *     {@link LeaderElectionSettings#DEFAULTS} (none) when null
 * @param imageLoad {@code hangar image load} ({@code image-load.*}); {@link ImageLoadSettings#DEFAULTS}
 *     (off) when null
 */
public record ServerConfig(
        String listenHost,
        int listenPort,
        Path home,
        String databaseUrl,
        String databaseUsername,
        String databasePassword,
        Path templateDir,
        boolean builtinTemplates,
        Map<String, Map<String, String>> providers,
        WorkspaceReconciler.Settings reconciler,
        String adminName,
        Map<String, String> gateway,
        String defaultTemplate,
        AutostopSettings autostop,
        Duration auditRetention,
        QuotaPolicy quotas,
        OidcConfig oidc,
        dev.hangar.core.lab.LabSettings labs,
        SecretSettings secrets,
        dev.hangar.server.dashboard.SecureCookies dashboardSecureCookies,
        LeaderElectionSettings leaderElection,
        ImageLoadSettings imageLoad) {

    /** Default HTTP port of the control plane. */
    public static final int DEFAULT_PORT = 7080;

    /** Default bind address: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    public ServerConfig {
        Objects.requireNonNull(listenHost, "listenHost");
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(databaseUrl, "databaseUrl");
        Objects.requireNonNull(templateDir, "templateDir");
        Objects.requireNonNull(reconciler, "reconciler");
        Objects.requireNonNull(adminName, "adminName");
        databaseUsername = databaseUsername == null ? "" : databaseUsername;
        databasePassword = databasePassword == null ? "" : databasePassword;
        if (listenPort < 0 || listenPort > 65535)
            throw new ConfigException("listen port must be 0..65535, got " + listenPort);
        if (!Names.isDns1123Label(adminName))
            throw new ConfigException("admin '" + adminName
                    + "' is not a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)");
        Map<String, Map<String, String>> copy = new TreeMap<>();
        (providers == null ? Map.<String, Map<String, String>>of() : providers)
                .forEach((type, settings) -> copy.put(type, Map.copyOf(settings)));
        providers = Map.copyOf(copy);
        gateway = gateway == null ? Map.of() : Map.copyOf(gateway);
        defaultTemplate = defaultTemplate == null ? "" : defaultTemplate.strip();
        autostop = autostop == null ? AutostopSettings.DEFAULTS : autostop;
        auditRetention = auditRetention == null ? AuditLog.DEFAULT_RETENTION : auditRetention;
        quotas = quotas == null ? QuotaPolicy.UNLIMITED : quotas;
        oidc = oidc == null ? OidcConfig.OFF : oidc;
        labs = labs == null ? dev.hangar.core.lab.LabSettings.DEFAULTS : labs;
        secrets = secrets == null ? SecretSettings.defaults(home) : secrets;
        dashboardSecureCookies = dashboardSecureCookies == null
                ? dev.hangar.server.dashboard.SecureCookies.AUTO
                : dashboardSecureCookies;
        leaderElection = leaderElection == null ? LeaderElectionSettings.DEFAULTS : leaderElection;
        imageLoad = imageLoad == null ? ImageLoadSettings.DEFAULTS : imageLoad;
        if (auditRetention.isZero() || auditRetention.isNegative())
            throw new ConfigException("audit.retention must be positive, got " + auditRetention);
    }

    /**
     * @return the defaults for {@code home}: 127.0.0.1:7080, SQLite in {@code home/hangar.db},
     *     templates from {@code home/templates} plus the built-in ones, reconciler defaults and
     *     the admin name derived from {@code $USER}
     */
    public static ServerConfig defaults(Path home, Map<String, String> env) {
        Path h = home.toAbsolutePath().normalize();
        return new ServerConfig(
                DEFAULT_HOST,
                DEFAULT_PORT,
                h,
                "jdbc:sqlite:" + h.resolve("hangar.db"),
                "",
                "",
                h.resolve("templates"),
                true,
                Map.of(),
                WorkspaceReconciler.Settings.DEFAULTS,
                defaultAdmin(env),
                Map.of(),
                "",
                AutostopSettings.DEFAULTS,
                AuditLog.DEFAULT_RETENTION,
                QuotaPolicy.UNLIMITED,
                OidcConfig.OFF,
                dev.hangar.core.lab.LabSettings.DEFAULTS,
                SecretSettings.defaults(h),
                dev.hangar.server.dashboard.SecureCookies.AUTO,
                LeaderElectionSettings.DEFAULTS,
                ImageLoadSettings.DEFAULTS);
    }

    /** @return a copy with other secrets settings */
    public ServerConfig withSecrets(SecretSettings settings) {
        return copy(c -> c.secrets = settings);
    }

    /** @return {@code $USER} when it is a DNS-1123 label, else {@code admin} */
    public static String defaultAdmin(Map<String, String> env) {
        String user = env.getOrDefault("USER", "");
        return Names.isDns1123Label(user) ? user : "admin";
    }

    /** @return a copy listening on {@code host:port} */
    public ServerConfig withListen(String host, int port) {
        return copy(c -> {
            c.listenHost = host;
            c.listenPort = port;
        });
    }

    /** @return a copy with other template settings */
    public ServerConfig withTemplates(Path dir, boolean builtin) {
        return copy(c -> {
            c.templateDir = dir;
            c.builtinTemplates = builtin;
        });
    }

    /** @return a copy with other reconciler settings */
    public ServerConfig withReconciler(WorkspaceReconciler.Settings settings) {
        return copy(c -> c.reconciler = settings);
    }

    /** @return a copy with one provider's settings replaced */
    public ServerConfig withProvider(String type, Map<String, String> settings) {
        Map<String, Map<String, String>> p = new TreeMap<>(providers);
        p.put(type, settings);
        return copy(c -> c.providers = p);
    }

    /** @return a copy with other gateway settings */
    public ServerConfig withGateway(Map<String, String> settings) {
        return copy(c -> c.gateway = settings);
    }

    /** @return a copy with another {@code templates.default} (empty for the automatic choice) */
    public ServerConfig withDefaultTemplate(String name) {
        return copy(c -> c.defaultTemplate = name);
    }

    /** @return a copy with other auto-stop settings */
    public ServerConfig withAutostop(AutostopSettings settings) {
        return copy(c -> c.autostop = settings);
    }

    /** @return a copy with another {@code audit.retention} */
    public ServerConfig withAuditRetention(Duration retention) {
        return copy(c -> c.auditRetention = retention);
    }

    /** @return a copy with other per-role quota limits */
    public ServerConfig withQuotas(QuotaPolicy policy) {
        return copy(c -> c.quotas = policy);
    }

    /** @return a copy with other OIDC sign-in settings */
    public ServerConfig withOidc(OidcConfig settings) {
        return copy(c -> c.oidc = settings);
    }

    /** @return a copy whose dashboard cookies are Secure as {@code policy} says ({@code dashboard.secure-cookies}) */
    public ServerConfig withDashboardSecureCookies(dev.hangar.server.dashboard.SecureCookies policy) {
        return copy(c -> c.dashboardSecureCookies = policy);
    }

    /** @return a copy with these leader election settings */
    public ServerConfig withLeaderElection(LeaderElectionSettings settings) {
        return copy(c -> c.leaderElection = settings);
    }

    /** @return a copy with these {@code image-load.*} settings */
    public ServerConfig withImageLoad(ImageLoadSettings settings) {
        return copy(c -> c.imageLoad = settings);
    }

    /** @return a copy with another database */
    public ServerConfig withDatabase(String url, String username, String password) {
        return copy(c -> {
            c.databaseUrl = url;
            c.databaseUsername = username;
            c.databasePassword = password;
        });
    }

    /** @return a copy with these lab settings */
    public ServerConfig withLabs(dev.hangar.core.lab.LabSettings settings) {
        return copy(c -> c.labs = settings);
    }

    /** @return a copy with the components {@code change} sets, validated like any config */
    private ServerConfig copy(java.util.function.Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return c.build();
    }

    /** Every component, mutable, so that each wither names only what it changes. */
    private static final class Copy {
        String listenHost;
        int listenPort;
        Path home;
        String databaseUrl;
        String databaseUsername;
        String databasePassword;
        Path templateDir;
        boolean builtinTemplates;
        Map<String, Map<String, String>> providers;
        WorkspaceReconciler.Settings reconciler;
        String adminName;
        Map<String, String> gateway;
        String defaultTemplate;
        AutostopSettings autostop;
        Duration auditRetention;
        QuotaPolicy quotas;
        OidcConfig oidc;
        dev.hangar.core.lab.LabSettings labs;
        SecretSettings secrets;
        dev.hangar.server.dashboard.SecureCookies dashboardSecureCookies;
        LeaderElectionSettings leaderElection;
        ImageLoadSettings imageLoad;

        Copy(ServerConfig s) {
            listenHost = s.listenHost;
            listenPort = s.listenPort;
            home = s.home;
            databaseUrl = s.databaseUrl;
            databaseUsername = s.databaseUsername;
            databasePassword = s.databasePassword;
            templateDir = s.templateDir;
            builtinTemplates = s.builtinTemplates;
            providers = s.providers;
            reconciler = s.reconciler;
            adminName = s.adminName;
            gateway = s.gateway;
            defaultTemplate = s.defaultTemplate;
            autostop = s.autostop;
            auditRetention = s.auditRetention;
            quotas = s.quotas;
            oidc = s.oidc;
            labs = s.labs;
            secrets = s.secrets;
            dashboardSecureCookies = s.dashboardSecureCookies;
            leaderElection = s.leaderElection;
            imageLoad = s.imageLoad;
        }

        ServerConfig build() {
            return new ServerConfig(
                    listenHost,
                    listenPort,
                    home,
                    databaseUrl,
                    databaseUsername,
                    databasePassword,
                    templateDir,
                    builtinTemplates,
                    providers,
                    reconciler,
                    adminName,
                    gateway,
                    defaultTemplate,
                    autostop,
                    auditRetention,
                    quotas,
                    oidc,
                    labs,
                    secrets,
                    dashboardSecureCookies,
                    leaderElection,
                    imageLoad);
        }
    }

    @Override
    public String toString() {
        return "ServerConfig[listen=" + listenHost + ":" + listenPort + ", home=" + home + ", databaseUrl="
                + databaseUrl.replaceAll("(?i)(password=)[^&;]*", "$1<redacted>") + ", databaseUsername="
                + databaseUsername + ", databasePassword=" + (databasePassword.isEmpty() ? "" : "<redacted>")
                + ", templateDir=" + templateDir + ", builtinTemplates=" + builtinTemplates + ", providers="
                + providers.keySet() + ", reconciler=" + reconciler + ", adminName=" + adminName + ", gateway="
                + gateway.keySet() + ", defaultTemplate=" + defaultTemplate + ", autostop=" + autostop
                + ", auditRetention="
                + auditRetention + ", quotas=" + quotas + ", oidc=" + oidc + ", labs=" + labs + ", secrets=" + secrets
                + ", dashboardSecureCookies=" + dashboardSecureCookies.wireName() + ", leaderElection="
                + leaderElection + ", imageLoad=" + imageLoad + "]";
    }
}
