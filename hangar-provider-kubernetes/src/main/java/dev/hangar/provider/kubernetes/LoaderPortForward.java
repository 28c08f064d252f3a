package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.ProviderException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.WebSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;

/**
 * Copies a byte range of a file to the receiver in a loader Pod ({@link
 * ImageLoaderManifests#RECEIVER}, listening on the Pod's loopback port {@value
 * ImageLoaderManifests#RECEIVER_PORT}) through the API server's {@code pods/portforward} WebSocket
 * ({@code v4.channel.k8s.io}: client data on channel 0 after a channel byte; from the server, the
 * first message of each channel is the port number, then data on 0 and errors on 1), opened with
 * the client's own HTTP client (its credentials and TLS).
 *
 * <p><b>Why not fabric8's {@code portForward}.</b> Its pump hands each 4 KiB read to {@code
 * WebSocket.send} without waiting for the previous send, and the JDK's WebSocket refuses a send
 * while one is pending; fabric8 ignores that refusal, so bytes are dropped whenever the network is
 * slower than the local socket (measured on the project's cluster: 4084 bytes of 20 MiB missing, the
 * copy's SHA-256 wrong). Here each message goes through a {@link WebSocketSender}: it is sent only
 * once the previous one has left, and a refused send fails the copy instead of losing bytes.
 *
 * <p>Protocol with the receiver: the header line {@code OFFSET LENGTH}, then LENGTH bytes; it cuts
 * the file to OFFSET (when OFFSET is not beyond its end), writes what arrives, and answers the
 * file's size as one line. Thread-safe (stateless).
 */
final class LoaderPortForward {
    /** Archive bytes per WebSocket message. */
    static final int MESSAGE_BYTES = 512 << 10;

    private final KubernetesClient client;
    private final String namespace;
    private final Duration stall;

    /** @param stall how long one message may take to leave, and the answer to arrive, before the copy fails */
    LoaderPortForward(KubernetesClient client, String namespace, Duration stall) {
        this.client = client;
        this.namespace = namespace;
        this.stall = stall;
    }

    /**
     * Sends {@code length} bytes of {@code file} from {@code offset} to the receiver in {@code pod}.
     *
     * @param sent receives the offset up to which bytes have left this host, after each message
     * @return the size of the Pod's copy after the transfer, as the receiver reports it (the caller
     *     compares it with {@code offset + length}; a smaller one means bytes were lost)
     * @throws ProviderException (transient) when the port-forward could not be opened, broke off,
     *     reported an error, or stalled
     */
    long send(String pod, Path file, long offset, long length, LongConsumer sent) {
        String what = "port-forward to loader Pod " + namespace + "/" + pod;
        String url = client.getMasterUrl().toString().replaceFirst("/*$", "") + "/api/v1/namespaces/" + namespace
                + "/pods/" + pod + "/portforward?ports=" + ImageLoaderManifests.RECEIVER_PORT;
        Answer answer = new Answer();
        WebSocket ws = null;
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ws = client.getHttpClient()
                    .newWebSocketBuilder()
                    .subprotocol("v4.channel.k8s.io")
                    .uri(WebSocket.toWebSocketUri(URI.create(url)))
                    .buildAsync(answer)
                    .get(stall.toNanos(), TimeUnit.NANOSECONDS);
            WebSocketSender sender = new WebSocketSender(ws, stall, answer::failure);
            byte[] header = (offset + " " + length + "\n").getBytes(StandardCharsets.US_ASCII);
            ByteBuffer message = ByteBuffer.allocate(1 + Math.max(header.length, MESSAGE_BYTES));
            message.put((byte) 0).put(header).flip();
            transmit(sender, message, what);
            long at = offset;
            long end = offset + length;
            while (at < end) {
                message.clear();
                message.put((byte) 0);
                message.limit((int) Math.min(message.capacity(), 1 + end - at));
                while (message.hasRemaining()) {
                    int n = in.read(message, at + message.position() - 1);
                    if (n < 0) throw new ProviderException(file + " ended at byte " + at + " while copying it", false);
                }
                message.flip();
                transmit(sender, message, what);
                at += message.limit() - 1;
                sent.accept(at);
            }
            String reply = answer.line.get(stall.toNanos(), TimeUnit.NANOSECONDS);
            try {
                return Long.parseLong(reply.strip());
            } catch (NumberFormatException e) {
                throw new ProviderException(what + " answered '" + reply.strip() + "', not a size", false);
            }
        } catch (IOException e) {
            throw new ProviderException("reading " + file + " failed: " + e.getMessage(), false, e);
        } catch (TimeoutException e) {
            throw new ProviderException(what + " stalled for " + stall.toSeconds() + " s", false, e);
        } catch (ExecutionException e) {
            throw new ProviderException(what + " failed: " + e.getCause().getMessage(), false, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException("interrupted during " + what, false, e);
        } finally {
            // The API server closes the socket once the receiver hung up: closing it again only logs noise.
            if (ws != null && !answer.closed) ws.sendClose(1000, "");
        }
    }

    /** Sends one message once the previous one has left; fails on a refused send or a stall. */
    private static void transmit(WebSocketSender sender, ByteBuffer message, String what) {
        try {
            sender.send(message);
        } catch (IOException e) {
            // Never drop bytes: a refused or stalled send fails the copy, which resumes from the Pod's size.
            throw new ProviderException(what + " " + e.getMessage(), false, e);
        }
    }

    /** What comes back: the receiver's one-line answer on channel 0, or an error on channel 1. */
    private static final class Answer implements WebSocket.Listener {
        final CompletableFuture<String> line = new CompletableFuture<>();
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();
        private final boolean[] portSeen = new boolean[2];
        volatile boolean closed;

        Optional<String> failure() {
            if (!line.isCompletedExceptionally()) return Optional.empty();
            try {
                line.getNow("");
                return Optional.empty();
            } catch (RuntimeException e) {
                return Optional.of(
                        String.valueOf(e.getCause() == null ? e : e.getCause().getMessage()));
            }
        }

        @Override
        public void onOpen(WebSocket ws) {
            ws.request();
        }

        @Override
        public void onMessage(WebSocket ws, ByteBuffer bytes) {
            if (bytes.hasRemaining()) {
                int channel = bytes.get();
                byte[] payload = new byte[bytes.remaining()];
                bytes.get(payload);
                if (channel == 0 || channel == 1) {
                    synchronized (this) {
                        if (!portSeen[channel]) {
                            // The first message of each channel carries the port number.
                            portSeen[channel] = true;
                        } else if (channel == 1) {
                            line.completeExceptionally(
                                    new IOException(new String(payload, StandardCharsets.UTF_8).strip()));
                        } else {
                            data.writeBytes(payload);
                            String s = data.toString(StandardCharsets.US_ASCII);
                            if (s.indexOf('\n') >= 0) line.complete(s.substring(0, s.indexOf('\n')));
                        }
                    }
                }
            }
            ws.request();
        }

        @Override
        public void onClose(WebSocket ws, int code, String reason) {
            closed = true;
            line.completeExceptionally(
                    new IOException("the API server closed the port-forward (" + code + " " + reason + ")"));
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            line.completeExceptionally(error);
        }
    }
}
