package dev.hangar.provider.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.provider.spi.SshEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.SshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Probes a real SSH server (Apache MINA SSHD on 127.0.0.1) whose host key comes from ssh-keygen. */
class SshProbeTest {
    @TempDir
    Path dir;

    private SshServer server;
    private SshProbe probe;
    private Path serverKey;

    @BeforeEach
    void start() throws Exception {
        serverKey = TestKeys.generate(dir, "server_host_key");
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new FileKeyPairProvider(serverKey));
        server.setPasswordAuthenticator((user, password, session) -> false);
        server.start();
        probe = new SshProbe();
    }

    @AfterEach
    void stop() throws Exception {
        probe.close();
        server.stop(true);
    }

    private SshEndpoint endpoint() {
        return new SshEndpoint("127.0.0.1", server.getPort());
    }

    @Test
    void pinnedHostKeyMatches() throws Exception {
        SshProbe.Result r = probe.probe(endpoint(), TestKeys.hostKey(serverKey).publicKey(), Duration.ofSeconds(10));

        assertThat(r.outcome()).isEqualTo(SshProbe.Outcome.MATCH);
        assertThat(r.detail()).startsWith("host key SHA256:");
    }

    /** MINA's default client, like OpenSSH 9, offers a post-quantum exchange first; the probe curve25519. */
    @Test
    void theKeyExchangeIsCurve25519() throws Exception {
        List<String> negotiated = new CopyOnWriteArrayList<>();
        server.addSessionListener(new SessionListener() {
            @Override
            public void sessionNegotiationEnd(
                    Session session,
                    Map<KexProposalOption, String> clientProposal,
                    Map<KexProposalOption, String> serverProposal,
                    Map<KexProposalOption, String> negotiatedOptions,
                    Throwable reason) {
                negotiated.add(negotiatedOptions.get(KexProposalOption.ALGORITHMS));
            }
        });
        assertThat(ProbeClient.create().getKeyExchangeFactories().getFirst().getName())
                .isNotEqualTo(SshProbe.CURVE25519);

        SshProbe.Result r = probe.probe(endpoint(), TestKeys.hostKey(serverKey).publicKey(), Duration.ofSeconds(10));

        assertThat(r.outcome()).isEqualTo(SshProbe.Outcome.MATCH);
        assertThat(negotiated).containsExactly(SshProbe.CURVE25519);
    }

    @Test
    void aDifferentHostKeyIsNotReady() throws Exception {
        String other = TestKeys.hostKey(TestKeys.generate(dir, "other")).publicKey();

        SshProbe.Result r = probe.probe(endpoint(), other, Duration.ofSeconds(10));

        assertThat(r.outcome()).isEqualTo(SshProbe.Outcome.MISMATCH);
        assertThat(r.detail()).contains("presented host key SHA256:").contains("is pinned");
    }

    @Test
    void aHostCertificateOfHangarsCaMatchesAndIsWhatTheServerPresents() throws Exception {
        String cert = TestKeys.certificate(TestKeys.hostKey(serverKey), "dev");
        presentCertificate(cert);

        SshProbe.Result r =
                probe.probe(endpoint(), TestKeys.hostKey(serverKey).publicKey(), cert, Duration.ofSeconds(10));

        assertThat(r.outcome()).as(r.detail()).isEqualTo(SshProbe.Outcome.MATCH);
        assertThat(r.detail()).startsWith("host key SHA256:").contains("with a host certificate of CA SHA256:");
    }

    @Test
    void aHostCertificateOfAnotherCaIsAMismatch() throws Exception {
        Path otherCa = TestKeys.generate(dir, "other_ca");
        presentCertificate(TestKeys.certificate(TestKeys.hostKey(serverKey), "dev", otherCa));

        SshProbe.Result r = probe.probe(
                endpoint(),
                TestKeys.hostKey(serverKey).publicKey(),
                TestKeys.certificate(TestKeys.hostKey(serverKey), "dev"),
                Duration.ofSeconds(10));

        assertThat(r.outcome()).as(r.detail()).isEqualTo(SshProbe.Outcome.MISMATCH);
        assertThat(r.detail()).contains("host certificate of CA").contains("not one of Hangar's host CA");
    }

    @Test
    void anSshdWithoutCertificateStillMatchesByThePinnedKey() throws Exception {
        // a workspace created before Hangar signed host keys: cloud-init installed no certificate
        SshProbe.Result r = probe.probe(
                endpoint(),
                TestKeys.hostKey(serverKey).publicKey(),
                TestKeys.certificate(TestKeys.hostKey(serverKey), "dev"),
                Duration.ofSeconds(10));

        assertThat(r.outcome()).isEqualTo(SshProbe.Outcome.MATCH);
        assertThat(r.detail()).startsWith("host key SHA256:").doesNotContain("certificate");
    }

    @Test
    void aCertificateOfAnotherKeyIsRejectedBeforeProbing() throws Exception {
        String otherCert = TestKeys.certificate(TestKeys.hostKey(TestKeys.generate(dir, "other")), "dev");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> probe.probe(
                        endpoint(), TestKeys.hostKey(serverKey).publicKey(), otherCert, Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not of the pinned key");
    }

    @Test
    void theClientOffersCertificateAlgorithmsFirst() {
        var names = SshProbe.certificatesFirst(
                        org.apache.sshd.client.SshClient.setUpDefaultClient().getSignatureFactories())
                .stream()
                .map(org.apache.sshd.common.NamedResource::getName)
                .toList();
        assertThat(names).contains("ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519");
        assertThat(names.indexOf("ssh-ed25519-cert-v01@openssh.com")).isLessThan(names.indexOf("ssh-ed25519"));
    }

    /** Restarts the server so that it presents {@code certificate} with its host key. */
    private void presentCertificate(String certificate) throws Exception {
        Path file = dir.resolve("server_host_key-cert.pub");
        java.nio.file.Files.writeString(file, certificate + "\n");
        server.stop(true);
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new FileKeyPairProvider(serverKey));
        server.setHostKeyCertificateProvider(
                new org.apache.sshd.common.keyprovider.FileHostKeyCertificateProvider(file));
        server.setPasswordAuthenticator((user, password, session) -> false);
        server.start();
    }

    @Test
    void nothingListeningIsUnreachable() throws Exception {
        int port = dev.hangar.testfixtures.OpenSshd.freePort();

        SshProbe.Result r = probe.probe(
                new SshEndpoint("127.0.0.1", port), TestKeys.hostKey(serverKey).publicKey(), Duration.ofSeconds(5));

        assertThat(r.outcome()).isEqualTo(SshProbe.Outcome.UNREACHABLE);
    }

    @Test
    void aListenerThatDropsConnectionsIsUnreachable() throws Exception {
        // What QEMU's user-mode hostfwd does while the guest's sshd is down: accept, then close.
        try (java.net.ServerSocket dropper =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!dropper.isClosed()) {
                    try {
                        dropper.accept().close();
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });

            SshProbe.Result r = probe.probe(
                    new SshEndpoint("127.0.0.1", dropper.getLocalPort()),
                    TestKeys.hostKey(serverKey).publicKey(),
                    Duration.ofSeconds(5));

            assertThat(r.outcome()).isEqualTo(SshProbe.Outcome.UNREACHABLE);
            assertThat(r.detail()).contains("not answering yet");
        }
    }

    @Test
    void aMatchTakesOneConnection() throws Exception {
        // Each connection costs a guest's sshd a fork and re-exec (0.2-0.5 s under TCG); until
        // 2026-12-05 a probe read the identification line on a first connection and exchanged keys
        // on a second.
        try (CountingRelay relay = new CountingRelay(server.getPort())) {
            SshProbe.Result r = probe.probe(
                    new SshEndpoint("127.0.0.1", relay.port()),
                    TestKeys.hostKey(serverKey).publicKey(),
                    Duration.ofSeconds(10));

            assertThat(r.outcome()).as(r.detail()).isEqualTo(SshProbe.Outcome.MATCH);
            assertThat(relay.accepted()).isEqualTo(1);
        }
    }

    @Test
    void connectionsDroppedOrResetBeforeSshdAnswersAreUnreachableAndNoWarning() throws Exception {
        // What QEMU's hostfwd and Docker's userland proxy do while the sshd behind them is down: accept,
        // then close (FIN) or reset (RST, unread data in the socket); MINA would log a warning for
        // each reset, 10 a second from the readiness watcher during a boot.
        ch.qos.logback.classic.Logger root =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        root.addAppender(logged);
        try {
            for (boolean reset : new boolean[] {false, true}) {
                try (java.net.ServerSocket dropper =
                        new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
                    Thread.ofVirtual().start(() -> {
                        while (!dropper.isClosed()) {
                            try (java.net.Socket s = dropper.accept()) {
                                if (reset) {
                                    // after the client's identification arrived: a reset, not a FIN
                                    s.getInputStream().read();
                                    s.setSoLinger(true, 0);
                                }
                            } catch (java.io.IOException e) {
                                if (dropper.isClosed()) return;
                            }
                        }
                    });
                    for (int i = 0; i < 20; i++) { // the drop races MINA's session set-up: several rounds
                        SshProbe.Result r = probe.probe(
                                new SshEndpoint("127.0.0.1", dropper.getLocalPort()),
                                TestKeys.hostKey(serverKey).publicKey(),
                                Duration.ofSeconds(5));

                        assertThat(r.outcome()).as(r.detail()).isEqualTo(SshProbe.Outcome.UNREACHABLE);
                        assertThat(r.detail()).contains("not answering yet");
                    }
                }
            }
        } finally {
            root.detachAppender(logged);
        }
        assertThat(logged.list)
                .filteredOn(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))
                .extracting(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
                .isEmpty();
    }

    @Test
    void aListenerThatNeverAnswersIsUnreachableWithinOneTimeout() throws Exception {
        // QEMU's hostfwd before the guest's network is up: the connection is accepted and nothing
        // comes back. The timeout bounds connect, identification and key exchange together.
        try (java.net.ServerSocket silent =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            java.util.List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) held.add(silent.accept());
                } catch (java.io.IOException e) {
                    // closed
                }
            });
            long start = System.nanoTime();

            SshProbe.Result r = probe.probe(
                    new SshEndpoint("127.0.0.1", silent.getLocalPort()),
                    TestKeys.hostKey(serverKey).publicKey(),
                    Duration.ofSeconds(1));

            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(r.outcome()).isEqualTo(SshProbe.Outcome.UNREACHABLE);
            assertThat(r.detail()).contains("not answering yet").contains("no SSH identification within 1000 ms");
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(900)).isLessThan(Duration.ofMillis(1900));
            for (java.net.Socket s : held) s.close();
        }
    }

    /** A TCP relay on a free loopback port to {@code 127.0.0.1:target} that counts the connections it accepted. */
    private static final class CountingRelay implements AutoCloseable {
        private final java.net.ServerSocket listener =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        private final java.util.concurrent.atomic.AtomicInteger accepted =
                new java.util.concurrent.atomic.AtomicInteger();

        CountingRelay(int target) throws java.io.IOException {
            Thread.ofVirtual().start(() -> {
                while (!listener.isClosed()) {
                    try {
                        java.net.Socket in = listener.accept();
                        accepted.incrementAndGet();
                        java.net.Socket out = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), target);
                        Thread.ofVirtual().start(() -> pipe(in, out));
                        Thread.ofVirtual().start(() -> pipe(out, in));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
        }

        private static void pipe(java.net.Socket from, java.net.Socket to) {
            try (from;
                    to) {
                from.getInputStream().transferTo(to.getOutputStream());
            } catch (java.io.IOException e) {
                // one side closed: close both
            }
        }

        int port() {
            return listener.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        @Override
        public void close() throws java.io.IOException {
            listener.close();
        }
    }
}
