package dev.hangar.server;

import dev.hangar.core.audit.AuditEntry;
import dev.hangar.core.audit.AuditLog;
import dev.hangar.core.audit.AuditQueue;
import dev.hangar.core.autostop.ActivitySource;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.service.WorkspaceAdvice;
import dev.hangar.core.store.Store;
import dev.hangar.gateway.ConnectionRecord;
import dev.hangar.gateway.GatewayAudit;
import dev.hangar.gateway.GatewayConfig;
import dev.hangar.gateway.GatewayDirectory;
import dev.hangar.gateway.LoginRejection;
import dev.hangar.gateway.Outcome;
import dev.hangar.gateway.SshGateway;
import dev.hangar.gateway.WorkspaceTarget;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the {@link SshGateway} with the server: users are found by their registered keys'
 * SHA256 fingerprints, workspaces by owner and name in the store, and every relayed or denied
 * connection to a workspace is recorded as that workspace's {@code ssh-connection} event. Bytes
 * relayed to and from a workspace count as its activity for idle auto-stop.
 *
 * <p>Config keys ({@code gateway.*} in server.yaml): {@code enabled} (default true), {@code
 * listen-address} (default 127.0.0.1), {@code listen-port} (default 2222), {@code state-dir}
 * (default $HANGAR_HOME/gateway), {@code connect-timeout} (ISO-8601 or {@code 10s}, default 10 s).
 * Unknown keys are a startup error naming them.
 */
public final class SshGatewayHook implements GatewayHook {
    private static final Logger LOG = LoggerFactory.getLogger(SshGatewayHook.class);
    /** The {@code gateway.*} keys this hook accepts (docs/server-config.md documents exactly these). */
    static final Set<String> KEYS = Set.of("enabled", "listen-address", "listen-port", "state-dir", "connect-timeout");

    @Override
    public RunningGateway start(ServerContext ctx) {
        Map<String, String> settings = new HashMap<>(ctx.config().gateway());
        TreeSet<String> unknown = new TreeSet<>(settings.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty())
            throw new ConfigException("unknown gateway setting(s) " + unknown + "; known: " + new TreeSet<>(KEYS));
        String enabled = settings.getOrDefault("enabled", "true");
        if (!enabled.equals("true") && !enabled.equals("false"))
            throw new ConfigException("gateway.enabled must be true or false, got '" + enabled + "'");
        if (enabled.equals("false")) return RunningGateway.NONE;
        GatewayConfig config = new GatewayConfig(
                settings.getOrDefault("listen-address", GatewayConfig.DEFAULT_ADDRESS),
                port(settings.getOrDefault("listen-port", Integer.toString(GatewayConfig.DEFAULT_PORT))),
                stateDir(ctx.config()),
                duration(settings.getOrDefault("connect-timeout", "10s")));
        SshGateway gateway;
        try {
            gateway = SshGateway.start(
                    config,
                    new StoreDirectory(ctx.store(), ctx.providers()),
                    new EventAudit(ctx.store(), ctx.clock(), ctx.audit(), ctx.failedAuth()),
                    (workspaceId, bytes) -> ctx.activity().record(workspaceId, ActivitySource.SSH),
                    ctx.clock());
        } catch (RuntimeException e) {
            // Say it once: the gateway's own message already names the address.
            Throwable cause = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
            throw new ConfigException(
                    "cannot start the SSH gateway on " + config.listenAddress() + ":" + config.port() + ": "
                            + cause.getMessage()
                            + " (set gateway.listen-port to a free port, or gateway.enabled: false)",
                    e);
        }
        return new RunningGateway() {
            @Override
            public GatewayInfo info() {
                return new GatewayInfo(gateway.host(), gateway.port(), gateway.hostKeyLine());
            }

            @Override
            public void close() {
                gateway.close();
            }
        };
    }

    /** @return {@code gateway.state-dir}, else {@code $HANGAR_HOME/gateway}: where the host key lives */
    static java.nio.file.Path stateDir(ServerConfig config) {
        String dir = config.gateway().get("state-dir");
        return dir != null ? java.nio.file.Path.of(dir) : config.home().resolve("gateway");
    }

    private static int port(String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new ConfigException("gateway.listen-port must be a number 0..65535, got '" + s + "'", e);
        }
    }

    private static Duration duration(String s) {
        String v = s.strip().toLowerCase(java.util.Locale.ROOT);
        try {
            if (v.matches("\\d+s")) return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            if (v.matches("\\d+ms")) return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            return Duration.parse(s.strip());
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new ConfigException("gateway.connect-timeout must look like 10s, 500ms or PT10S, got '" + s + "'", e);
        }
    }

    /** Answers the gateway's questions from the store. Thread-safe (the store is). */
    static final class StoreDirectory implements GatewayDirectory {
        private final Store store;
        private final dev.hangar.core.reconcile.ProviderRegistry providers;

        StoreDirectory(Store store, dev.hangar.core.reconcile.ProviderRegistry providers) {
            this.store = store;
            this.providers = providers;
        }

        /** Asked at every USB/IP forward request: the provider's answer for a Running workspace. */
        @Override
        public Optional<java.nio.file.Path> usbipGuestSocket(String workspaceId) {
            return store.workspaces()
                    .find(workspaceId)
                    .flatMap(w -> dev.hangar.core.usb.UsbService.guestSocket(providers, w));
        }

        /** Asked at every login: a disabled user's keys find nobody, so the login fails at once. */
        @Override
        public Optional<String> userForKey(PublicKey key) {
            return store.users()
                    .findKey(KeyUtils.getFingerPrint(BuiltinDigests.sha256, key))
                    .flatMap(k -> store.users().find(k.owner()))
                    .filter(u -> !u.disabled())
                    .map(User::name);
        }

        @Override
        public boolean isAdmin(String user) {
            return store.users().find(user).map(User::admin).orElse(false);
        }

        @Override
        public Optional<WorkspaceTarget> workspace(String owner, String name) {
            return store.workspaces().findByName(owner, name).map(StoreDirectory::target);
        }

        private static WorkspaceTarget target(Workspace w) {
            if (w.phase() == Phase.Running && !w.sshHost().isEmpty() && w.sshPort() > 0) {
                return new WorkspaceTarget.Reachable(w.id(), w.owner(), w.sshHost(), w.sshPort());
            }
            return new WorkspaceTarget.Unreachable(
                    w.id(), w.owner(), w.phase().name(), w.reason(), WorkspaceAdvice.starting(w));
        }
    }

    /**
     * Records gateway connections as workspace events and in the audit log: {@code gateway.connect}
     * when a relay opens ({@code ok}) or a channel is refused ({@code denied}, or {@code error} when
     * the workspace was unreachable), {@code gateway.disconnect} when a relay closes, and {@code
     * auth.failed} (target {@code ssh-gateway/<claimed user>}) for a login no key got through. Targets are the
     * workspace's {@code owner/name} when the channel named one, else what the client asked for.
     *
     * <p>A rejected login goes through the {@link AuditQueue}, as a 401 does ({@link HttpAudit}):
     * anyone who can reach the gateway can fail logins in bulk, so MINA's threads never wait for the
     * database for them (stamped at once, written moments later; a full queue drops and counts in
     * {@code hangar_audit_dropped_total}). Connections by an authenticated user are written as the
     * gateway hands them over, on its own writer thread, in order (GatewayAudit); none is dropped.
     */
    static final class EventAudit implements GatewayAudit {
        private final Store store;
        private final Clock clock;
        private final AuditLog audit;
        private final AuditQueue failedLogins;

        EventAudit(Store store, Clock clock, AuditLog audit, AuditQueue failedLogins) {
            this.store = store;
            this.clock = clock;
            this.audit = audit;
            this.failedLogins = failedLogins;
        }

        @Override
        public void opened(ConnectionRecord r) {
            audit.record(r.user(), "gateway.connect", target(r), r.source(), AuditEntry.OK);
        }

        private String target(ConnectionRecord r) {
            return r.workspace()
                    .flatMap(id -> store.workspaces().find(id))
                    .map(w -> w.owner() + "/" + w.name())
                    .orElse(r.target());
        }

        @Override
        public void connection(ConnectionRecord r) {
            switch (r.outcome()) {
                case Outcome.Relayed ok ->
                    audit.record(r.user(), "gateway.disconnect", target(r), r.source(), AuditEntry.OK);
                case Outcome.Denied d ->
                    audit.record(r.user(), "gateway.connect", target(r), r.source(), AuditEntry.DENIED);
                case Outcome.Unreachable u ->
                    audit.record(r.user(), "gateway.connect", target(r), r.source(), AuditEntry.ERROR);
            }
            r.workspace().ifPresent(id -> {
                try {
                    store.events()
                            .append(new WorkspaceEvent(
                                    0,
                                    id,
                                    clock.instant().truncatedTo(ChronoUnit.MILLIS),
                                    r.user(),
                                    "ssh-connection",
                                    r.summary()));
                } catch (RuntimeException e) {
                    // The workspace may have been deleted while the connection was open.
                    LOG.info("ssh connection to workspace {} not recorded: {}", id, e.getMessage());
                }
            });
        }

        @Override
        public void loginRejected(LoginRejection r) {
            LOG.info("gateway login rejected: user {} from {} offered {}", r.user(), r.source(), r.offeredKeys());
            // Nobody was authenticated; the user name the client claimed is the target.
            failedLogins.offer(
                    AuditEntry.ANONYMOUS, "auth.failed", "ssh-gateway/" + r.user(), r.source(), AuditEntry.DENIED);
        }
    }
}
