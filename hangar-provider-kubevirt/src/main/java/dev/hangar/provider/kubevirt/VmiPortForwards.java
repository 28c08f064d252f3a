package dev.hangar.provider.kubevirt;

import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.SshEndpoint;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loopback port-forwards to workspace VMs' sshd ({@link VmiStreamRelay}, KubeVirt's VMI {@code
 * portforward} subresource) for clusters whose Service addresses the control plane cannot route to
 * ({@code service-routable=false}).
 *
 * <p>At most one forward per workspace, keyed by workspace id. A forward is kept while the
 * workspace's VM runs and re-created when the VMI was replaced (another VMI uid, e.g. after a
 * restart) or its listener died; then its port changes and the next {@code observe} reports the new
 * endpoint. It is closed when the workspace is observed not running, stopped or deleted; all are
 * closed with the provider.
 *
 * <p>Thread-safe.
 */
final class VmiPortForwards implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VmiPortForwards.class);

    private record Entry(String vmiUid, VmiStreamRelay forward) {}

    private final KubernetesClient client;
    private final int port;
    private final Map<String, Entry> forwards = new ConcurrentHashMap<>();

    /**
     * @param client the provider's API client (its HTTP client opens the WebSockets)
     * @param port the guest port every forward reaches
     */
    VmiPortForwards(KubernetesClient client, int port) {
        this.client = Objects.requireNonNull(client, "client");
        this.port = port;
    }

    /**
     * Returns the loopback endpoint forwarding to the guest port of {@code namespace/vmi}, opening or
     * re-opening the forward as needed. Sends no request: each connection to the endpoint does.
     *
     * @param vmiUid the VMI's {@code metadata.uid}; another uid than last time re-creates the forward
     * @throws ProviderException (transient) if no loopback port could be bound
     */
    SshEndpoint open(String workspaceId, String namespace, String vmi, String vmiUid) {
        Entry current = forwards.compute(workspaceId, (id, existing) -> {
            if (existing != null
                    && existing.vmiUid().equals(vmiUid)
                    && existing.forward().isAlive()) {
                return existing;
            }
            if (existing != null) {
                existing.forward().close();
            }
            try {
                VmiStreamRelay forward = VmiStreamRelay.portForward(client, namespace, vmi, port);
                LOG.info("port-forward {}:{} -> VMI {}/{}:{}", forward.host(), forward.port(), namespace, vmi, port);
                return new Entry(vmiUid, forward);
            } catch (IOException e) {
                throw new ProviderException(
                        "cannot open a loopback port-forward to VMI " + namespace + "/" + vmi + ": " + e.getMessage(),
                        false,
                        e);
            }
        });
        return new SshEndpoint(current.forward().host(), current.forward().port());
    }

    /** @return the endpoint of the workspace's forward, if one is open */
    Optional<SshEndpoint> current(String workspaceId) {
        return forward(workspaceId).map(f -> new SshEndpoint(f.host(), f.port()));
    }

    /** @return the workspace's forward, if one is open (for tests) */
    Optional<VmiStreamRelay> forward(String workspaceId) {
        return Optional.ofNullable(forwards.get(workspaceId)).map(Entry::forward);
    }

    /** Closes the workspace's forward if one is open; idempotent. */
    void close(String workspaceId) {
        Entry e = forwards.remove(workspaceId);
        if (e != null) {
            e.forward().close();
        }
    }

    /** Closes every forward; idempotent. */
    @Override
    public void close() {
        forwards.keySet().forEach(this::close);
    }
}
