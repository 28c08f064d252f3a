package dev.hangar.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.SshHostKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CA's certificates must be what OpenSSH expects of a host certificate (checked with the real
 * {@code ssh-keygen -L}) and verify with MINA against this CA and no other; the CA's key file is
 * private and survives restarts.
 */
class HostCertificateAuthorityTest {
    @TempDir
    Path dir;

    @Test
    void signsAHostCertificateThatMinaVerifiesForThisCaOnly() {
        HostCertificateAuthority ca = HostCertificateAuthority.generate();
        SshHostKey key = HostKeys.generateEd25519("dev.hangar");
        String line = ca.certifyWorkspace(key, "alice", "dev");

        assertThat(line).startsWith("ssh-ed25519-cert-v01@openssh.com AAAA").doesNotContain("\n");
        OpenSshCertificate cert = HostCertificateAuthority.parseCertificate(line);
        assertThat(cert.getType()).isEqualTo(OpenSshCertificate.Type.HOST);
        assertThat(cert.getPrincipals()).containsExactly("dev.hangar", "dev.alice.hangar");
        assertThat(cert.getId()).isEqualTo("hangar:alice/dev");
        assertThat(org.apache.sshd.common.config.keys.PublicKeyEntry.toString(cert.getCertPubKey()))
                .isEqualTo(key.publicKey());
        assertThat(OpenSshCertificate.isValidNow(cert)).isTrue();
        assertThat(ca.signed(cert)).isTrue();

        HostCertificateAuthority other = HostCertificateAuthority.generate();
        assertThat(other.signed(cert)).as("a certificate of another CA").isFalse();
        assertThat(ca.signed(HostCertificateAuthority.parseCertificate(other.certifyWorkspace(key, "alice", "dev"))))
                .isFalse();
    }

    @Test
    void theSameKeyGivesTheSameCertificateSoSpecsAreStable() {
        HostCertificateAuthority ca = HostCertificateAuthority.generate();
        SshHostKey key = HostKeys.generateEd25519("dev.hangar");
        assertThat(ca.certifyWorkspace(key, "alice", "dev")).isEqualTo(ca.certifyWorkspace(key, "alice", "dev"));
        assertThat(ca.certifyWorkspace(key, "alice", "dev")).isNotEqualTo(ca.certifyWorkspace(key, "alice", "dev2"));
        assertThat(ca.certifyWorkspace(key, "alice", "dev"))
                .isNotEqualTo(HostCertificateAuthority.generate().certifyWorkspace(key, "alice", "dev"));
    }

    @Test
    void openSshReadsTheCertificateWithItsPrincipalsAndValidity() throws Exception {
        HostCertificateAuthority ca = HostCertificateAuthority.generate();
        SshHostKey key = HostKeys.generateEd25519("dev.hangar");
        Path cert = dir.resolve("ssh_host_ed25519_key-cert.pub");
        Files.writeString(cert, ca.certifyWorkspace(key, "alice", "dev") + "\n");

        String shown = run("ssh-keygen", "-L", "-f", cert.toString());
        assertThat(shown)
                .contains("Type: ssh-ed25519-cert-v01@openssh.com host certificate")
                .contains("Key ID: \"hangar:alice/dev\"")
                .contains("Valid: forever")
                .containsPattern("Principals: \\n\\s+dev\\.hangar\\n\\s+dev\\.alice\\.hangar\\n")
                .contains("Signing CA: ED25519 " + fingerprint(ca.publicKey()));
        assertThat(shown).contains("Public key: ED25519-CERT " + fingerprint(key.publicKey()));
    }

    @Test
    void loadOrCreateWritesAPrivateKeyFileOnceAndReadsItBack() throws Exception {
        Path file = dir.resolve("home/ssh/host_ca");
        HostCertificateAuthority first = HostCertificateAuthority.loadOrCreate(file);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(file.getParent()))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.readString(Path.of(file + ".pub")).strip())
                .isEqualTo(first.publicKey() + " " + HostCertificateAuthority.COMMENT);
        assertThat(first.toString()).doesNotContain("PRIVATE").contains(first.publicKey());
        // OpenSSH reads the file as the CA's private key
        assertThat(run("ssh-keygen", "-y", "-f", file.toString()).strip()).startsWith(first.publicKey());

        HostCertificateAuthority again = HostCertificateAuthority.loadOrCreate(file);
        assertThat(again.publicKey()).isEqualTo(first.publicKey());
        SshHostKey key = HostKeys.generateEd25519("dev.hangar");
        assertThat(again.certifyWorkspace(key, "alice", "dev")).isEqualTo(first.certifyWorkspace(key, "alice", "dev"));
        assertThat(first.knownHostsLine())
                .isEqualTo("@cert-authority *.hangar " + first.publicKey() + " hangar-host-ca");
        try (var files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("host_ca", "host_ca.pub");
        }
    }

    @Test
    void aFileWithoutAnEd25519KeyIsAnError() throws Exception {
        Path file = dir.resolve("host_ca");
        Files.writeString(file, "not a key\n");
        assertThatThrownBy(() -> HostCertificateAuthority.loadOrCreate(file)).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(
                        () -> HostCertificateAuthority.generate().certify("ssh-ed25519 AAAA", List.of("x.hangar"), "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostCertificateAuthority.generate()
                        .certify(HostKeys.generateEd25519("x").publicKey(), List.of(), "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private String fingerprint(String publicKey) throws Exception {
        Path f = Files.createTempFile(dir, "key-", ".pub");
        Files.writeString(f, publicKey + "\n");
        String out = run("ssh-keygen", "-l", "-f", f.toString());
        return out.split(" ")[1];
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", List.of(command), out).isZero();
        return out;
    }
}
