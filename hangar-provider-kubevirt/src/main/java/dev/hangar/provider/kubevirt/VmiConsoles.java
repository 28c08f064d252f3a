package dev.hangar.provider.kubevirt;

import dev.hangar.provider.spi.ConsoleEndpoint;
import dev.hangar.provider.spi.ProviderException;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The unix-socket relays to workspace VMs' serial consoles ({@link VmiStreamRelay#console}, KubeVirt's
 * VMI {@code console} subresource), one per workspace, at {@code <dir>/<workspace id>.sock}.
 *
 * <p>A relay is opened on the first {@link #open} and kept while its listener lives; it needs no
 * running VMI (each connection opens its own WebSocket, which virt-api refuses while none runs, and
 * then the connection is closed at once). Relays are closed when the workspace is deleted and with the
 * provider. Thread-safe.
 */
final class VmiConsoles implements AutoCloseable {
    /** Linux's {@code sun_path} holds 108 bytes including the terminating NUL (unix(7)). */
    static final int MAX_SOCKET_PATH = 107;

    private final KubernetesClient client;
    private final Path dir;
    private final Map<String, VmiStreamRelay> relays = new ConcurrentHashMap<>();

    /**
     * @param client the provider's API client (its HTTP client opens the WebSockets)
     * @param dir where the sockets live; created on first use with mode 0700 by the caller's umask
     */
    VmiConsoles(KubernetesClient client, Path dir) {
        this.client = Objects.requireNonNull(client, "client");
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath();
    }

    /**
     * Returns the console socket of the workspace's VM, opening (or re-opening a dead) relay as needed.
     * Sends no request: each connection to the socket does.
     *
     * @throws ProviderException (permanent) if the socket path would pass {@value #MAX_SOCKET_PATH}
     *     bytes; (transient) if it cannot be bound
     */
    ConsoleEndpoint open(String workspaceId, String namespace, String vmi) {
        Path socket = dir.resolve(workspaceId + ".sock");
        int length = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_SOCKET_PATH)
            throw new ProviderException(
                    "console socket path " + socket + " is " + length + " bytes, over unix(7)'s " + MAX_SOCKET_PATH
                            + "; give the server a shorter data directory",
                    true);
        relays.compute(workspaceId, (id, existing) -> {
            if (existing != null && existing.isAlive()) return existing;
            if (existing != null) existing.close();
            try {
                Files.createDirectories(dir);
                return VmiStreamRelay.console(client, namespace, vmi, socket);
            } catch (IOException e) {
                throw new ProviderException(
                        "cannot open the console relay to VMI " + namespace + "/" + vmi + " at " + socket + ": "
                                + e.getMessage(),
                        false,
                        e);
            }
        });
        return new ConsoleEndpoint(socket);
    }

    /** Closes the workspace's relay, if any, and removes its socket; idempotent. */
    void close(String workspaceId) {
        VmiStreamRelay relay = relays.remove(workspaceId);
        if (relay != null) relay.close();
    }

    /** Closes every relay; idempotent. */
    @Override
    public void close() {
        relays.keySet().forEach(this::close);
    }
}
