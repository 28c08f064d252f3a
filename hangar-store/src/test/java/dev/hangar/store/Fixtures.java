package dev.hangar.store;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.SshPublicKey;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceParameters;
import dev.hangar.core.secret.SecretCipher;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.UUID;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/** Real test values: freshly generated ECDSA P-256 key pairs in OpenSSH form (via Apache MINA SSHD). */
final class Fixtures {
    /** An instant with nanoseconds, to show that the store truncates to milliseconds. */
    static final Instant T0 = Instant.parse("2026-11-21T01:02:03.123456789Z");

    /** The secrets key the test stores are opened with (fixed, so a reopened database opens). */
    static final SecretCipher KEY = new SecretCipher(filled((byte) 7));

    /** Another key: a database sealed with {@link #KEY} must refuse it. */
    static final SecretCipher OTHER_KEY = new SecretCipher(filled((byte) 9));

    private Fixtures() {}

    private static byte[] filled(byte b) {
        byte[] key = new byte[SecretCipher.KEY_BYTES];
        java.util.Arrays.fill(key, b);
        return key;
    }

    static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return a host key whose private half is a real multi-line OpenSSH private key */
    static SshHostKey hostKey() {
        KeyPair pair = ecKeyPair();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(
                    pair, "hangar-test", (OpenSSHKeyEncryptionContext) null, out);
            return new SshHostKey(
                    "ecdsa-sha2-nistp256",
                    out.toString(StandardCharsets.US_ASCII),
                    PublicKeyEntry.toString(pair.getPublic()));
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return a parsed, validated user key with its real SHA256 fingerprint */
    static SshPublicKey userKey(String comment) {
        return SshPublicKey.parse(PublicKeyEntry.toString(ecKeyPair().getPublic()) + " " + comment);
    }

    static Workspace workspace(String owner, String name) {
        return workspace(owner, name, "debian", "qemu", Phase.Pending);
    }

    static Workspace workspace(String owner, String name, String template, String providerType, Phase phase) {
        return new Workspace(
                UUID.randomUUID().toString(),
                new Workspace.Spec(
                        name,
                        owner,
                        template,
                        providerType,
                        new WorkspaceParameters(
                                new Resources(2, 2048, 10), "debian-12", "#cloud-config\npackages: [git]\n"),
                        hostKey(),
                        DesiredState.RUNNING),
                Workspace.Status.PENDING.withPhase(phase, ""),
                T0,
                T0.plusMillis(5),
                1);
    }
}
