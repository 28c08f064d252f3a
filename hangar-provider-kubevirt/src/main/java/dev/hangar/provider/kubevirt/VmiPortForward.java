package dev.hangar.provider.kubevirt;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.utils.URLUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loopback listener that relays every TCP connection it accepts to a port of a
 * VirtualMachineInstance through KubeVirt's {@code portforward} subresource: {@code GET
 * /apis/subresources.kubevirt.io/v1/namespaces/<ns>/virtualmachineinstances/<vmi>/portforward/<port>/tcp}
 * upgraded to a WebSocket with subprotocol {@value #SUBPROTOCOL}, whose binary messages carry the raw
 * TCP bytes both ways (no channel bytes, unlike {@code pods/portforward}). One WebSocket per
 * accepted connection, opened with the provider's fabric8 {@link HttpClient} (so with its
 * credentials and TLS settings); closing either side closes the other.
 *
 * <p>The listener is bound to {@code 127.0.0.1} on an ephemeral port at construction. A connection
 * whose WebSocket cannot be opened (VMI gone, virt-api refusing, RBAC) is closed at once; the
 * listener keeps accepting. Thread-safe; {@link #close()} is idempotent.
 */
final class VmiPortForward implements AutoCloseable {
    /** KubeVirt's subprotocol for a plain, single-channel binary stream. */
    static final String SUBPROTOCOL = "plain.kubevirt.io";

    private static final Logger LOG = LoggerFactory.getLogger(VmiPortForward.class);
    /** How often a sender checks whether its previous message went out. */
    private static final long SEND_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /** How long {@link #close()} waits for the listener to stop. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final HttpClient http;
    private final URI uri;
    private final String target;
    private final ServerSocket server;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    /**
     * Binds the listener and starts accepting; sends no request until a connection arrives.
     *
     * @throws IOException if no loopback port could be bound
     */
    VmiPortForward(KubernetesClient client, String namespace, String vmi, int port) throws IOException {
        Objects.requireNonNull(client, "client");
        this.http = client.getHttpClient();
        this.uri = WebSocket.toWebSocketUri(URI.create(URLUtils.join(
                client.getMasterUrl().toString(),
                "apis/subresources.kubevirt.io/v1/namespaces",
                namespace,
                "virtualmachineinstances",
                vmi,
                "portforward",
                Integer.toString(port),
                "tcp")));
        this.target = namespace + "/" + vmi + ":" + port;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.acceptor = Thread.ofVirtual().name("vmi-port-forward-" + target).start(this::accept);
    }

    /** @return the listener's address, {@code 127.0.0.1} */
    String host() {
        return server.getInetAddress().getHostAddress();
    }

    /** @return the listener's port */
    int port() {
        return server.getLocalPort();
    }

    /** @return whether the listener still accepts connections */
    boolean isAlive() {
        return !server.isClosed() && acceptor.isAlive();
    }

    /**
     * Stops listening and closes every relayed connection (and so its WebSocket). Returns once the
     * listener has stopped (at most {@link #CLOSE_WAIT}), so the port refuses connections afterwards.
     */
    @Override
    public void close() {
        LOG.info("closing port-forward to {} on port {}", target, port());
        closeQuietly(server);
        try {
            // A virtual thread blocked in accept() releases the listening socket when it wakes up.
            acceptor.join(CLOSE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.forEach(VmiPortForward::closeQuietly);
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
                if (server.isClosed()) {
                    closeQuietly(socket);
                    return;
                }
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.warn("port-forward to {}: listener on port {} failed: {}", target, port(), e.toString());
                    closeQuietly(server);
                }
                return;
            }
            connections.add(socket);
            http.newWebSocketBuilder()
                    .subprotocol(SUBPROTOCOL)
                    .uri(uri)
                    .connectTimeout(10, TimeUnit.SECONDS)
                    .buildAsync(new ToSocket(socket))
                    .whenComplete((ws, error) -> {
                        if (error != null) {
                            LOG.info("port-forward to {}: WebSocket refused: {}", target, error.toString());
                            release(socket);
                        } else {
                            Thread.ofVirtual()
                                    .name("vmi-port-forward-up-" + target)
                                    .start(() -> toWebSocket(socket, ws));
                        }
                    });
        }
    }

    /**
     * Copies what the TCP client sends into binary messages until it closes its side. One message in
     * flight at a time: the JDK WebSocket under fabric8's completes a send exceptionally while another
     * is pending ({@code java.net.http.WebSocket#sendBinary}), which would lose bytes; waiting also
     * paces reading to what the API server takes.
     */
    private void toWebSocket(Socket socket, WebSocket ws) {
        byte[] buffer = new byte[32 * 1024];
        try {
            InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n == 0) continue;
                if (!ws.send(ByteBuffer.wrap(Arrays.copyOf(buffer, n)))) break;
                while (ws.queueSize() > 0 && !socket.isClosed()) {
                    LockSupport.parkNanos(SEND_POLL_NANOS);
                }
            }
        } catch (IOException e) {
            LOG.debug("port-forward to {}: connection ended: {}", target, e.toString());
        }
        ws.sendClose(1000, "connection closed");
    }

    private void release(Socket socket) {
        connections.remove(socket);
        closeQuietly(socket);
    }

    /** Writes every message of the WebSocket to the TCP client; its close closes the connection. */
    private final class ToSocket implements WebSocket.Listener {
        private final Socket socket;

        ToSocket(Socket socket) {
            this.socket = socket;
        }

        @Override
        public void onMessage(WebSocket ws, String text) {
            onMessage(ws, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public void onMessage(WebSocket ws, ByteBuffer bytes) {
            try {
                OutputStream out = socket.getOutputStream();
                byte[] copy = new byte[bytes.remaining()];
                bytes.get(copy);
                out.write(copy);
                out.flush();
                ws.request();
            } catch (IOException e) {
                ws.sendClose(1001, "client connection closed");
                release(socket);
            }
        }

        @Override
        public void onClose(WebSocket ws, int code, String reason) {
            ws.sendClose(1000, "");
            release(socket);
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            LOG.info("port-forward to {}: WebSocket failed: {}", target, error.toString());
            release(socket);
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
