package dev.hangar.cli.sshconfig;

import java.util.Objects;

/**
 * How clients reach the Hangar SSH gateway.
 *
 * @param host host name or IP address clients connect to, e.g. {@code 127.0.0.1}
 * @param port its port, 1..65535 (the gateway's default is 2222)
 * @param hostKey the gateway's public host key, {@code <type> <base64>} (a trailing comment is
 *     dropped), e.g. from {@code SshGateway#hostKeyLine()} or the server's API
 */
public record GatewayHost(String host, int port, String hostKey) {
    /**
     * @throws IllegalArgumentException saying which value is wrong
     */
    public GatewayHost {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(hostKey, "hostKey");
        if (host.isBlank() || !host.matches("[A-Za-z0-9._:-]+"))
            throw new IllegalArgumentException(
                    "gateway host '" + host + "' is not a host name or IP address (letters, digits, '.', '-', ':')");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("gateway port must be 1..65535; got " + port);
        hostKey = SshConfigFiles.publicKey("gateway host key", hostKey);
    }

    /**
     * @return the name OpenSSH looks this endpoint up under in known_hosts: {@code host} for port
     *     22, else {@code [host]:port} (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT")
     */
    public String knownHostsName() {
        return port == 22 ? host : "[" + host + "]:" + port;
    }
}
