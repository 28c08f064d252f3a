package dev.hangar.provider.kubernetes;

import io.fabric8.kubernetes.client.http.HttpClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One local listener that relays every stream connection it accepts to its own WebSocket on an API
 * server byte-stream subresource: a Pod's {@code portforward} ({@link Framing#PORT_FORWARD_V4}) or a
 * KubeVirt VMI's {@code portforward} or {@code console} ({@link Framing#RAW}). The listener is either
 * TCP on {@code 127.0.0.1} with an ephemeral port, or a unix-domain stream socket (unix(7)).
 *
 * <p>Both directions are flow-controlled, which fabric8's {@code LocalPortForward} is not (see {@link
 * WebSocketSender}): a message is sent only once the previous one has left, so a slow network slows
 * the reading of the local socket; and the next message is requested from the WebSocket only once the
 * previous one is written to the local socket, so a slow local reader slows the API server. Details
 * per connection in {@link RelayConnection}.
 *
 * <p>One WebSocket per accepted connection, opened with the given fabric8 {@link HttpClient} (the
 * provider's, so with its credentials and TLS); closing either side closes the other. A connection
 * whose WebSocket cannot be opened (pod or VMI gone, RBAC, the API server refusing) is closed at once;
 * an error the API server reports for one connection (channel 1 of {@code portforward.k8s.io}) closes
 * that connection only. The listener keeps accepting until {@link #close()}. Thread-safe; {@link
 * #close()} is idempotent and removes a unix socket file.
 */
public final class StreamRelay implements AutoCloseable {
    /** How the WebSocket's binary messages carry the stream. */
    public enum Framing {
        /** Raw bytes both ways (KubeVirt's {@code plain.kubevirt.io}). */
        RAW,
        /**
         * {@code v4.channel.k8s.io} of {@code pods/portforward} for one port: client data after a
         * channel byte 0; from the server, each channel's first message carries the port number (two
         * bytes, little-endian), then data on channel 0 and error text on channel 1.
         */
        PORT_FORWARD_V4
    }

    /**
     * What each connection is relayed to.
     *
     * @param uri the WebSocket URI ({@code ws:} or {@code wss:})
     * @param subprotocol the WebSocket subprotocol to ask for
     * @param framing how messages carry the stream
     * @param name what to call it in logs, e.g. {@code pod ns/name:2222}
     * @param stall how long one message may take to leave before the connection is given up
     */
    public record Target(URI uri, String subprotocol, Framing framing, String name, Duration stall) {
        public Target {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(subprotocol, "subprotocol");
            Objects.requireNonNull(framing, "framing");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(stall, "stall");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(StreamRelay.class);
    /** How long {@link #close()} waits for the listener to stop. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final HttpClient http;
    private final Target target;
    private final ServerSocketChannel server;
    private final Optional<InetSocketAddress> tcpAddress;
    private final Optional<Path> unixSocket;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private StreamRelay(HttpClient http, Target target, Optional<Path> unixSocket) throws IOException {
        this.http = Objects.requireNonNull(http, "http");
        this.target = Objects.requireNonNull(target, "target");
        this.unixSocket = unixSocket;
        if (unixSocket.isEmpty()) {
            this.server = ServerSocketChannel.open(StandardProtocolFamily.INET);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            this.tcpAddress = Optional.of((InetSocketAddress) server.getLocalAddress());
        } else {
            // A socket file left by a killed JVM would make bind fail; it carries no state.
            Files.deleteIfExists(unixSocket.get());
            this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(unixSocket.get()));
            this.tcpAddress = Optional.empty();
        }
        this.acceptor = Thread.ofVirtual().name("relay-" + target.name()).start(this::accept);
    }

    /**
     * Binds a TCP listener on {@code 127.0.0.1} (ephemeral port, loopback only) relaying to {@code
     * target}; sends no request until a connection arrives.
     *
     * @throws IOException if no loopback port could be bound
     */
    public static StreamRelay tcp(HttpClient http, Target target) throws IOException {
        return new StreamRelay(http, target, Optional.empty());
    }

    /**
     * Binds a unix-domain listener at {@code socket} (replacing a stale socket file) relaying to {@code
     * target}; sends no request until a connection arrives.
     *
     * @param socket absolute path, at most 107 bytes ({@code sun_path}); its directory must exist
     * @throws IOException if the socket cannot be bound
     */
    public static StreamRelay unix(HttpClient http, Target target, Path socket) throws IOException {
        return new StreamRelay(http, target, Optional.of(Objects.requireNonNull(socket, "socket")));
    }

    /** @return the TCP listener's address, {@code 127.0.0.1} */
    public String host() {
        return requireTcp().getAddress().getHostAddress();
    }

    /** @return the TCP listener's port */
    public int port() {
        return requireTcp().getPort();
    }

    /** @return whether the listener still accepts connections */
    public boolean isAlive() {
        return server.isOpen() && acceptor.isAlive();
    }

    /**
     * Stops listening and closes every relayed connection (and so its WebSocket). Returns once the
     * listener has stopped (at most 5 s), so the endpoint refuses connections afterwards; a unix
     * socket file is deleted.
     */
    @Override
    public void close() {
        LOG.info("closing relay to {}", target.name());
        closeQuietly(server);
        try {
            acceptor.join(CLOSE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.forEach(StreamRelay::closeQuietly);
        if (unixSocket.isPresent()) {
            try {
                Files.deleteIfExists(unixSocket.get());
            } catch (IOException e) {
                LOG.debug("cannot delete {}: {}", unixSocket.get(), e.toString());
            }
        }
    }

    private InetSocketAddress requireTcp() {
        return tcpAddress.orElseThrow(() -> new IllegalStateException("a unix-socket relay has no TCP address"));
    }

    private void accept() {
        while (server.isOpen()) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.warn("relay to {}: listener failed: {}", target.name(), e.toString());
                    closeQuietly(server);
                }
                return;
            }
            connections.add(channel);
            RelayConnection connection = new RelayConnection(channel, target, () -> release(channel));
            http.newWebSocketBuilder()
                    .subprotocol(target.subprotocol())
                    .uri(target.uri())
                    .connectTimeout(10, TimeUnit.SECONDS)
                    .buildAsync(connection)
                    .whenComplete((ws, error) -> {
                        if (error != null) {
                            LOG.info("relay to {}: WebSocket refused: {}", target.name(), error.toString());
                            release(channel);
                        } else {
                            Thread.ofVirtual().name("relay-up-" + target.name()).start(() -> connection.pump(ws));
                        }
                    });
        }
    }

    private void release(SocketChannel channel) {
        connections.remove(channel);
        closeQuietly(channel);
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.debug("close failed: {}", e.toString());
        }
    }
}
