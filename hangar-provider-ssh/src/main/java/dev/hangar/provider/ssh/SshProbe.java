package dev.hangar.provider.ssh;

import dev.hangar.provider.spi.SshEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.AbstractClientSession;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientSession.ClientSessionEvent;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * Decides whether a workspace's sshd is ready: it must complete an SSH key exchange (RFC 4253
 * section 7-8, {@code curve25519-sha256} offered first: {@link #curve25519First}) proving
 * possession of the host key Hangar pinned. No login is attempted. A server that answers with any
 * other host key is rejected during the key exchange and reported as {@link Outcome#MISMATCH}.
 *
 * <p>Host certificates (OpenSSH PROTOCOL.certkeys): the client offers the {@code *-cert-v01@openssh.com}
 * host key algorithms first, so an sshd with a {@code HostCertificate} presents it. MINA then checks
 * the certificate's signature, type (host) and validity, and aborts the key exchange when they fail;
 * this probe additionally requires that it is signed by the CA of the expected certificate and
 * certifies the pinned key. An sshd without a certificate (a workspace created before Hangar signed
 * host keys) passes with the pinned key alone.
 *
 * <p>One TCP connection per probe, MINA's own, and one bound: {@code timeout} covers the connect,
 * the identification exchange and the key exchange together. A connection that a proxy in front of
 * the workspace (QEMU's hostfwd, Docker's userland proxy) accepts and drops because sshd is not
 * listening yet is {@link Outcome#UNREACHABLE} and logged at debug only ({@link ProbeClient}, {@link
 * ProbeSession}).
 *
 * <p>Thread-safe: one Apache MINA SSHD client serves all probes; the pinned key is looked up by the
 * address being probed (each workspace has its own loopback port). Used by every provider whose
 * workspaces run sshd (qemu, docker); it lives here because providers see only the SPI, not each
 * other.
 */
public final class SshProbe implements AutoCloseable {

    /** What a probe found. */
    public enum Outcome {
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
    public record Result(Outcome outcome, String detail) {}

    /** What an address must present: the pinned key, and the certificate of it when one is expected. */
    private record Expected(PublicKey key, Optional<OpenSshCertificate> certificate) {}

    /** The key exchange the probe offers first (RFC 8731); see {@link #curve25519First}. */
    static final String CURVE25519 = "curve25519-sha256";

    private final SshClient client;
    private final Map<SocketAddress, Expected> pinned = new ConcurrentHashMap<>();
    // What each address presented in its last key exchange (session attributes are gone once the
    // verifier's rejection closed the session).
    private final Map<SocketAddress, PublicKey> presented = new ConcurrentHashMap<>();

    public SshProbe() {
        // MINA's default client, except that a proxy's dropped connection while sshd is down is an
        // answer (UNREACHABLE), not a warning
        client = ProbeClient.create();
        client.setSignatureFactories(certificatesFirst(client.getSignatureFactories()));
        client.setKeyExchangeFactories(curve25519First(client.getKeyExchangeFactories()));
        // an invalid certificate (bad signature, expired, user type) fails the key exchange instead
        // of MINA falling back to the certified key
        CoreModuleProperties.ABORT_ON_INVALID_CERTIFICATE.set(client, true);
        client.addSessionListener(new SessionListener() {
            @Override
            public void sessionNegotiationStart(
                    Session session,
                    Map<KexProposalOption, String> clientProposal,
                    Map<KexProposalOption, String> serverProposal) {
                // Before the server's key arrives: MINA checks a certificate's principals against
                // the host name of the session's connect address (set after the session was created).
                if (session instanceof AbstractClientSession s
                        && inet(session.getIoSession().getRemoteAddress()) instanceof InetSocketAddress a) {
                    Expected expected = pinned.get(a);
                    if (expected != null) s.setConnectAddress(named(a, expected.certificate()));
                }
            }
        });
        client.setServerKeyVerifier((session, remote, serverKey) -> {
            presented.put(remote, serverKey);
            Expected expected = pinned.get(remote);
            return expected != null && accepted(expected, serverKey);
        });
        client.start();
    }

    /**
     * @return {@code factories} with the certificate algorithms first (stable otherwise); the key
     *     exchange picks the first host key algorithm of the client's list that the server has
     */
    static List<NamedFactory<Signature>> certificatesFirst(List<NamedFactory<Signature>> factories) {
        List<NamedFactory<Signature>> all = new ArrayList<>(factories);
        if (all.stream().noneMatch(f -> f.getName().equals(BuiltinSignatures.ed25519_cert.getName())))
            all.add(BuiltinSignatures.ed25519_cert);
        all.sort(Comparator.comparing(f -> !KeyUtils.isCertificateAlgorithm(f.getName())));
        return all;
    }

    /**
     * @return {@code factories} with {@code curve25519-sha256} (RFC 8731) first, the others after it
     *     in their order: the key exchange picks the first of the client's algorithms that the
     *     server has. A probe carries no data, so a post-quantum exchange protects nothing in it, and
     *     {@code sntrup761x25519-sha512}, MINA's and OpenSSH 9's first choice, costs the probe's JVM
     *     60-170 ms more per probe (bench/qemu/README.md, round 15); the host key's signature proves
     *     the pinned key either way.
     */
    static List<KeyExchangeFactory> curve25519First(List<KeyExchangeFactory> factories) {
        List<KeyExchangeFactory> all = new ArrayList<>(factories);
        all.sort(Comparator.comparing(f -> !f.getName().equals(CURVE25519)));
        return all;
    }

    private static boolean accepted(Expected expected, PublicKey serverKey) {
        if (serverKey instanceof OpenSshCertificate cert) {
            if (cert.getType() != OpenSshCertificate.Type.HOST
                    || !KeyUtils.compareKeys(expected.key(), cert.getCertPubKey())) return false;
            return expected.certificate()
                    .map(c -> KeyUtils.compareKeys(c.getCaPubKey(), cert.getCaPubKey()))
                    .orElse(false);
        }
        return KeyUtils.compareKeys(expected.key(), serverKey);
    }

    private static PublicKey plain(PublicKey key) {
        return key instanceof OpenSshCertificate cert ? cert.getCertPubKey() : key;
    }

    /**
     * Reads the SSH server's identification line ({@code SSH-2.0-...}, RFC 4253 section 4.2) over one
     * plain TCP connection, without a key exchange: proof that an sshd answers at {@code endpoint},
     * not of which key it holds. Cheaper than {@link #probe} for the server (no key exchange), which
     * matters for a guest emulated under TCG.
     *
     * @param timeout bound on the connect and on the wait for the line, each
     * @return the identification line, stripped; empty when nothing that speaks SSH answered
     *     (refused, reset, closed or timed out)
     */
    public static Optional<String> identification(SshEndpoint endpoint, Duration timeout) {
        return banner(new InetSocketAddress(endpoint.host(), endpoint.port()), timeout);
    }

    /**
     * Probes {@code endpoint} once, for the pinned key only (an sshd without a host certificate; one
     * with a certificate fails MINA's principal check against the endpoint's address).
     *
     * @see #probe(SshEndpoint, String, String, Duration)
     */
    public Result probe(SshEndpoint endpoint, String pinnedPublicKey, Duration timeout) {
        return probe(endpoint, parse(pinnedPublicKey), Optional.empty(), timeout);
    }

    /**
     * Probes {@code endpoint} once.
     *
     * @param pinnedPublicKey the expected host key as an {@code authorized_keys}-style line
     *     ({@code ssh-ed25519 AAAA...})
     * @param hostCertificate the expected certificate of that key ({@code
     *     ssh-ed25519-cert-v01@openssh.com AAAA...}); a certificate the server presents must be signed
     *     by the same CA and certify the pinned key
     * @param timeout bound on connect plus key exchange
     * @throws IllegalArgumentException if {@code pinnedPublicKey} or {@code hostCertificate} cannot be
     *     parsed, or the certificate is not of the pinned key
     */
    public Result probe(SshEndpoint endpoint, String pinnedPublicKey, String hostCertificate, Duration timeout) {
        PublicKey key = parse(pinnedPublicKey);
        if (!(parse(hostCertificate) instanceof OpenSshCertificate cert))
            throw new IllegalArgumentException("not an OpenSSH certificate: " + hostCertificate);
        if (!KeyUtils.compareKeys(key, cert.getCertPubKey()))
            throw new IllegalArgumentException("the host certificate is not of the pinned key " + pinnedPublicKey);
        return probe(endpoint, key, Optional.of(cert), timeout);
    }

    private Result probe(
            SshEndpoint endpoint, PublicKey expected, Optional<OpenSshCertificate> certificate, Duration timeout) {
        InetSocketAddress address = new InetSocketAddress(endpoint.host(), endpoint.port());
        Expected wanted = new Expected(expected, certificate);
        pinned.put(address, wanted);
        presented.remove(address);
        // One connection: MINA's own, from the TCP connect through the key exchange. Until 2026-12-05 a
        // plain socket first read sshd's identification line, so that MINA never saw the connections
        // QEMU's user networking and Docker's userland proxy accept and drop while the workspace's sshd
        // is down; but then the sshd that did answer forked and re-executed itself twice per probe, 0.2-0.5
        // s under TCG on every boot's path (bench/qemu/README.md, round 5). Those dropped connections are
        // now quiet in ProbeSession instead.
        long deadline = System.nanoTime() + timeout.toNanos();
        ClientSession session = null;
        try {
            ConnectFuture connect = client.connect("hangar-probe", address);
            session = connect.verify(timeout).getSession();
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            Set<ClientSessionEvent> state =
                    session.waitFor(EnumSet.of(ClientSessionEvent.WAIT_AUTH, ClientSessionEvent.CLOSED), left);
            PublicKey key = presented.get(address);
            if (state.contains(ClientSessionEvent.WAIT_AUTH) && key != null && accepted(wanted, key)) {
                return new Result(Outcome.MATCH, matched(key));
            }
            if (key != null && !accepted(wanted, key)) return mismatch(expected, key);
            if (session.getServerVersion() == null)
                return new Result(
                        Outcome.UNREACHABLE,
                        "sshd at " + endpoint + " not answering yet ("
                                + (state.contains(ClientSessionEvent.CLOSED)
                                        ? "connection closed before an SSH identification"
                                        : "no SSH identification within " + timeout.toMillis() + " ms")
                                + ")");
            return new Result(Outcome.UNREACHABLE, "no SSH key exchange with " + endpoint + " yet");
        } catch (IOException | RuntimeException e) {
            PublicKey key = presented.get(address);
            if (key != null && !accepted(wanted, key)) return mismatch(expected, key);
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

    private static SocketAddress inet(SocketAddress a) {
        return a instanceof SshdSocketAddress s ? s.toInetSocketAddress() : a;
    }

    /**
     * MINA checks a presented certificate's principals against the host name of the session's
     * connect address, so the probe names the endpoint's IP address with the certificate's first
     * principal ({@code <name>.hangar}); no name lookup happens.
     */
    private static SocketAddress named(InetSocketAddress address, Optional<OpenSshCertificate> certificate) {
        Optional<String> name =
                certificate.flatMap(c -> c.getPrincipals().stream().findFirst());
        if (name.isEmpty() || address.isUnresolved()) return address;
        try {
            return new InetSocketAddress(
                    InetAddress.getByAddress(name.get(), address.getAddress().getAddress()), address.getPort());
        } catch (java.net.UnknownHostException e) {
            return address;
        }
    }

    private static String matched(PublicKey key) {
        if (key instanceof OpenSshCertificate cert)
            return "host key " + KeyUtils.getFingerPrint(cert.getCertPubKey()) + " with a host certificate of CA "
                    + KeyUtils.getFingerPrint(cert.getCaPubKey());
        return "host key " + KeyUtils.getFingerPrint(key);
    }

    private static Result mismatch(PublicKey expected, PublicKey presented) {
        if (presented instanceof OpenSshCertificate cert && KeyUtils.compareKeys(expected, cert.getCertPubKey()))
            return new Result(
                    Outcome.MISMATCH,
                    "sshd presented a host certificate of CA " + KeyUtils.getFingerPrint(cert.getCaPubKey())
                            + " for the pinned key " + KeyUtils.getFingerPrint(expected)
                            + ", not one of Hangar's host CA");
        return new Result(
                Outcome.MISMATCH,
                "sshd presented host key " + KeyUtils.getFingerPrint(plain(presented)) + " but "
                        + KeyUtils.getFingerPrint(expected) + " is pinned");
    }

    /**
     * Parses an OpenSSH public key line, {@code "ssh-ed25519 AAAA... [comment]"}.
     *
     * @throws IllegalArgumentException when it is not one (the message names the line)
     */
    public static PublicKey parse(String line) {
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
