package dev.hangar.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.core.domain.SshPublicKey;
import dev.hangar.provider.spi.SshHostKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated private key must be one that the real OpenSSH reads, and match the public half. */
class HostKeysTest {
    @TempDir
    Path dir;

    @Test
    void generatedKeyIsReadByOpenSshAndMatchesItsPublicHalf() throws Exception {
        SshHostKey key = HostKeys.generateEd25519("dev.hangar");
        assertThat(key.algorithm()).isEqualTo("ssh-ed25519");
        assertThat(key.privateKeyOpenSsh()).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
        assertThat(key.toString()).doesNotContain(key.privateKeyOpenSsh()).contains("redacted");
        Path priv = dir.resolve("ssh_host_ed25519_key");
        Files.writeString(priv, key.privateKeyOpenSsh());
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
        Process p = new ProcessBuilder("ssh-keygen", "-y", "-f", priv.toString())
                .redirectErrorStream(true)
                .start();
        String derived = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(derived).isZero();
        assertThat(derived.split(" ")[1]).isEqualTo(key.publicKey().split(" ")[1]);
        assertThat(SshPublicKey.parse(key.publicKey()).bits()).isEqualTo(256);
    }

    @Test
    void everyKeyIsFresh() {
        assertThat(HostKeys.generateEd25519("a").publicKey())
                .isNotEqualTo(HostKeys.generateEd25519("a").publicKey());
    }
}
