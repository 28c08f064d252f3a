package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.spi.WorkspaceTerminal;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A login shell in a running Pod workspace through the Kubernetes exec API ({@code pods/exec}, fabric8
 * {@code exec} over a WebSocket with the {@code v4.channel.k8s.io} protocol: stdin on channel 0,
 * stdout on 1, resize on 4), in container {@value WorkspaceManifests#CONTAINER} with a TTY.
 *
 * <p><b>Who.</b> exec runs as the container's user, which is the pod's {@code runAsUser} (the
 * provider's {@code run-as-user}, never root: the pod has {@code runAsNonRoot}); the image's
 * entrypoint gave that uid the workspace user's name ({@code HANGAR_USER}), so {@code id -un}
 * prints the same name as over ssh. The command {@link #COMMAND} starts that user's login shell from
 * {@code /etc/passwd} ({@code /bin/sh} when there is none) in {@code $HOME} with {@code TERM},
 * {@code USER} and {@code LOGNAME} set, as a login over ssh would.
 *
 * <p><b>Size.</b> The first size and every {@link Session#resize} go through the exec API's resize
 * channel ({@link ExecWatch#resize}), so the shell's TTY follows the browser window.
 *
 * <p>Thread-safe; each {@link #open} is one exec (one WebSocket to the API server).
 */
final class PodTerminal implements WorkspaceTerminal {
    /** The exec command: the user's login shell, as a login over ssh would start it. */
    static final List<String> COMMAND = List.of(
            "/bin/sh",
            "-c",
            "export TERM=xterm-256color USER=\"$(id -un)\" LOGNAME=\"$(id -un)\"; cd \"$HOME\" 2>/dev/null;"
                    + " shell=\"$(getent passwd \"$(id -u)\" | cut -d: -f7)\"; [ -x \"$shell\" ] || shell=/bin/sh;"
                    + " exec \"$shell\" -l");

    private static final Logger LOG = LoggerFactory.getLogger(PodTerminal.class);

    private final KubernetesClient client;
    private final String namespace;

    PodTerminal(KubernetesClient client, String namespace) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
    }

    /**
     * @throws ProviderException transient when the workspace's pod does not exist or does not run (it
     *     may be starting), or the exec call failed for a reason retrying can help; permanent for HTTP
     *     400, 401, 403 (no {@code pods/exec} permission), 404, 422
     */
    @Override
    public Session open(WorkspaceSpec spec, Size size) {
        Objects.requireNonNull(size, "size");
        String pod = WorkspaceNames.of(spec.owner(), spec.name()).pod();
        try {
            Pod live = client.pods().inNamespace(namespace).withName(pod).get();
            if (live == null
                    || live.getStatus() == null
                    || !"Running".equals(live.getStatus().getPhase())
                    || live.getMetadata().getDeletionTimestamp() != null) {
                throw new ProviderException(
                        "workspace " + spec.owner() + "/" + spec.name() + " has no running pod (" + namespace + "/"
                                + pod + ")",
                        false);
            }
            ChunkPipe output = new ChunkPipe();
            ExecWatch exec = client.pods()
                    .inNamespace(namespace)
                    .withName(pod)
                    .inContainer(WorkspaceManifests.CONTAINER)
                    .redirectingInput()
                    .writingOutput(output.sink())
                    .withTTY()
                    .exec(COMMAND.toArray(String[]::new));
            // The shell exited or the connection dropped: the reader sees the end of the stream.
            exec.exitCode().whenComplete((code, error) -> output.end());
            exec.resize(size.columns(), size.rows());
            LOG.debug("terminal opened in pod {}/{} ({}x{})", namespace, pod, size.columns(), size.rows());
            return new ExecSession(exec, output);
        } catch (KubernetesClientException e) {
            throw KubernetesProvider.translate(
                    "opening a terminal in workspace " + spec.owner() + "/" + spec.name(), e);
        }
    }

    /** One exec; {@link #close} ends it (the API server hangs up the shell's TTY). */
    private static final class ExecSession implements Session {
        private final ExecWatch exec;
        private final ChunkPipe output;
        private final AtomicBoolean closed = new AtomicBoolean();

        ExecSession(ExecWatch exec, ChunkPipe output) {
            this.exec = exec;
            this.output = output;
        }

        @Override
        public InputStream output() {
            return output.source();
        }

        @Override
        public OutputStream input() {
            return exec.getInput();
        }

        @Override
        public void resize(Size size) {
            if (closed.get()) return;
            try {
                exec.resize(size.columns(), size.rows());
            } catch (RuntimeException e) {
                // Best effort: the shell may have exited a moment ago.
                LOG.debug("terminal resize dropped: {}", e.toString());
            }
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) return;
            output.end();
            try {
                exec.close();
            } catch (RuntimeException e) {
                LOG.debug("closing terminal: {}", e.toString());
            }
        }
    }
}
