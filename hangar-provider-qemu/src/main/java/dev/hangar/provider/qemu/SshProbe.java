package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.SshEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientSession.ClientSessionEvent;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * Decides whether a workspace's sshd is ready: it must complete an SSH key exchange (RFC 4253
 * section 7-8) proving possession of the host key Hangar pinned. No login is attempted. A server
 * that answers with any other host key is rejected during the key exchange and reported as {@link
 * Outcome#MISMATCH}.
 *
 * <p>Thread-safe: one Apache MINA SSHD client serves all probes; the pinned key is looked up by the
 * address being probed (each VM has its own loopback port).
 */
final class SshProbe implements AutoCloseable {

    /** What a probe found. */
    enum Outcome {
        /** The key exchange completed with the pinned host key. */
        MATCH,
        /** sshd answered, but with a different host key. */
        MISMATCH,
        /** Nothing usable answered (connection refused or closed, timeout, no SSH server yet). */
        UNREACHABLE
    }

    /**
     * @param outcome the verdict
     * @param detail one human-readable line, e.g. the fingerprint the server presented
     */
    record Result(Outcome outcome, String detail) {}

    private final SshClient client;
    private final Map<SocketAddress, PublicKey> pinned = new ConcurrentHashMap<>();
    // What each address presented in its last key exchange (session attributes are gone once the
    // verifier's rejection closed the session).
    private final Map<SocketAddress, PublicKey> presented = new ConcurrentHashMap<>();

    SshProbe() {
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((session, remote, serverKey) -> {
            presented.put(remote, serverKey);
            PublicKey expected = pinned.get(remote);
            return expected != null && KeyUtils.compareKeys(expected, serverKey);
        });
        client.start();
    }

    /**
     * Probes {@code endpoint} once.
     *
     * @param pinnedPublicKey the expected host key as an {@code authorized_keys}-style line
     *     ({@code ssh-ed25519 AAAA...})
     * @param timeout bound on connect plus key exchange
     * @throws IllegalArgumentException if {@code pinnedPublicKey} cannot be parsed
     */
    Result probe(SshEndpoint endpoint, String pinnedPublicKey, Duration timeout) {
        PublicKey expected = parse(pinnedPublicKey);
        InetSocketAddress address = new InetSocketAddress(endpoint.host(), endpoint.port());
        pinned.put(address, expected);
        presented.remove(address);
        Optional<String> banner = banner(address, timeout);
        if (banner.isEmpty()) {
            // Nothing speaks SSH yet (QEMU's user networking accepts the TCP connection itself and
            // drops it while the guest's sshd is down). Checked without MINA, whose sessions would
            // log a warning for every such reset during a boot.
            return new Result(Outcome.UNREACHABLE, "sshd at " + endpoint + " not answering yet");
        }
        ClientSession session = null;
        try {
            ConnectFuture connect = client.connect("hangar-probe", address);
            session = connect.verify(timeout).getSession();
            Set<ClientSessionEvent> state =
                    session.waitFor(EnumSet.of(ClientSessionEvent.WAIT_AUTH, ClientSessionEvent.CLOSED), timeout);
            PublicKey key = presented.get(address);
            if (state.contains(ClientSessionEvent.WAIT_AUTH) && key != null && KeyUtils.compareKeys(expected, key)) {
                return new Result(Outcome.MATCH, "host key " + KeyUtils.getFingerPrint(key));
            }
            if (key != null && !KeyUtils.compareKeys(expected, key)) return mismatch(expected, key);
            return new Result(Outcome.UNREACHABLE, "no SSH key exchange with " + endpoint + " yet");
        } catch (IOException | RuntimeException e) {
            PublicKey key = presented.get(address);
            if (key != null && !KeyUtils.compareKeys(expected, key)) return mismatch(expected, key);
            return new Result(Outcome.UNREACHABLE, "sshd at " + endpoint + " not answering yet: " + e.getMessage());
        } finally {
            if (session != null) session.close(true);
        }
    }

    /**
     * Reads the server's identification line (RFC 4253 section 4.2: "SSH-2.0-..." possibly after
     * other lines) over a plain TCP connection.
     */
    private static Optional<String> banner(InetSocketAddress address, Duration timeout) {
        try (Socket socket = new Socket()) {
            int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            socket.connect(address, millis);
            socket.setSoTimeout(millis);
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int read = 0, c; read < 2048 && (c = in.read()) >= 0; read++) {
                if (c == '\n') {
                    if (line.toString().startsWith("SSH-"))
                        return Optional.of(line.toString().strip());
                    line.setLength(0);
                } else {
                    line.append((char) c);
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Result mismatch(PublicKey expected, PublicKey presented) {
        return new Result(
                Outcome.MISMATCH,
                "sshd presented host key " + KeyUtils.getFingerPrint(presented) + " but "
                        + KeyUtils.getFingerPrint(expected) + " is pinned");
    }

    static PublicKey parse(String line) {
        Objects.requireNonNull(line, "line");
        try {
            return PublicKeyEntry.parsePublicKeyEntry(line.strip())
                    .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("cannot parse SSH public key '" + line + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        client.stop();
    }
}
