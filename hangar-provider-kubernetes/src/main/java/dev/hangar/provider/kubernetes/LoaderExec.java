package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.ProviderException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one {@link ImageLoaderManifests#SCRIPT} operation in a loader Pod through {@code pods/exec}
 * (fabric8, WebSocket {@code v4.channel.k8s.io}), stdout and stderr merged.
 *
 * <p><b>Why one exec per chunk.</b> The JDK's WebSocket allows one outstanding send, and fabric8 queues
 * at most 16 MiB: a whole archive written to one exec's stdin fails with "could not send" once the
 * writer outruns the network (3-14 MiB in, on Kubernetes 1.20). Here each exec gets at most one
 * stdin message (one {@code write} of at most {@link NodeImageLoader#CHUNK_BYTES}), so nothing ever
 * waits in a queue, and a failed chunk is sent again on its own. Thread-safe (stateless).
 */
final class LoaderExec {
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
     * @param stdin bytes for the command's stdin, sent as one message; null for none
     * @throws ProviderException (transient) when the exec could not be opened or did not end within
     *     {@code timeout}
     */
    Result run(String pod, String op, List<String> args, byte[] stdin, Duration timeout) {
        String[] cmd = ImageLoaderManifests.command(op, args).toArray(String[]::new);
        ExecWatch exec;
        try {
            var container = client.pods()
                    .inNamespace(namespace)
                    .withName(pod)
                    .inContainer(ImageLoaderManifests.CONTAINER)
                    // NodeImageLoader waited for the Pod to run; fabric8's own wait is a watch, which the
                    // image-load Role does not grant (and one per chunk would double the requests).
                    .withReadyWaitTimeout(0);
            exec = stdin == null
                    ? container.redirectingOutput().exec(cmd)
                    : container.redirectingInput().redirectingOutput().exec(cmd);
        } catch (KubernetesClientException e) {
            throw KubernetesProvider.translate("exec '" + op + "' in loader Pod " + namespace + "/" + pod, e);
        }
        try (exec) {
            CompletableFuture<byte[]> output =
                    CompletableFuture.supplyAsync(() -> readAll(exec.getOutput()), Thread::startVirtualThread);
            if (stdin != null) {
                OutputStream in = exec.getInput();
                in.write(stdin);
                in.flush();
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            Integer code = exec.exitCode().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            long left = Math.max(1, deadline - System.nanoTime());
            // The output ends when the API server closes the stream, right after the exit status.
            byte[] out = output.get(Math.max(left, TimeUnit.SECONDS.toNanos(5)), TimeUnit.NANOSECONDS);
            return new Result(code == null ? -1 : code, new String(out, StandardCharsets.UTF_8));
        } catch (TimeoutException e) {
            throw new ProviderException(
                    "exec '" + op + "' in loader Pod " + namespace + "/" + pod + " did not end within "
                            + timeout.toSeconds() + " s",
                    false,
                    e);
        } catch (ExecutionException | IOException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new ProviderException(
                    "exec '" + op + "' in loader Pod " + namespace + "/" + pod + " failed: " + cause, false, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException("interrupted during exec '" + op + "' in loader Pod " + pod, false, e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            // A dropped connection: what arrived is what there is; the exit status says the rest.
            return new byte[0];
        }
    }
}
