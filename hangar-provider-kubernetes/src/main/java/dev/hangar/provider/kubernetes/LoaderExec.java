package dev.hangar.provider.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hangar.provider.spi.ProviderException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.WebSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one {@link ImageLoaderManifests#SCRIPT} operation in a loader Pod through {@code pods/exec}:
 * the exec WebSocket ({@code v4.channel.k8s.io}: stdout 1, stderr 2, the exit status on 3) opened
 * with the client's own HTTP client (its credentials and TLS), stdout and stderr merged, no stdin.
 *
 * <p><b>Why no stdin.</b> On the project's Kubernetes 1.20 (containerd 1.6 streaming server), stdin
 * sent over the exec WebSocket arrived only in part before the command saw end-of-file: fabric8's
 * {@code exec()} (one message per pumped read, sent without waiting) delivered 32768 of 61440 bytes
 * and 0 of 1 or 8 MiB; messages of 4 KiB sent one at a time, each after the previous left, 135168
 * bytes of 3 MB. The archive's bytes therefore travel base64-encoded as an argument of the command
 * ({@link NodeImageLoader#CHUNK_BYTES} per exec, below Linux's 128 KiB limit of one argument), which
 * the API server, the kubelet and the runtime pass on whole. Not fabric8's {@code exec()} either for
 * the rest: it first waits for the Pod with a watch, which the image-load Role does not grant.
 * Thread-safe (stateless).
 */
final class LoaderExec {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param exitCode the command's exit status; -1 when the API server reported none
     * @param output what it wrote, UTF-8
     */
    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    private final KubernetesClient client;
    private final String namespace;

    LoaderExec(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /**
     * @throws ProviderException (transient) when the exec could not be opened, broke off, or did not
     *     end within {@code timeout}
     */
    Result run(String pod, String op, List<String> args, Duration timeout) {
        StringBuilder url = new StringBuilder(client.getMasterUrl().toString().replaceFirst("/*$", ""))
                .append("/api/v1/namespaces/")
                .append(namespace)
                .append("/pods/")
                .append(pod)
                .append("/exec?container=")
                .append(ImageLoaderManifests.CONTAINER)
                .append("&stdout=true&stderr=true");
        for (String part : ImageLoaderManifests.command(op, args))
            url.append("&command=").append(URLEncoder.encode(part, StandardCharsets.UTF_8));
        String what = "exec '" + op + "' in loader Pod " + namespace + "/" + pod;
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        AtomicBoolean closed = new AtomicBoolean();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public void onOpen(WebSocket ws) {
                ws.request();
            }

            @Override
            public void onMessage(WebSocket ws, ByteBuffer bytes) {
                if (bytes.hasRemaining()) {
                    byte channel = bytes.get();
                    byte[] data = new byte[bytes.remaining()];
                    bytes.get(data);
                    if (channel == 1 || channel == 2) {
                        synchronized (output) {
                            output.writeBytes(data);
                        }
                    } else if (channel == 3) {
                        exit.complete(exitCode(data));
                    }
                }
                ws.request();
            }

            @Override
            public void onClose(WebSocket ws, int code, String reason) {
                closed.set(true);
                exit.complete(-1);
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                exit.completeExceptionally(error);
            }
        };
        long deadline = System.nanoTime() + timeout.toNanos();
        WebSocket ws = null;
        try {
            ws = client.getHttpClient()
                    .newWebSocketBuilder()
                    .subprotocol("v4.channel.k8s.io")
                    .uri(WebSocket.toWebSocketUri(URI.create(url.toString())))
                    .buildAsync(listener)
                    .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            int code = exit.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            synchronized (output) {
                return new Result(code, output.toString(StandardCharsets.UTF_8));
            }
        } catch (TimeoutException e) {
            throw new ProviderException(what + " did not end within " + timeout.toSeconds() + " s", false, e);
        } catch (ExecutionException e) {
            throw new ProviderException(what + " failed: " + e.getCause(), false, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException("interrupted during " + what, false, e);
        } finally {
            // The API server closes the socket after the exit status: closing it again only logs a warning.
            if (ws != null && !closed.get()) ws.sendClose(1000, "");
        }
    }

    /** The exit status from the API server's Status on channel 3. */
    private static int exitCode(byte[] status) {
        try {
            JsonNode s = JSON.readTree(status);
            if ("Success".equals(s.path("status").asText())) return 0;
            for (JsonNode cause : s.path("details").path("causes"))
                if ("ExitCode".equals(cause.path("reason").asText()))
                    return Integer.parseInt(cause.path("message").asText());
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
