package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hangar.provider.spi.SshEndpoint;
import io.fabric8.mockwebserver.http.WebSocket;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The Pod port-forward ({@link PortForwards}) loses no byte when the API server takes them slower
 * than the local client writes them, and none when the local client reads slower than the API server
 * sends. fabric8's mock server in CRUD mode stands in for the API server and {@link PodPortForwardEnd}
 * for the pod's end of {@code pods/<pod>/portforward?ports=2222}.
 *
 * <p>The slow network: the pod's end holds its first data message until the local writer has either
 * written everything or stays blocked in its write (its virtual thread parked) for 300 ms, i.e. until
 * the forward has stopped taking bytes. fabric8's {@code LocalPortForward} (kubernetes-client 7.5.2)
 * never stops taking them: it drops every read while a WebSocket send is pending, so the writer
 * finishes and the pod receives a few MiB of 32 (the old {@code PortForwards} failed here with
 * "bytes the pod received of 33,554,432 expected 33554432L but was 8201726L").
 */
class PortForwardFlowControlTest {
    private static final String NS = "hangar-test";
    private static final String POD = "pod-0";
    private static final int BYTES = 32 << 20;

    @Test
    void uploadThroughASlowWebSocketArrivesWhole() throws Exception {
        byte[] payload = randomBytes(BYTES);
        CountDownLatch release = new CountDownLatch(1);
        SlowPod pod = new SlowPod(release);
        try (MockCluster cluster = new MockCluster(pod);
                PortForwards forwards = new PortForwards(cluster.client)) {
            SshEndpoint endpoint = forwards.open("ws-1", NS, POD, "uid-1");
            try (Socket socket = new Socket(endpoint.host(), endpoint.port())) {
                AtomicReference<Throwable> writeFailure = new AtomicReference<>();
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        OutputStream out = socket.getOutputStream();
                        for (int at = 0; at < BYTES; at += 64 << 10) out.write(payload, at, 64 << 10);
                        out.flush();
                    } catch (Throwable e) {
                        writeFailure.set(e);
                    }
                });
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> !writer.isAlive() || blockedFor(writer, Duration.ofMillis(300)));
                release.countDown();
                writer.join(Duration.ofSeconds(60));
                assertThat(writeFailure.get()).as("write failure").isNull();
                // Whatever was dropped never comes: wait for all of it or for 5 s without a byte.
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> pod.received.get() == BYTES || pod.quietFor(Duration.ofSeconds(5)));
                assertThat(pod.received.get())
                        .as("bytes the pod received of %,d", BYTES)
                        .isEqualTo(BYTES);
                assertThat(pod.sha256()).isEqualTo(sha256(payload));
            }
        }
    }

    @Test
    void downloadToASlowReaderArrivesWhole() throws Exception {
        byte[] payload = randomBytes(BYTES);
        try (MockCluster cluster = new MockCluster(new SendingPod(payload));
                PortForwards forwards = new PortForwards(cluster.client)) {
            SshEndpoint endpoint = forwards.open("ws-1", NS, POD, "uid-1");
            try (Socket socket = new Socket(endpoint.host(), endpoint.port())) {
                socket.setSoTimeout(60_000);
                InputStream in = socket.getInputStream();
                // A slow reader: small reads, each after hashing, while the pod sends 32 MiB at once.
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                byte[] buffer = new byte[1024];
                long total = 0;
                while (total < BYTES) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, BYTES - total));
                    if (n < 0) break;
                    digest.update(buffer, 0, n);
                    total += n;
                }
                assertThat(total).isEqualTo(BYTES);
                assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(sha256(payload));
            }
        }
    }

    private static boolean blockedFor(Thread writer, Duration period) {
        // A virtual thread blocked in a socket write is parked: WAITING. Checked for a period so a
        // momentary full buffer does not count.
        long end = System.nanoTime() + period.toNanos();
        while (System.nanoTime() < end) {
            if (writer.getState() != Thread.State.WAITING) return false;
            Thread.onSpinWait();
        }
        return true;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SplittableRandom(18).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Hashes what arrives on channel 0, holding the first message until released. */
    private static final class SlowPod extends PodPortForwardEnd {
        final AtomicLong received = new AtomicLong();
        private final CountDownLatch release;
        private final MessageDigest digest;
        private volatile long lastNanos = System.nanoTime();

        SlowPod(CountDownLatch release) throws Exception {
            this.release = release;
            this.digest = MessageDigest.getInstance("SHA-256");
        }

        @Override
        void received(byte[] message) {
            try {
                // Blocks the mock's event loop, so the client's WebSocket writes back up: a slow network.
                if (!release.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (message.length == 0 || message[0] != 0) return;
            synchronized (digest) {
                digest.update(message, 1, message.length - 1);
            }
            received.addAndGet(message.length - 1);
            lastNanos = System.nanoTime();
        }

        boolean quietFor(Duration period) {
            return System.nanoTime() - lastNanos > period.toNanos();
        }

        String sha256() {
            synchronized (digest) {
                return HexFormat.of().formatHex(digest.digest());
            }
        }
    }

    /** Sends the whole payload on channel 0 as soon as the stream opens, in 64 KiB messages. */
    private static final class SendingPod extends PodPortForwardEnd {
        private final byte[] payload;

        SendingPod(byte[] payload) {
            this.payload = payload;
        }

        @Override
        void opened(WebSocket ws) {
            Thread.ofVirtual().start(() -> {
                int chunk = 64 << 10;
                for (int at = 0; at < payload.length; at += chunk) {
                    ws.send(data(payload, at, chunk));
                }
            });
        }
    }
}
