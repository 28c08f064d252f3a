package dev.hangar.server;

import dev.hangar.api.HangarPaths;
import dev.hangar.core.lab.LabAddresses;
import dev.hangar.core.lab.LabSettings;
import dev.hangar.core.reconcile.WorkspaceReconciler;
import dev.hangar.provider.spi.NodeImages;
import dev.hangar.server.dashboard.SecureCookies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a {@link ServerConfig} from, in increasing precedence: the defaults, {@code
 * $HANGAR_HOME/server.yaml}, {@code HANGAR_*} environment variables and command-line flags. Every
 * key, its default and meaning: {@code docs/server-config.md}, checked against {@link #KEYS} by a
 * test.
 *
 * <p>The file is a YAML mapping with lower-kebab keys; nested mappings and dotted keys are the
 * same thing ({@code database: {url: ...}} equals {@code database.url: ...}):
 *
 * <pre>
 * listen: 127.0.0.1:7080
 * admin: alice
 * database: {url: "jdbc:postgresql://db:5432/hangar", username: hangar, password: secret}
 * templates: {dir: /etc/hangar/templates, builtin: true, default: debian-12}
 * reconciler: {concurrency: 8, poll-interval: 1s, resync-interval: 30s, base-backoff: 1s, max-attempts: 8}
 * providers:
 *   qemu: {accelerator: tcg}
 *   kubernetes: {enabled: false}
 * gateway: {listen-address: 127.0.0.1, listen-port: 2222}
 * autostop: {warning: 10m, max-lease: 24h, sweep-interval: 1m, write-interval: 1m}
 * leader-election: {mode: kubernetes, lease: hangar-server, lease-duration: 15s}
 * </pre>
 *
 * <p>Lists are refused except under {@code providers.<type>.}, where a list becomes indexed keys
 * ({@code pci-devices: [{name: a, address: b}]} is {@code pci-devices.0.name} and {@code
 * pci-devices.0.address}).
 *
 * <p>An unknown key of {@link #KEYS} is an error naming it. {@code providers.<type>.<key>} and
 * {@code gateway.<key>} are passed on unchecked: the provider of that type and the {@link
 * GatewayHook} reject keys they do not know when the server starts ({@link SshGatewayHook}
 * accepts {@code enabled}, {@code listen-address}, {@code listen-port}, {@code state-dir} and
 * {@code connect-timeout}; there is no {@code gateway.listen}). Each key {@code a.b-c} of {@link
 * #KEYS} (only those) can also be set by the environment variable {@code HANGAR_A_B_C}. Flags:
 * {@code --listen HOST:PORT}, {@code --home DIR}, {@code --config FILE} (read instead of {@code
 * $HANGAR_HOME/server.yaml}; a missing file is an error), {@code --set KEY=VALUE} (repeatable; also for
 * {@code providers.<type>.<key>} and {@code gateway.<key>}). Durations are {@code 500ms}, {@code
 * 2s}, {@code 5m}, {@code 1h}, {@code 90d} or ISO-8601 ({@code PT2S}).
 */
public final class ServerConfigLoader {
    /**
     * One key of {@code server.yaml} besides {@code providers.<type>.<key>} and {@code
     * gateway.<key>}.
     *
     * @param name the dotted lower-kebab key, e.g. {@code reconciler.poll-interval}
     * @param defaultValue the value that applies when the key is not set, written as the loader
     *     accepts it; {@code $HANGAR_HOME} and {@code $USER} stand for those values; empty for an
     *     empty default. docs/server-config.md shows it in the key's row.
     */
    public record Key(String name, String defaultValue) {}

    /**
     * Every key the loader accepts besides {@code providers.<type>.<key>} and {@code gateway.<key>},
     * in the order docs/server-config.md lists them. The loader rejects keys not in this table, and
     * a test checks that the reference documents exactly these keys with these defaults (and that
     * each default is the loader's): a new key is one line here plus one row there.
     */
    static final List<Key> KEYS = List.of(
            new Key("listen", ServerConfig.DEFAULT_HOST + ":" + ServerConfig.DEFAULT_PORT),
            new Key("admin", "$USER"),
            new Key("database.url", "jdbc:sqlite:$HANGAR_HOME/hangar.db"),
            new Key("database.username", ""),
            new Key("database.password", ""),
            new Key("templates.dir", "$HANGAR_HOME/templates"),
            new Key("templates.builtin", "true"),
            new Key("templates.default", ""),
            new Key("reconciler.concurrency", "8"),
            new Key("reconciler.poll-interval", "1s"),
            new Key("reconciler.resync-interval", "30s"),
            new Key("reconciler.base-backoff", "1s"),
            new Key("reconciler.max-attempts", "8"),
            new Key("audit.retention", "90d"),
            new Key("autostop.warning", "10m"),
            new Key("autostop.max-lease", "24h"),
            new Key("autostop.sweep-interval", "1m"),
            new Key("autostop.write-interval", "1m"),
            new Key("autostop.delete-after", ""),
            new Key("autostop.delete-warning", "24h"),
            new Key("quotas.member.running", ""),
            new Key("quotas.member.cpus", ""),
            new Key("quotas.member.memory-mib", ""),
            new Key("quotas.member.disk-gib", ""),
            new Key("quotas.member.devices", ""),
            new Key("quotas.admin.running", ""),
            new Key("quotas.admin.cpus", ""),
            new Key("quotas.admin.memory-mib", ""),
            new Key("quotas.admin.disk-gib", ""),
            new Key("quotas.admin.devices", ""),
            new Key("quotas.auditor.running", ""),
            new Key("quotas.auditor.cpus", ""),
            new Key("quotas.auditor.memory-mib", ""),
            new Key("quotas.auditor.disk-gib", ""),
            new Key("quotas.auditor.devices", ""),
            new Key("oidc.issuer", ""),
            new Key("oidc.client-id", ""),
            new Key("oidc.client-secret", ""),
            new Key("oidc.scopes", "openid profile"),
            new Key("oidc.username-claim", "preferred_username"),
            new Key("oidc.groups-claim", ""),
            new Key("oidc.role-mapping.admin", ""),
            new Key("oidc.role-mapping.auditor", ""),
            new Key("oidc.role-mapping.member", ""),
            new Key("oidc.default-role", "member"),
            new Key("oidc.token-expires", "30d"),
            new Key("labs.max-members", Integer.toString(LabSettings.DEFAULT_MAX_MEMBERS)),
            new Key("labs.subnet", LabSettings.DEFAULT_SUBNET),
            new Key("secrets.key-file", "$HANGAR_HOME/secrets.key"),
            new Key("secrets.max-per-user", "50"),
            new Key("dashboard.secure-cookies", "auto"),
            new Key("leader-election.mode", "none"),
            new Key("leader-election.lease", LeaderElectionSettings.DEFAULT_LEASE),
            new Key("leader-election.namespace", ""),
            new Key("leader-election.identity", ""),
            new Key("leader-election.lease-duration", "15s"),
            new Key("leader-election.renew-deadline", "10s"),
            new Key("leader-election.retry-period", "2s"),
            new Key("image-load.enabled", "false"),
            new Key("image-load.namespace", "hangar-image-load"),
            new Key("image-load.image", ""),
            new Key("image-load.ctr-path", "/usr/bin/ctr"),
            new Key("image-load.containerd-socket", "/run/containerd/containerd.sock"));

    private static final List<String> KEY_NAMES = KEYS.stream().map(Key::name).toList();

    private static final Pattern GATEWAY_KEY = Pattern.compile("gateway\\.([a-z0-9.-]+)");
    private static final Pattern LISTEN = Pattern.compile("(\\[[0-9a-fA-F:.]+]|[^:\\[\\]]+):(\\d{1,5})");

    private ServerConfigLoader() {}

    /** The usage text of the server's flags. */
    public static final String USAGE = """
            Usage: hangar server [--listen HOST:PORT] [--home DIR] [--config FILE] [--set KEY=VALUE]...
              --listen HOST:PORT  address of the HTTP API (default 127.0.0.1:7080)
              --home DIR          HANGAR_HOME (default $HANGAR_HOME, $XDG_DATA_HOME/hangar or ~/.local/share/hangar)
              --config FILE       the config file instead of $HANGAR_HOME/server.yaml (must exist),
                                  e.g. /etc/hangar/server.yaml from a ConfigMap in the server image
              --set KEY=VALUE     any server.yaml key, e.g. --set providers.qemu.accelerator=tcg
            Config file: $HANGAR_HOME/server.yaml; environment: HANGAR_<KEY> (e.g. HANGAR_DATABASE_URL;
            not for gateway.* and providers.* keys). Every key with its default: docs/server-config.md.""";

    /**
     * @param env the process environment
     * @param args command-line flags as described in the class comment
     * @param userHome the user's home directory (for the default {@code $HANGAR_HOME})
     * @throws ConfigException naming the unknown key or flag, or the malformed value
     */
    public static ServerConfig load(Map<String, String> env, List<String> args, Path userHome) {
        Map<String, String> flags = new LinkedHashMap<>();
        Path home = null;
        Path config = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String value;
            String name = a;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new ConfigException("flag " + a + " needs a value\n" + USAGE);
            }
            switch (name) {
                case "--listen" -> flags.put("listen", value);
                case "--home" -> home = Path.of(value).toAbsolutePath().normalize();
                case "--config" -> config = Path.of(value).toAbsolutePath().normalize();
                case "--set" -> {
                    int e = value.indexOf('=');
                    if (e <= 0) throw new ConfigException("--set needs KEY=VALUE, got '" + value + "'");
                    flags.put(value.substring(0, e), value.substring(e + 1));
                }
                default -> throw new ConfigException("unknown flag '" + name + "'\n" + USAGE);
            }
        }
        if (home == null)
            home = HangarPaths.home(env, userHome).toAbsolutePath().normalize();
        if (config != null && !Files.isRegularFile(config))
            throw new ConfigException("--config " + config + ": no such file");
        Map<String, String> values =
                new TreeMap<>(ServerConfigFile.read(config != null ? config : home.resolve("server.yaml")));
        for (String key : KEY_NAMES) {
            String v = env.get(envName(key));
            if (v != null && !v.isBlank()) values.put(key, v);
        }
        values.putAll(flags);
        return fromValues(ServerConfig.defaults(home, env), values);
    }

    /** @return the environment variable that sets {@code key}, e.g. {@code HANGAR_DATABASE_URL} */
    public static String envName(String key) {
        return "HANGAR_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Applies flat dotted {@code values} over {@code base}.
     *
     * @throws ConfigException naming unknown keys and malformed values
     */
    static ServerConfig fromValues(ServerConfig base, Map<String, String> values) {
        TreeSet<String> unknown = new TreeSet<>();
        Map<String, Map<String, String>> providers = new TreeMap<>();
        base.providers().forEach((t, s) -> providers.put(t, new TreeMap<>(s)));
        Map<String, String> gateway = new TreeMap<>(base.gateway());
        for (Map.Entry<String, String> e : values.entrySet()) {
            Matcher m = ServerConfigFile.PROVIDER_KEY.matcher(e.getKey());
            Matcher g = GATEWAY_KEY.matcher(e.getKey());
            if (m.matches()) {
                providers.computeIfAbsent(m.group(1), t -> new TreeMap<>()).put(m.group(2), e.getValue());
            } else if (g.matches()) {
                gateway.put(g.group(1), e.getValue());
            } else if (!KEY_NAMES.contains(e.getKey())) {
                unknown.add(e.getKey());
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException("unknown server config key(s) " + unknown + "; known keys: " + KEY_NAMES
                    + ", providers.<type>.<setting> and gateway.<setting>");
        }
        ConfigValues v = new ConfigValues(values);
        String host = base.listenHost();
        int port = base.listenPort();
        if (v.has("listen")) {
            Matcher m = LISTEN.matcher(v.string("listen", "").strip());
            if (!m.matches())
                throw new ConfigException(
                        "listen must be HOST:PORT (e.g. 127.0.0.1:7080), got '" + v.string("listen", "") + "'");
            host = m.group(1).startsWith("[")
                    ? m.group(1).substring(1, m.group(1).length() - 1)
                    : m.group(1);
            port = Integer.parseInt(m.group(2));
        }
        return new ServerConfig(
                host,
                port,
                base.home(),
                v.string("database.url", base.databaseUrl()),
                v.string("database.username", base.databaseUsername()),
                v.string("database.password", base.databasePassword()),
                v.has("templates.dir") ? base.home().resolve(v.string("templates.dir", "")) : base.templateDir(),
                v.bool("templates.builtin", base.builtinTemplates()),
                Map.copyOf(providers),
                reconciler(v, base.reconciler()),
                v.string("admin", base.adminName()),
                gateway,
                v.string("templates.default", base.defaultTemplate()),
                autostop(v, base.autostop()),
                v.duration("audit.retention", base.auditRetention()),
                QuotaConfig.parse(values, base.quotas()),
                OidcConfig.parse(values, base.oidc()),
                labs(v, base.labs()),
                new SecretSettings(
                        v.has("secrets.key-file")
                                ? base.home().resolve(v.string("secrets.key-file", ""))
                                : base.secrets().keyFile(),
                        v.integer(
                                "secrets.max-per-user",
                                0,
                                10_000,
                                base.secrets().maxPerUser())),
                secureCookies(v, base.dashboardSecureCookies()),
                leaderElection(v, base.leaderElection()),
                imageLoad(v, base.imageLoad()));
    }

    private static WorkspaceReconciler.Settings reconciler(ConfigValues v, WorkspaceReconciler.Settings r) {
        return new WorkspaceReconciler.Settings(
                v.integer("reconciler.concurrency", 1, 1024, r.concurrency()),
                v.duration("reconciler.poll-interval", r.pollInterval()),
                v.duration("reconciler.resync-interval", r.resyncInterval()),
                v.duration("reconciler.base-backoff", r.baseBackoff()),
                v.integer("reconciler.max-attempts", 1, 1_000_000, r.maxAttempts()));
    }

    private static AutostopSettings autostop(ConfigValues v, AutostopSettings base) {
        return new AutostopSettings(
                v.duration("autostop.warning", base.warning()),
                v.duration("autostop.max-lease", base.maxLease()),
                v.duration("autostop.sweep-interval", base.sweepInterval()),
                v.duration("autostop.write-interval", base.writeInterval()),
                v.durationOrOff("autostop.delete-after", base.deleteAfter()),
                v.duration("autostop.delete-warning", base.deleteWarning()));
    }

    private static ImageLoadSettings imageLoad(ConfigValues v, ImageLoadSettings base) {
        NodeImages.Settings loader = base.loader();
        return new ImageLoadSettings(
                v.bool("image-load.enabled", base.enabled()),
                new NodeImages.Settings(
                        v.string("image-load.namespace", loader.namespace()).strip(),
                        v.string("image-load.image", loader.loaderImage()).strip(),
                        v.string("image-load.ctr-path", loader.ctrPath()).strip(),
                        v.string("image-load.containerd-socket", loader.containerdSocket())
                                .strip()));
    }

    private static LeaderElectionSettings leaderElection(ConfigValues v, LeaderElectionSettings base) {
        return new LeaderElectionSettings(
                v.has("leader-election.mode")
                        ? LeaderElectionSettings.mode(v.string("leader-election.mode", ""))
                        : base.mode(),
                v.string("leader-election.lease", base.lease()),
                v.string("leader-election.namespace", base.namespace()),
                v.string("leader-election.identity", base.identity()),
                v.duration("leader-election.lease-duration", base.leaseDuration()),
                v.duration("leader-election.renew-deadline", base.renewDeadline()),
                v.duration("leader-election.retry-period", base.retryPeriod()));
    }

    private static SecureCookies secureCookies(ConfigValues v, SecureCookies base) {
        if (!v.has("dashboard.secure-cookies")) return base;
        try {
            return SecureCookies.parse(v.string("dashboard.secure-cookies", ""));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("dashboard.secure-cookies " + e.getMessage());
        }
    }

    private static LabSettings labs(ConfigValues v, LabSettings base) {
        int max = v.integer("labs.max-members", 1, LabAddresses.MAX_MEMBERS, base.maxMembers());
        LabAddresses subnet = base.subnet();
        if (v.has("labs.subnet")) {
            try {
                subnet = LabAddresses.parse(v.string("labs.subnet", ""));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("labs.subnet: " + e.getMessage(), e);
            }
        }
        return new LabSettings(max, subnet);
    }

    /** @return the known keys besides {@code providers.*} and {@code gateway.*}, in table order */
    public static List<String> keys() {
        return new ArrayList<>(KEY_NAMES);
    }
}
