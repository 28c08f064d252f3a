package dev.hangar.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Iterator;
import java.util.Set;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's Ed25519 host key (RFC 8709), generated once and kept as an unencrypted OpenSSH
 * private key file (the format {@code ssh-keygen} writes) with mode 0600 in a 0700 directory, so a
 * restart presents the same key and clients' known_hosts entries stay valid.
 *
 * <p>Not thread-safe for concurrent first starts on the same directory; the server starts one
 * gateway.
 */
final class HostKeyFile {
    /** File name inside the state directory (the name OpenSSH's sshd uses). */
    static final String FILE_NAME = "ssh_host_ed25519_key";

    private static final Logger LOG = LoggerFactory.getLogger(HostKeyFile.class);
    private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_RWX = PosixFilePermissions.fromString("rwx------");

    private HostKeyFile() {}

    /**
     * Loads the key from {@code dir/ssh_host_ed25519_key}, generating and writing it first if absent.
     *
     * @throws IllegalStateException when the file is readable by others (fix: {@code chmod 600}), or
     *     is not an Ed25519 OpenSSH private key
     * @throws UncheckedIOException when the directory or file cannot be read or written
     */
    static KeyPair loadOrCreate(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_RWX));
            }
            if (!Files.exists(file)) {
                generate(file);
            }
            return load(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the gateway host key " + file + ": " + e, e);
        }
    }

    private static void generate(Path file) throws IOException {
        KeyPair pair;
        try {
            pair = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "cannot generate an Ed25519 host key (is BouncyCastle on the class path?)", e);
        }
        // Write to a temp file created 0600 from the start, then hard-link it into place: the
        // private key is never readable by others, a crash never leaves a half-written key
        // behind, and link(2) fails if the name exists, so of two servers starting at once on one
        // home the first key wins and both serve it (a rename would let the second replace it).
        Path tmp = Files.createTempFile(
                file.getParent(), FILE_NAME + ".", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_RW));
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "hangar-gateway", null, out);
            }
            try {
                Files.createLink(file, tmp);
            } catch (FileAlreadyExistsException e) {
                return; // generated concurrently: load that one
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode the gateway host key", e);
        } finally {
            Files.deleteIfExists(tmp);
        }
        LOG.info("generated gateway host key {}", file);
    }

    private static KeyPair load(Path file) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (!OWNER_RW.containsAll(perms)) {
            throw new IllegalStateException("gateway host key " + file + " has mode "
                    + PosixFilePermissions.toString(perms) + "; it must be readable by its owner only: chmod 600 "
                    + file);
        }
        Iterable<KeyPair> pairs;
        try (InputStream in = Files.newInputStream(file)) {
            pairs = SecurityUtils.loadKeyPairIdentities(
                    null, NamedResource.ofName(file.toString()), in, FilePasswordProvider.EMPTY);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "gateway host key " + file + " is not a valid OpenSSH private key: " + e.getMessage()
                            + "; delete it to have a new one generated (clients must then re-run hangar config-ssh)");
        }
        Iterator<KeyPair> it = pairs == null ? null : pairs.iterator();
        if (it == null || !it.hasNext())
            throw new IllegalStateException(
                    "gateway host key " + file + " holds no key; delete it to have one generated");
        KeyPair pair = it.next();
        if (!KeyPairProvider.SSH_ED25519.equals(KeyUtils.getKeyType(pair)))
            throw new IllegalStateException("gateway host key " + file + " is " + KeyUtils.getKeyType(pair)
                    + ", expected ssh-ed25519; delete it to have an Ed25519 key generated");
        return pair;
    }
}
