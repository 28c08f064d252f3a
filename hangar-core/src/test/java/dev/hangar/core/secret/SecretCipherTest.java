package dev.hangar.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** AES-256-GCM sealing of secrets: round trip, fresh nonces, and every way a sealed value must be refused. */
class SecretCipherTest {
    private static final byte[] VALUE = "ghp_cipher-test-value-3141".getBytes(StandardCharsets.UTF_8);

    private static byte[] randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    private final SecretCipher cipher = new SecretCipher(randomKey());

    @Test
    void roundTripsAndNeverStoresTheValueInClear() {
        SecretCipher.Sealed s = cipher.seal("alice", "github-token", VALUE);
        assertThat(s.keyId()).isEqualTo(cipher.keyId()).matches("[0-9a-f]{16}");
        assertThat(s.nonce()).hasSize(12);
        assertThat(s.ciphertext()).hasSize(VALUE.length + 16);
        assertThat(new String(s.ciphertext(), StandardCharsets.ISO_8859_1)).doesNotContain("ghp_cipher");
        assertThat(s.toString()).doesNotContain("ghp_");
        assertThat(cipher.open("alice", "github-token", s)).isEqualTo(VALUE);
    }

    @Test
    void everySealUsesAFreshNonce() {
        Set<String> nonces = new HashSet<>();
        for (int i = 0; i < 100; i++)
            nonces.add(java.util.HexFormat.of()
                    .formatHex(cipher.seal("alice", "n", VALUE).nonce()));
        assertThat(nonces).hasSize(100);
    }

    @Test
    void aTamperedCiphertextOrNonceIsRefused() {
        SecretCipher.Sealed s = cipher.seal("alice", "n", VALUE);
        byte[] ct = s.ciphertext();
        ct[3] ^= 1;
        assertThatThrownBy(() -> cipher.open("alice", "n", new SecretCipher.Sealed(s.keyId(), s.nonce(), ct)))
                .isInstanceOf(SecretCipher.OpenException.class)
                .hasMessageContaining("does not decrypt");
        byte[] nonce = s.nonce();
        nonce[0] ^= 1;
        assertThatThrownBy(() -> cipher.open("alice", "n", new SecretCipher.Sealed(s.keyId(), nonce, s.ciphertext())))
                .isInstanceOf(SecretCipher.OpenException.class);
    }

    @Test
    void aValueCopiedToAnotherOwnerOrNameIsRefused() {
        SecretCipher.Sealed s = cipher.seal("alice", "n", VALUE);
        assertThatThrownBy(() -> cipher.open("bob", "n", s))
                .isInstanceOf(SecretCipher.OpenException.class)
                .hasMessageContaining("copied from another user or name")
                .hasMessageNotContaining("ghp_");
        assertThatThrownBy(() -> cipher.open("alice", "other", s)).isInstanceOf(SecretCipher.OpenException.class);
        // the separator keeps owner and name apart: ("al", "icen") is not ("alice", "n")
        assertThatThrownBy(() -> cipher.open("al", "icen", s)).isInstanceOf(SecretCipher.OpenException.class);
    }

    @Test
    void anotherKeyIsRefusedNamingBothKeyIds() {
        SecretCipher other = new SecretCipher(randomKey());
        SecretCipher.Sealed s = cipher.seal("alice", "n", VALUE);
        assertThatThrownBy(() -> other.open("alice", "n", s))
                .isInstanceOf(SecretCipher.OpenException.class)
                .hasMessageContaining(cipher.keyId())
                .hasMessageContaining(other.keyId());
        // even under a forged key id, the tag check refuses it
        assertThatThrownBy(() ->
                        other.open("alice", "n", new SecretCipher.Sealed(other.keyId(), s.nonce(), s.ciphertext())))
                .isInstanceOf(SecretCipher.OpenException.class)
                .hasMessageContaining("does not decrypt");
    }

    @Test
    void aKeyMustBe32Bytes() {
        assertThatThrownBy(() -> new SecretCipher(new byte[16]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32 bytes");
    }
}
