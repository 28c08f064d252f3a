package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.SshEndpoint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.WebSocket;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loopback port-forwards to workspace pods, through the API server's {@code pods/portforward}
 * subresource ({@code v4.channel.k8s.io} WebSocket, one per TCP connection), for clusters whose
 * Service addresses the control plane cannot route to ({@code service-routable=false}).
 *
 * <p>One forward per workspace: a {@link StreamRelay} listening on {@code 127.0.0.1} and an ephemeral
 * port, owned by the provider. Every TCP connection the gateway opens to it becomes one WebSocket
 * stream to the pod's port {@value WorkspaceManifests#SSH_PORT}, flow-controlled both ways. Not
 * fabric8's {@code portForward}/{@code LocalPortForward}: its pump (kubernetes-client 7.5.2) ignores a
 * refused WebSocket send and so drops upload bytes whenever the API server takes them slower than
 * the gateway writes them (measured: see {@link WebSocketSender}); SSH's MAC then catches the gap and
 * drops the session.
 *
 * <p>A forward is kept while the workspace runs and re-created when its pod was replaced (another pod
 * uid) or its listener died; then the port changes, and the next {@code observe} reports the new
 * endpoint. It is closed when the workspace is observed not running, stopped or deleted, and all are
 * closed with the provider. Thread-safe.
 */
public final class PortForwards implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PortForwards.class);
    /** How long one message may wait to leave before its connection is given up. */
    private static final Duration STALL = Duration.ofMinutes(1);

    private record Forward(String podUid, StreamRelay relay) {}

    private final KubernetesClient client;
    private final Map<String, Forward> forwards = new ConcurrentHashMap<>();

    public PortForwards(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * Returns the loopback endpoint forwarding to {@code namespace/pod}, opening or re-opening it as
     * needed. Sends no request: each connection to the endpoint does.
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
                    && existing.relay().isAlive()) {
                return existing;
            }
            if (existing != null) {
                existing.relay().close();
            }
            try {
                StreamRelay relay = StreamRelay.tcp(client.getHttpClient(), target(namespace, pod));
                LOG.info(
                        "port-forward {}:{} -> {}/{}:{}",
                        relay.host(),
                        relay.port(),
                        namespace,
                        pod,
                        WorkspaceManifests.SSH_PORT);
                return new Forward(podUid, relay);
            } catch (IOException e) {
                throw new ProviderException(
                        "cannot open a port-forward to pod " + namespace + "/" + pod + ": " + e.getMessage(), false, e);
            }
        });
        return new SshEndpoint(current.relay().host(), current.relay().port());
    }

    /** @return the endpoint of the workspace's open forward, if any */
    public Optional<SshEndpoint> current(String workspaceId) {
        Forward f = forwards.get(workspaceId);
        return f == null
                ? Optional.empty()
                : Optional.of(new SshEndpoint(f.relay().host(), f.relay().port()));
    }

    /** Closes the workspace's forward if one is open; idempotent. */
    public void close(String workspaceId) {
        Forward f = forwards.remove(workspaceId);
        if (f != null) {
            f.relay().close();
        }
    }

    /** Closes every forward; idempotent. */
    @Override
    public void close() {
        forwards.keySet().forEach(this::close);
    }

    private StreamRelay.Target target(String namespace, String pod) {
        String url = client.getMasterUrl().toString().replaceFirst("/*$", "") + "/api/v1/namespaces/" + namespace
                + "/pods/" + pod + "/portforward?ports=" + WorkspaceManifests.SSH_PORT;
        return new StreamRelay.Target(
                WebSocket.toWebSocketUri(URI.create(url)),
                "v4.channel.k8s.io",
                StreamRelay.Framing.PORT_FORWARD_V4,
                "pod " + namespace + "/" + pod + ":" + WorkspaceManifests.SSH_PORT,
                STALL);
    }
}
