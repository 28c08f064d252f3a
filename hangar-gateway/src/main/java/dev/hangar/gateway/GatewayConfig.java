package dev.hangar.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the {@link SshGateway}. Config keys (lower-kebab, as the server reads them):
 * {@code gateway.listen-address}, {@code gateway.listen-port}, {@code gateway.state-dir},
 * {@code gateway.connect-timeout}.
 *
 * @param listenAddress address to bind, e.g. {@code 127.0.0.1} (the default: loopback only)
 * @param port TCP port to bind, 1..65535, or 0 for an ephemeral port (tests); see {@link
 *     SshGateway#port()} for the bound one
 * @param stateDir directory holding the gateway's host key ({@value HostKeyFile#FILE_NAME}); created
 *     with mode 0700 if absent, normally {@code $HANGAR_HOME/gateway}
 * @param connectTimeout how long to wait for a workspace's sshd to accept the TCP connection
 */
public record GatewayConfig(String listenAddress, int port, Path stateDir, Duration connectTimeout) {
    /** The default listen address: loopback only. */
    public static final String DEFAULT_ADDRESS = "127.0.0.1";

    /** The default port, as in the issue (OpenSSH's usual alternative port). */
    public static final int DEFAULT_PORT = 2222;

    /** The default connect timeout to a workspace's sshd. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * @throws IllegalArgumentException naming the field and the allowed values
     */
    public GatewayConfig {
        Objects.requireNonNull(listenAddress, "listenAddress");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (listenAddress.isBlank())
            throw new IllegalArgumentException("gateway.listen-address is empty; use e.g. 127.0.0.1");
        if (port < 0 || port > 65535)
            throw new IllegalArgumentException("gateway.listen-port must be 0..65535 (0 = any free port); got " + port);
        if (connectTimeout.isNegative() || connectTimeout.isZero())
            throw new IllegalArgumentException("gateway.connect-timeout must be positive; got " + connectTimeout);
    }

    /** @return 127.0.0.1:2222, state in {@code stateDir}, 10 s connect timeout */
    public static GatewayConfig defaults(Path stateDir) {
        return new GatewayConfig(DEFAULT_ADDRESS, DEFAULT_PORT, stateDir, DEFAULT_CONNECT_TIMEOUT);
    }

    /** @return a copy listening on {@code newPort} */
    public GatewayConfig withPort(int newPort) {
        return new GatewayConfig(listenAddress, newPort, stateDir, connectTimeout);
    }
}
