package dev.hangar.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Keys made by the real OpenSSH {@code ssh-keygen}; fingerprints compared with what {@code ssh-keygen -l} prints. */
class SshPublicKeyTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({
        "ed25519,256,ssh-ed25519",
        "ecdsa,256,ecdsa-sha2-nistp256",
        "ecdsa,384,ecdsa-sha2-nistp384",
        "ecdsa,521,ecdsa-sha2-nistp521",
        "rsa,3072,ssh-rsa",
        "rsa,4096,ssh-rsa"
    })
    void acceptsStrongKeysWithOpenSshFingerprints(String type, int bits, String algorithm) throws Exception {
        Path pub = keygen(type, bits, "dev@laptop");
        SshPublicKey key = SshPublicKey.parse(Files.readString(pub));
        assertThat(key.algorithm()).isEqualTo(algorithm);
        assertThat(key.bits()).isEqualTo(bits);
        assertThat(key.comment()).isEqualTo("dev@laptop");
        // "256 SHA256:abc... dev@laptop (ED25519)"
        String printed = run("ssh-keygen", "-l", "-E", "sha256", "-f", pub.toString());
        assertThat(printed.split(" ")[1]).isEqualTo(key.fingerprint());
        assertThat(key.authorizedKeyLine()).isEqualTo(Files.readString(pub).strip());
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 2048})
    void refusesShortRsaKeysSayingWhatIsRequired(int bits) throws Exception {
        Path pub = keygen("rsa", bits, "old");
        assertThatThrownBy(() -> SshPublicKey.parse(Files.readString(pub)))
                .isInstanceOf(InvalidSshKeyException.class)
                .hasMessageContaining(bits + " bits")
                .hasMessageContaining("3072");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "   ",
                "ssh-ed25519",
                "ssh-ed25519 AAAA",
                "ssh-ed25519 !!!notbase64!!!",
                "ssh-dss AAAAB3NzaC1kc3MAAACBAP",
                "-----BEGIN OPENSSH PRIVATE KEY-----",
                "hello world",
                "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ== mismatched"
            })
    void refusesMalformedOrWrongTypeKeysWithAClearMessage(String line) {
        assertThatThrownBy(() -> SshPublicKey.parse(line))
                .isInstanceOf(InvalidSshKeyException.class)
                .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo("key"))
                .hasMessageMatching("(?s).*(empty|not accepted|malformed|private key|type|could not).*");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519"})
    void keyWithoutCommentHasEmptyComment(String type) throws Exception {
        Path pub = keygen(type, 256, "");
        String line = Files.readString(pub).strip();
        SshPublicKey key = SshPublicKey.parse(line.split(" ")[0] + " " + line.split(" ")[1]);
        assertThat(key.comment()).isEmpty();
        assertThat(key.authorizedKeyLine()).doesNotEndWith(" ");
    }

    private Path keygen(String type, int bits, String comment) throws Exception {
        Path f = dir.resolve(type + bits + "-" + System.nanoTime());
        run("ssh-keygen", "-q", "-t", type, "-b", Integer.toString(bits), "-N", "", "-C", comment, "-f", f.toString());
        return Path.of(f + ".pub");
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
