package dev.hangar.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.global.KeepAliveHandler;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.server.global.NoMoreSessionsHandler;
import org.apache.sshd.server.session.ServerUserAuthServiceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Hangar SSH gateway: an SSH server (Apache MINA SSHD) that OpenSSH clients use as a jump host
 * ({@code ProxyJump}, {@code ssh -J}, {@code ssh -W}).
 *
 * <ul>
 *   <li>Authentication: public key only, against the keys users registered ({@link
 *       GatewayDirectory#userForKey}); the SSH user name must be the key's owner. Password,
 *       keyboard-interactive, host-based and GSSAPI are not offered.
 *   <li>Channels: only {@code direct-tcpip} to {@code <ws>[.<owner>][.hangar]:22}, authorised by
 *       ownership (admins: any workspace) and relayed to the workspace's sshd endpoint reported by
 *       the directory. The SSH session inside is end-to-end between the client and the workspace,
 *       so the gateway never sees its contents; {@code ssh -R}, agent forwarding, scp and sftp to a
 *       workspace are served by the workspace's sshd.
 *   <li>USB/IP (ADR 0019): {@code tcpip-forward} for {@code <ws>[.<owner>].usbip:3240} only, for a
 *       workspace the user may use whose VM has a USB/IP guest forward, one per workspace; guest
 *       connections come back as {@code forwarded-tcpip} channels ({@link UsbipForwardHandler}).
 *   <li>Refused (and audited): {@code session} channels (shell, exec, subsystems, and thus agent and
 *       X11 forwarding on the gateway), every other {@code tcpip-forward} and {@code
 *       streamlocal-forward} on the gateway, any other target.
 *   <li>Audit: one {@link ConnectionRecord} per channel, one {@link LoginRejection} per
 *       unauthenticated connection, through {@link GatewayAudit}.
 *   <li>Host key: Ed25519, generated once into {@link GatewayConfig#stateDir()} (mode 0600) and
 *       reused on restart.
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} stops listening and closes all connections; it is idempotent.
 */
public final class SshGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SshGateway.class);

    private final SshServer server;
    private final KeyPair hostKey;
    private final AuditContext context;

    private SshGateway(SshServer server, KeyPair hostKey, AuditContext context) {
        this.server = server;
        this.hostKey = hostKey;
        this.context = context;
    }

    /** Same as {@link #start(GatewayConfig, GatewayDirectory, GatewayAudit, Clock)} with the UTC system clock. */
    /**
     * The gateway's host key file in {@code stateDir} ({@value HostKeyFile#FILE_NAME}), generated
     * first (Ed25519, mode 0600) when absent, exactly as {@link #start} would. The server uses it to
     * seed or replace the key shared by its replicas before the gateway starts.
     *
     * @return the file, holding a valid Ed25519 OpenSSH private key
     * @throws IllegalStateException when an existing file is too open or not an Ed25519 key
     * @throws UncheckedIOException when the directory or file cannot be read or written
     */
    public static java.nio.file.Path ensureHostKey(java.nio.file.Path stateDir) {
        HostKeyFile.loadOrCreate(stateDir);
        return stateDir.resolve(HostKeyFile.FILE_NAME);
    }

    public static SshGateway start(GatewayConfig config, GatewayDirectory directory, GatewayAudit audit) {
        return start(config, directory, audit, Clock.systemUTC());
    }

    /**
     * Loads or generates the host key and starts listening.
     *
     * @param clock source of the timestamps and durations in audit records
     * @throws UncheckedIOException when the port cannot be bound (the message names address and port)
     *     or the state directory cannot be used
     * @throws IllegalStateException when the host key file is unusable (the message says how to fix it)
     */
    public static SshGateway start(GatewayConfig config, GatewayDirectory directory, GatewayAudit audit, Clock clock) {
        return start(config, directory, audit, GatewayActivity.NONE, clock);
    }

    /**
     * Loads or generates the host key and starts listening, reporting relayed bytes to {@code
     * activity} (throttled per channel, see {@link GatewayActivity}).
     *
     * @param clock source of the timestamps and durations in audit records and of the activity
     *     throttle
     * @throws UncheckedIOException when the port cannot be bound (the message names address and port)
     *     or the state directory cannot be used
     * @throws IllegalStateException when the host key file is unusable (the message says how to fix it)
     */
    public static SshGateway start(
            GatewayConfig config,
            GatewayDirectory directory,
            GatewayAudit audit,
            GatewayActivity activity,
            Clock clock) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(activity, "activity");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(clock, "clock");
        KeyPair hostKey = HostKeyFile.loadOrCreate(config.stateDir());
        AuditContext context = new AuditContext(audit, clock, config.connectTimeout(), activity);
        KeyAuthenticator authenticator = new KeyAuthenticator(directory, context);

        SshServer sshd = SshServer.setUpDefaultServer();
        sshd.setHost(config.listenAddress());
        sshd.setPort(config.port());
        sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        sshd.setCipherFactories(aesGcmFirst(sshd.getCipherFactories()));
        sshd.setServiceFactories(
                List.of(ServerUserAuthServiceFactory.INSTANCE, new ExplainingConnectionService.Factory()));
        sshd.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        sshd.setPublickeyAuthenticator(authenticator);
        sshd.setPasswordAuthenticator(null);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setGSSAuthenticator(null);
        sshd.setHostBasedAuthenticator(null);
        sshd.setShellFactory(null);
        sshd.setCommandFactory(null);
        sshd.setSubsystemFactories(List.of());
        sshd.setAgentFactory(null);
        AccessPolicy policy = new AccessPolicy(directory);
        sshd.setChannelFactories(List.of(
                new RelayChannelFactory(policy, context),
                RefusedChannel.factory("session", context),
                RefusedChannel.factory("direct-streamlocal@openssh.com", context)));
        sshd.setGlobalRequestHandlers(List.of(
                KeepAliveHandler.INSTANCE,
                NoMoreSessionsHandler.INSTANCE,
                new UsbipForwardHandler(policy, directory, context),
                new RefuseForwardingHandler(context)));
        sshd.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        // MINA closes sessions idle for 10 minutes by default; an idle terminal relayed to a
        // workspace is normal, so only the workspace's sshd (ClientAlive*) decides about idleness.
        CoreModuleProperties.IDLE_TIMEOUT.set(sshd, Duration.ZERO);
        // MINA leaves Nagle on for accepted sockets. The relay writes each packet as soon as the
        // workspace sends it; with Nagle a small packet behind an unacknowledged one waits for
        // the client's delayed ACK (40 ms on Linux), which request/response protocols carried
        // through the gateway (USB/IP: three round trips per disk read) pay again and again.
        CoreModuleProperties.TCP_NODELAY.set(sshd, true);
        // MINA's transport, except that the USB/IP guest readers run their own write completions.
        sshd.setIoServiceFactoryFactory(new GatewayTransport());
        sshd.addSessionListener(authenticator);
        try {
            sshd.start();
        } catch (IOException e) {
            try {
                sshd.stop(true);
            } catch (IOException ignored) {
                LOG.debug("stopping a gateway that failed to start", ignored);
            }
            context.close();
            throw new UncheckedIOException(
                    "cannot start the SSH gateway on " + config.listenAddress() + ":" + config.port() + " ("
                            + e.getMessage() + "); set gateway.listen-port to a free port",
                    e);
        }
        SshGateway gateway = new SshGateway(sshd, hostKey, context);
        LOG.info(
                "SSH gateway listening on {}:{}, host key {}",
                gateway.host(),
                gateway.port(),
                KeyUtils.getFingerPrint(BuiltinDigests.sha256, hostKey.getPublic()));
        return gateway;
    }

    /**
     * The same cipher set in MINA's order, except that AES-GCM comes first. The client's order
     * decides (RFC 4253 7.1), so this matters for clients that follow the server's hint or list no
     * preference of their own; OpenSSH clients get the same preference from {@code hangar
     * config-ssh}. Why: the JDK runs AES-GCM on AES-NI and carry-less multiply, MINA's
     * chacha20-poly1305 is plain Java and decrypting it was half the gateway's CPU under scp
     * (bench/README.md, #18).
     */
    static List<NamedFactory<Cipher>> aesGcmFirst(List<NamedFactory<Cipher>> ciphers) {
        List<NamedFactory<Cipher>> ordered = new java.util.ArrayList<>(ciphers);
        ordered.sort(java.util.Comparator.comparing(
                c -> !c.getName().startsWith("aes") || !c.getName().contains("-gcm@")));
        return List.copyOf(ordered);
    }

    /** @return the bound port (the ephemeral one when configured with port 0) */
    public int port() {
        return server.getPort();
    }

    /** @return the address the gateway listens on, as configured (e.g. {@code 127.0.0.1}) */
    public String host() {
        for (SocketAddress a : server.getBoundAddresses()) {
            if (a instanceof InetSocketAddress i) return i.getHostString();
        }
        return server.getHost();
    }

    /** @return the gateway's public host key */
    public PublicKey hostKey() {
        return hostKey.getPublic();
    }

    /**
     * @return the host key in OpenSSH public-key form, {@code ssh-ed25519 AAAA...} (no comment), as
     *     {@code hangar config-ssh} writes it to known_hosts
     */
    public String hostKeyLine() {
        return PublicKeyEntry.toString(hostKey.getPublic());
    }

    /**
     * Stops listening, closes every connection and writes the connection records still waiting for
     * the audit sink (at most 10 s). Idempotent.
     */
    @Override
    public void close() {
        try {
            server.stop(true);
        } catch (IOException e) {
            LOG.warn("error while stopping the SSH gateway", e);
        } finally {
            context.close();
        }
    }
}
