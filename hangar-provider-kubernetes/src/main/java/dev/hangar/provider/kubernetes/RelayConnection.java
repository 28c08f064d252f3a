package dev.hangar.provider.kubernetes;

import io.fabric8.kubernetes.client.http.WebSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One local connection of a {@link StreamRelay} and its WebSocket, both directions flow-controlled.
 *
 * <ul>
 *   <li>Up ({@link #pump}, its own virtual thread): reads the local socket and sends each read as one
 *       message through a {@link WebSocketSender}, so the next read waits until the previous message
 *       has left. End of the local stream, a refused send or a stall closes the WebSocket.
 *   <li>Down (this listener): each message is written to the local socket on a virtual thread (so the
 *       WebSocket's threads never block on the local socket), and only then is the next message
 *       requested ({@link WebSocket#request()}).
 *       fabric8 hands each message over in a buffer of its own, so nothing is copied here.
 * </ul>
 *
 * <p>With {@link StreamRelay.Framing#PORT_FORWARD_V4}, data goes up after channel byte 0; the first
 * message of each channel coming down (the port number) is skipped, and error text on channel 1
 * after it is logged and closes this connection only. The WebSocket's close or failure closes the
 * local socket, after what was received before it is written. Thread-safe as used by {@link
 * StreamRelay}: one {@code pump} thread, the WebSocket's listener calls, one writing thread at a time.
 */
final class RelayConnection implements WebSocket.Listener {
    /**
     * Largest message sent up, channel byte included: 64 KiB, one WebSocket frame within the common
     * default frame limit (Vert.x's, under fabric8's mock server, closes the connection on larger
     * ones); a local read returns at most this much.
     */
    static final int MESSAGE_BYTES = 64 << 10;

    private static final Logger LOG = LoggerFactory.getLogger(RelayConnection.class);

    private final SocketChannel channel;
    private final StreamRelay.Target target;
    private final Runnable release;
    private final boolean channelled;
    private final boolean[] portSeen = new boolean[2];
    private volatile String failure;

    /**
     * @param release closes the local socket and forgets the connection; idempotent
     */
    RelayConnection(SocketChannel channel, StreamRelay.Target target, Runnable release) {
        this.channel = channel;
        this.target = target;
        this.release = release;
        this.channelled = target.framing() == StreamRelay.Framing.PORT_FORWARD_V4;
    }

    /** Copies the local socket up until it ends, then closes the WebSocket; runs on its own thread. */
    void pump(WebSocket ws) {
        WebSocketSender sender = new WebSocketSender(ws, target.stall(), () -> Optional.ofNullable(failure));
        int offset = channelled ? 1 : 0;
        ByteBuffer buffer = ByteBuffer.allocate(MESSAGE_BYTES);
        int code = 1000;
        try {
            while (true) {
                buffer.clear().position(offset);
                int n = channel.read(buffer);
                if (n < 0) break;
                if (n == 0) continue;
                buffer.flip();
                if (channelled) buffer.put(0, (byte) 0);
                sender.send(buffer);
            }
        } catch (IOException e) {
            // A closed local socket (the other direction ended) lands here too.
            if (channel.isOpen()) {
                LOG.info("relay to {}: connection ended: {}", target.name(), e.getMessage());
                code = 1001;
            }
        }
        ws.sendClose(code, code == 1000 ? "connection closed" : "relay error");
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
        onMessage(ws, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void onMessage(WebSocket ws, ByteBuffer bytes) {
        if (channelled) {
            if (!bytes.hasRemaining()) {
                ws.request();
                return;
            }
            int ch = bytes.get();
            if (ch == 0 || ch == 1) {
                synchronized (portSeen) {
                    if (!portSeen[ch]) {
                        // The first message of each channel carries the port number.
                        portSeen[ch] = true;
                        ws.request();
                        return;
                    }
                }
            }
            if (ch != 0) {
                String error = StandardCharsets.UTF_8.decode(bytes).toString().strip();
                LOG.warn("relay to {}: the API server reported on channel {}: {}", target.name(), ch, error);
                failure = error;
                ws.sendClose(1000, "");
                later(release);
                return;
            }
        }
        later(() -> {
            try {
                while (bytes.hasRemaining()) channel.write(bytes);
                ws.request();
            } catch (IOException e) {
                ws.sendClose(1001, "client connection closed");
                release.run();
            }
        });
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason) {
        failure = "closed by the API server (" + code + " " + reason + ")";
        ws.sendClose(1000, "");
        later(release);
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        failure = String.valueOf(error.getMessage());
        LOG.info("relay to {}: WebSocket failed: {}", target.name(), error.toString());
        later(release);
    }

    /**
     * Runs {@code task} on a virtual thread of its own. Tasks keep their order without a queue: the
     * WebSocket delivers the next message, close included ({@code java.net.http.WebSocket#request}
     * counts {@code onClose} as a receive method), only after the previous task called {@link
     * WebSocket#request()}; and nothing is left behind when the connection ends.
     */
    private void later(Runnable task) {
        Thread.ofVirtual().name("relay-down-" + target.name()).start(task);
    }
}
