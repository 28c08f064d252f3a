package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.SshEndpoint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loopback port-forwards to workspace pods, through the API server's {@code pods/portforward}
 * subresource (fabric8 {@code portForward}, WebSocket), for clusters whose Service addresses the
 * control plane cannot route to ({@code service-routable=false}).
 *
 * <p>One forward per workspace: a listening socket on {@code 127.0.0.1} and an ephemeral port,
 * owned by the provider. Every TCP connection the gateway opens to it becomes one WebSocket stream
 * to the pod's port {@value WorkspaceManifests#SSH_PORT}. A forward is kept while the workspace
 * runs and re-created when its pod was replaced (another pod uid) or its listener died; then the
 * port changes, and the next {@code observe} reports the new endpoint. It is closed when the
 * workspace is observed not running, stopped or deleted, and all are closed with the provider.
 *
 * <p>Thread-safe.
 */
public final class PortForwards implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PortForwards.class);

    private record Forward(String podUid, LocalPortForward forward) {}

    private final KubernetesClient client;
    private final Map<String, Forward> forwards = new ConcurrentHashMap<>();

    public PortForwards(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * Returns the loopback endpoint forwarding to {@code namespace/pod}, opening or re-opening it
     * as needed.
     *
     * @param workspaceId the key of the forward
     * @param podUid the pod's {@code metadata.uid}; a different uid than last time re-creates the
     *     forward
     * @throws ProviderException (transient) if no local port could be bound
     */
    public SshEndpoint open(String workspaceId, String namespace, String pod, String podUid) {
        Forward current = forwards.compute(workspaceId, (id, existing) -> {
            if (existing != null
                    && existing.podUid().equals(podUid)
                    && existing.forward().isAlive()) {
                return existing;
            }
            if (existing != null) {
                closeQuietly(existing);
            }
            try {
                LocalPortForward forward = client.pods()
                        .inNamespace(namespace)
                        .withName(pod)
                        .portForward(WorkspaceManifests.SSH_PORT, InetAddress.getLoopbackAddress(), 0);
                LOG.info(
                        "port-forward {}:{} -> {}/{}:{}",
                        forward.getLocalAddress().getHostAddress(),
                        forward.getLocalPort(),
                        namespace,
                        pod,
                        WorkspaceManifests.SSH_PORT);
                return new Forward(podUid, forward);
            } catch (KubernetesClientException e) {
                throw new ProviderException(
                        "cannot open a port-forward to pod " + namespace + "/" + pod + ": " + e.getMessage(), false, e);
            }
        });
        return new SshEndpoint(
                current.forward().getLocalAddress().getHostAddress(),
                current.forward().getLocalPort());
    }

    /** @return the endpoint of the workspace's open forward, if any */
    public Optional<SshEndpoint> current(String workspaceId) {
        Forward f = forwards.get(workspaceId);
        return f == null
                ? Optional.empty()
                : Optional.of(new SshEndpoint(
                        f.forward().getLocalAddress().getHostAddress(),
                        f.forward().getLocalPort()));
    }

    /** Closes the workspace's forward if one is open; idempotent. */
    public void close(String workspaceId) {
        Forward f = forwards.remove(workspaceId);
        if (f != null) {
            closeQuietly(f);
        }
    }

    /** Closes every forward; idempotent. */
    @Override
    public void close() {
        forwards.keySet().forEach(this::close);
    }

    private static void closeQuietly(Forward f) {
        try {
            f.forward().close();
        } catch (IOException e) {
            LOG.warn("closing port-forward on port {} failed: {}", f.forward().getLocalPort(), e.toString());
        }
    }
}
