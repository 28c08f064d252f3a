package dev.hangar.provider.kubevirt;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.utils.URLUtils;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One local listener that relays every stream connection it accepts to a byte-stream subresource of
 * a VirtualMachineInstance, {@code GET
 * /apis/subresources.kubevirt.io/v1/namespaces/<ns>/virtualmachineinstances/<vmi>/<subresource>}
 * upgraded to a WebSocket with subprotocol {@value #SUBPROTOCOL}, whose binary messages carry the raw
 * bytes both ways (no channel bytes, unlike {@code pods/portforward}). Two kinds:
 *
 * <ul>
 *   <li>{@link #portForward}: {@code portforward/<port>/tcp} (a TCP port of the guest) behind a TCP
 *       listener on {@code 127.0.0.1} with an ephemeral port;
 *   <li>{@link #console}: {@code console} (the guest's first serial port, as {@code virtctl console}
 *       reads it) behind a unix-domain stream socket (unix(7)), as {@link
 *       dev.hangar.provider.spi.ConsoleEndpoint} requires.
 * </ul>
 *
 * <p>One WebSocket per accepted connection, opened with the provider's fabric8 {@link HttpClient}
 * (so with its credentials and TLS settings); closing either side closes the other. A connection
 * whose WebSocket cannot be opened (VMI gone or not running, virt-api refusing, RBAC) is closed at
 * once; the listener keeps accepting. Thread-safe; {@link #close()} is idempotent and removes a unix
 * socket file.
 */
final class VmiStreamRelay implements AutoCloseable {
    /** KubeVirt's subprotocol for a plain, single-channel binary stream. */
    static final String SUBPROTOCOL = "plain.kubevirt.io";

    private static final Logger LOG = LoggerFactory.getLogger(VmiStreamRelay.class);
    /** How often a sender checks whether its previous message went out. */
    private static final long SEND_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /** How long {@link #close()} waits for the listener to stop. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final HttpClient http;
    private final java.net.URI uri;
    private final String target;
    private final ServerSocketChannel server;
    private final InetSocketAddress tcpAddress;
    private final Path unixSocket;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private VmiStreamRelay(
            KubernetesClient client, String namespace, String vmi, List<String> subresource, Path unixSocket)
            throws IOException {
        Objects.requireNonNull(client, "client");
        this.http = client.getHttpClient();
        List<String> parts = new ArrayList<>(List.of(
                client.getMasterUrl().toString(),
                "apis/subresources.kubevirt.io/v1/namespaces",
                namespace,
                "virtualmachineinstances",
                vmi));
        parts.addAll(subresource);
        this.uri = WebSocket.toWebSocketUri(java.net.URI.create(URLUtils.join(parts.toArray(String[]::new))));
        this.target = namespace + "/" + vmi + " " + String.join("/", subresource);
        this.unixSocket = unixSocket;
        if (unixSocket == null) {
            this.server = ServerSocketChannel.open(StandardProtocolFamily.INET);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            this.tcpAddress = (InetSocketAddress) server.getLocalAddress();
        } else {
            // A socket file left by a killed JVM would make bind fail; it carries no state.
            Files.deleteIfExists(unixSocket);
            this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(unixSocket));
            this.tcpAddress = null;
        }
        this.acceptor = Thread.ofVirtual().name("vmi-relay-" + target).start(this::accept);
    }

    /**
     * Binds a TCP listener on {@code 127.0.0.1} (ephemeral port) relaying to the guest's TCP {@code
     * port}; sends no request until a connection arrives.
     *
     * @throws IOException if no loopback port could be bound
     */
    static VmiStreamRelay portForward(KubernetesClient client, String namespace, String vmi, int port)
            throws IOException {
        return new VmiStreamRelay(client, namespace, vmi, List.of("portforward", Integer.toString(port), "tcp"), null);
    }

    /**
     * Binds a unix-domain listener at {@code socket} (replacing a stale socket file) relaying to the
     * VMI's serial console; sends no request until a connection arrives. virt-api serves one console
     * connection per VMI at a time.
     *
     * @param socket absolute path, at most 107 bytes ({@code sun_path}); its directory must exist
     * @throws IOException if the socket cannot be bound
     */
    static VmiStreamRelay console(KubernetesClient client, String namespace, String vmi, Path socket)
            throws IOException {
        return new VmiStreamRelay(client, namespace, vmi, List.of("console"), Objects.requireNonNull(socket));
    }

    /** @return the TCP listener's address, {@code 127.0.0.1} */
    String host() {
        return requireTcp().getAddress().getHostAddress();
    }

    /** @return the TCP listener's port */
    int port() {
        return requireTcp().getPort();
    }

    /** @return whether the listener still accepts connections */
    boolean isAlive() {
        return server.isOpen() && acceptor.isAlive();
    }

    /**
     * Stops listening and closes every relayed connection (and so its WebSocket). Returns once the
     * listener has stopped (at most {@link #CLOSE_WAIT}), so the endpoint refuses connections
     * afterwards; a unix socket file is deleted.
     */
    @Override
    public void close() {
        LOG.info("closing relay to {}", target);
        closeQuietly(server);
        try {
            acceptor.join(CLOSE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.forEach(VmiStreamRelay::closeQuietly);
        if (unixSocket != null) {
            try {
                Files.deleteIfExists(unixSocket);
            } catch (IOException e) {
                LOG.debug("cannot delete {}: {}", unixSocket, e.toString());
            }
        }
    }

    private InetSocketAddress requireTcp() {
        if (tcpAddress == null) throw new IllegalStateException("a unix-socket relay has no TCP address");
        return tcpAddress;
    }

    private void accept() {
        while (server.isOpen()) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.warn("relay to {}: listener failed: {}", target, e.toString());
                    closeQuietly(server);
                }
                return;
            }
            connections.add(channel);
            http.newWebSocketBuilder()
                    .subprotocol(SUBPROTOCOL)
                    .uri(uri)
                    .connectTimeout(10, TimeUnit.SECONDS)
                    .buildAsync(new ToChannel(channel))
                    .whenComplete((ws, error) -> {
                        if (error != null) {
                            LOG.info("relay to {}: WebSocket refused: {}", target, error.toString());
                            release(channel);
                        } else {
                            Thread.ofVirtual().name("vmi-relay-up-" + target).start(() -> toWebSocket(channel, ws));
                        }
                    });
        }
    }

    /**
     * Copies what the local client sends into binary messages until it closes its side. One message
     * in flight at a time: the JDK WebSocket under fabric8's completes a send exceptionally while
     * another is pending ({@code java.net.http.WebSocket#sendBinary}), which would lose bytes; waiting
     * also paces reading to what the API server takes. A SocketChannel allows this one reader beside
     * the listener's one writer.
     */
    private void toWebSocket(SocketChannel channel, WebSocket ws) {
        ByteBuffer buffer = ByteBuffer.allocate(32 * 1024);
        try {
            while (channel.read(buffer.clear()) >= 0) {
                if (buffer.position() == 0) continue;
                buffer.flip();
                ByteBuffer copy =
                        ByteBuffer.allocate(buffer.remaining()).put(buffer).flip();
                if (!ws.send(copy)) break;
                while (ws.queueSize() > 0 && channel.isOpen()) {
                    LockSupport.parkNanos(SEND_POLL_NANOS);
                }
            }
        } catch (IOException e) {
            LOG.debug("relay to {}: connection ended: {}", target, e.toString());
        }
        ws.sendClose(1000, "connection closed");
    }

    private void release(SocketChannel channel) {
        connections.remove(channel);
        closeQuietly(channel);
    }

    /** Writes every message of the WebSocket to the local client; its close closes the connection. */
    private final class ToChannel implements WebSocket.Listener {
        private final SocketChannel channel;

        ToChannel(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void onMessage(WebSocket ws, String text) {
            onMessage(ws, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public void onMessage(WebSocket ws, ByteBuffer bytes) {
            try {
                while (bytes.hasRemaining()) channel.write(bytes);
                ws.request();
            } catch (IOException e) {
                ws.sendClose(1001, "client connection closed");
                release(channel);
            }
        }

        @Override
        public void onClose(WebSocket ws, int code, String reason) {
            ws.sendClose(1000, "");
            release(channel);
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            LOG.info("relay to {}: WebSocket failed: {}", target, error.toString());
            release(channel);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.debug("close failed: {}", e.toString());
        }
    }
}
