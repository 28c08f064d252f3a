package dev.hangar.provider.kubevirt;

import dev.hangar.provider.kubernetes.StreamRelay;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.utils.URLUtils;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One local listener that relays every stream connection it accepts to a byte-stream subresource of
 * a VirtualMachineInstance, {@code GET
 * /apis/subresources.kubevirt.io/v1/namespaces/<ns>/virtualmachineinstances/<vmi>/<subresource>}
 * upgraded to a WebSocket with subprotocol {@value #SUBPROTOCOL}, whose binary messages carry the raw
 * bytes both ways (no channel bytes, unlike {@code pods/portforward}). Two kinds:
 *
 * <ul>
 *   <li>{@link #portForward}: {@code portforward/<port>/tcp} (a TCP port of the guest) behind a TCP
 *       listener on {@code 127.0.0.1} with an ephemeral port;
 *   <li>{@link #console}: {@code console} (the guest's first serial port, as {@code virtctl console}
 *       reads it) behind a unix-domain stream socket (unix(7)), as {@link
 *       dev.hangar.provider.spi.ConsoleEndpoint} requires.
 * </ul>
 *
 * <p>The relaying itself is the Kubernetes provider's {@link StreamRelay} ({@link
 * StreamRelay.Framing#RAW}), the same code as the Pod port-forward's: one WebSocket per accepted
 * connection, opened with the provider's fabric8 HTTP client, both directions flow-controlled (a
 * message is sent only after the previous one left; the next is requested only after the previous
 * one was written locally); closing either side closes the other; a connection whose WebSocket cannot
 * be opened is closed at once and the listener keeps accepting. Thread-safe; {@link #close()} is
 * idempotent and removes a unix socket file.
 */
final class VmiStreamRelay implements AutoCloseable {
    /** KubeVirt's subprotocol for a plain, single-channel binary stream. */
    static final String SUBPROTOCOL = "plain.kubevirt.io";

    /** How long one message may wait to leave before its connection is given up. */
    private static final Duration STALL = Duration.ofMinutes(1);

    private final StreamRelay relay;

    private VmiStreamRelay(StreamRelay relay) {
        this.relay = relay;
    }

    /**
     * Binds a TCP listener on {@code 127.0.0.1} (ephemeral port) relaying to the guest's TCP {@code
     * port}; sends no request until a connection arrives.
     *
     * @throws IOException if no loopback port could be bound
     */
    static VmiStreamRelay portForward(KubernetesClient client, String namespace, String vmi, int port)
            throws IOException {
        return new VmiStreamRelay(StreamRelay.tcp(
                client.getHttpClient(),
                target(client, namespace, vmi, List.of("portforward", Integer.toString(port), "tcp"))));
    }

    /**
     * Binds a unix-domain listener at {@code socket} (replacing a stale socket file) relaying to the
     * VMI's serial console; sends no request until a connection arrives. virt-api serves one console
     * connection per VMI at a time.
     *
     * @param socket absolute path, at most 107 bytes ({@code sun_path}); its directory must exist
     * @throws IOException if the socket cannot be bound
     */
    static VmiStreamRelay console(KubernetesClient client, String namespace, String vmi, Path socket)
            throws IOException {
        return new VmiStreamRelay(StreamRelay.unix(
                client.getHttpClient(),
                target(client, namespace, vmi, List.of("console")),
                Objects.requireNonNull(socket)));
    }

    /** @return the TCP listener's address, {@code 127.0.0.1} */
    String host() {
        return relay.host();
    }

    /** @return the TCP listener's port */
    int port() {
        return relay.port();
    }

    /** @return whether the listener still accepts connections */
    boolean isAlive() {
        return relay.isAlive();
    }

    /**
     * Stops listening and closes every relayed connection (and so its WebSocket). Returns once the
     * listener has stopped (at most 5 s), so the endpoint refuses connections afterwards; a unix
     * socket file is deleted.
     */
    @Override
    public void close() {
        relay.close();
    }

    private static StreamRelay.Target target(
            KubernetesClient client, String namespace, String vmi, List<String> subresource) {
        Objects.requireNonNull(client, "client");
        List<String> parts = new ArrayList<>(List.of(
                client.getMasterUrl().toString(),
                "apis/subresources.kubevirt.io/v1/namespaces",
                namespace,
                "virtualmachineinstances",
                vmi));
        parts.addAll(subresource);
        URI uri = WebSocket.toWebSocketUri(URI.create(URLUtils.join(parts.toArray(String[]::new))));
        return new StreamRelay.Target(
                uri,
                SUBPROTOCOL,
                StreamRelay.Framing.RAW,
                namespace + "/" + vmi + " " + String.join("/", subresource),
                STALL);
    }
}
