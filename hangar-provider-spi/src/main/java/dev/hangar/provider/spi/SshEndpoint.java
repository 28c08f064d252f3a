package dev.hangar.provider.spi;

import java.util.Objects;

/**
 * Where the workspace's own sshd can be reached from the control plane (the SSH gateway connects
 * here and relays bytes).
 *
 * @param host a host name or IP address, usually {@code 127.0.0.1} for local VMs
 * @param port a TCP port, 1..65535
 */
public record SshEndpoint(String host, int port) {
    public SshEndpoint {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port must be 1..65535, got " + port);
    }

    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
