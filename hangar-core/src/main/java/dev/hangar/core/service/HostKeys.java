package dev.hangar.core.service;

import dev.hangar.provider.spi.SshHostKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Generates SSH host keys for workspaces, so that Hangar knows (and can pin) a workspace's host key
 * before it first boots. Uses Apache MINA SSHD's key writers; thread-safe.
 */
public final class HostKeys {
    private HostKeys() {}

    /**
     * @return a fresh Ed25519 (RFC 8709) host key pair, private half in OpenSSH format
     * @throws IllegalStateException if the JVM lacks Ed25519 support
     */
    public static SshHostKey generateEd25519(String comment) {
        try {
            KeyPairGenerator gen = SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA);
            gen.initialize(256);
            KeyPair kp = gen.generateKeyPair();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(kp, comment, null, out);
            String publicLine = PublicKeyEntry.toString(kp.getPublic());
            String algorithm = publicLine.substring(0, publicLine.indexOf(' '));
            return new SshHostKey(algorithm, out.toString(StandardCharsets.US_ASCII), publicLine);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an Ed25519 host key: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
