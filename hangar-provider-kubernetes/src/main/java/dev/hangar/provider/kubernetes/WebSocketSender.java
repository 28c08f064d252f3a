package dev.hangar.provider.kubernetes;

import io.fabric8.kubernetes.client.http.WebSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Sends binary messages on a fabric8 {@link WebSocket} one at a time: each send waits until the
 * previous message has left, so a network slower than the sender back-pressures the sender (and,
 * through it, whatever it reads from) instead of losing bytes.
 *
 * <p><b>Why.</b> fabric8's JDK-client WebSocket ({@code JdkWebSocketImpl.send}, kubernetes-client
 * 7.5.2) hands each message to {@code java.net.http.WebSocket.sendBinary}, which refuses a send while
 * another is pending (its future completes with {@code IllegalStateException}); fabric8 then
 * returns {@code false}. Its port-forward pump ({@code PortForwarderWebsocketListener.pipe}, used by
 * {@code LocalPortForward}) ignores that result and reads the next 4 KiB, so every read that arrives
 * while a send is still pending is dropped: measured on the project's cluster, 4,084 bytes of 20 MiB
 * (see {@link LoaderPortForward}), and through a Pod's {@code LocalPortForward} 2,568,192 and
 * 17,895,424 bytes of 100 MiB uploaded (2026-12-04, {@code PortForwardBenchmark}); downloads arrived
 * whole (fabric8 requests the next message only after writing the previous one). No fabric8 issue
 * found names this loss (searched 2026-12-04); the closest, fabric8io/kubernetes-client#4149
 * ("PortForwarding cleanups", 2022), says non-blocking channels may lose data, and the listener
 * extracted in #4159 still ignores {@code send}'s result.
 *
 * <p>fabric8's WebSocket exposes no completion future for a send, only {@link WebSocket#queueSize()}
 * (bytes handed over and not yet written), so the wait polls it, starting at 20 µs and backing off to
 * 1 ms. fabric8 copies each message before sending it, so callers may reuse their buffer once {@link
 * #send} returns. Not thread-safe: one sender per WebSocket, used by one thread.
 */
public final class WebSocketSender {
    private static final long FIRST_POLL_NANOS = 20_000;
    private static final long LAST_POLL_NANOS = 1_000_000;

    private final WebSocket ws;
    private final Duration stall;
    private final Supplier<Optional<String>> failure;

    /**
     * @param ws the open WebSocket
     * @param stall how long one message may take to leave before {@link #send} gives up
     * @param failure why the WebSocket failed, once it has (checked while waiting, so a broken socket
     *     ends the wait at once and the error names the cause)
     */
    public WebSocketSender(WebSocket ws, Duration stall, Supplier<Optional<String>> failure) {
        this.ws = Objects.requireNonNull(ws, "ws");
        this.stall = Objects.requireNonNull(stall, "stall");
        this.failure = Objects.requireNonNull(failure, "failure");
    }

    /**
     * Sends {@code message} (its remaining bytes, as one binary message) once the previous message
     * has left.
     *
     * @throws IOException when the WebSocket failed, refused the message (closed, or another send
     *     pending), or the previous message did not leave within the stall time; the message is then
     *     not sent and the caller must not go on as if it were
     */
    public void send(ByteBuffer message) throws IOException {
        awaitDrained();
        if (!ws.send(message)) {
            throw new IOException(
                    "refused a message" + failure.get().map(f -> ": " + f).orElse(""));
        }
    }

    /**
     * Returns once every message sent so far has left.
     *
     * @throws IOException when the WebSocket failed or a message did not leave within the stall time
     */
    public void awaitDrained() throws IOException {
        long deadline = System.nanoTime() + stall.toNanos();
        long pause = FIRST_POLL_NANOS;
        while (ws.queueSize() > 0) {
            Optional<String> failed = failure.get();
            if (failed.isPresent()) throw new IOException("failed: " + failed.get());
            if (System.nanoTime() - deadline > 0) throw new IOException("stalled for " + stall.toSeconds() + " s");
            LockSupport.parkNanos(pause);
            pause = Math.min(LAST_POLL_NANOS, pause * 2);
        }
    }
}
