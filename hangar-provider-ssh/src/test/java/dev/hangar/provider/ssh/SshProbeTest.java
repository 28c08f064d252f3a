package dev.hangar.provider.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.provider.spi.SshEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
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
}
