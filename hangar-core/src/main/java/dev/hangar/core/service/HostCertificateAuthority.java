package dev.hangar.core.service;

import dev.hangar.provider.spi.SshHostKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.sshd.certificate.OpenSshCertificateBuilder;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.config.keys.loader.openssh.OpenSSHKeyPairResourceParser;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Hangar's SSH host certificate authority: one Ed25519 key pair that signs every workspace's host
 * key as an OpenSSH host certificate (OpenSSH PROTOCOL.certkeys), so that clients trust all
 * workspaces with one {@code @cert-authority *.hangar <key>} line in known_hosts (sshd(8),
 * "SSH_KNOWN_HOSTS FILE FORMAT").
 *
 * <p>Certificates are deterministic: the same host key, principals and CA always give the same
 * certificate (Ed25519 signatures are deterministic, and the nonce and serial are derived from the
 * signed content), so the core can compute them on every reconcile pass without a provider seeing a
 * changed spec. They are valid forever ({@link OpenSshCertificate#MIN_EPOCH} to {@link
 * OpenSshCertificate#INFINITY}): a certificate lives exactly as long as its workspace's host key,
 * and an expiring one would need renewal inside running guests (see ADR 0010).
 *
 * <p>The private key is never logged ({@link #toString()} shows the public key only). Immutable and
 * thread-safe.
 */
public final class HostCertificateAuthority {
    /** The comment of the CA's public key, shown by {@code ssh-keygen -l} and in known_hosts. */
    public static final String COMMENT = "hangar-host-ca";

    private final KeyPair keyPair;
    private final String publicKey;

    private HostCertificateAuthority(KeyPair keyPair) {
        this.keyPair = keyPair;
        this.publicKey = PublicKeyEntry.toString(keyPair.getPublic());
    }

    /**
     * Generates a new CA in memory (tests; {@link #loadOrCreate} for the control plane).
     *
     * @throws IllegalStateException if the JVM lacks Ed25519 support
     */
    public static HostCertificateAuthority generate() {
        try {
            KeyPairGenerator gen = SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA);
            gen.initialize(256);
            return new HostCertificateAuthority(gen.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an Ed25519 key: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the CA's private key from {@code privateKeyFile} (OpenSSH format, unencrypted), or, when
     * the file does not exist, generates one and writes it there with mode 0600 (parent directories
     * created with mode 0700), plus the public key beside it as {@code <file>.pub} (mode 0644).
     * Idempotent: later calls read the same key. Two processes racing on a fresh file both end with
     * the key that was written first.
     *
     * @throws UncheckedIOException if the file cannot be read or written
     * @throws IllegalStateException if the file holds no single Ed25519 private key
     */
    public static HostCertificateAuthority loadOrCreate(Path privateKeyFile) {
        Objects.requireNonNull(privateKeyFile, "privateKeyFile");
        try {
            if (!Files.exists(privateKeyFile)) create(privateKeyFile);
            return new HostCertificateAuthority(read(privateKeyFile));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the SSH host CA " + privateKeyFile + ": " + e.getMessage(), e);
        }
    }

    /** @return the CA's public key as {@code "ssh-ed25519 <base64>"} (no comment) */
    public String publicKey() {
        return publicKey;
    }

    /** @return the line clients put in known_hosts to trust every workspace: {@code @cert-authority *.hangar <key>} */
    public String knownHostsLine() {
        return "@cert-authority *.hangar " + publicKey + " " + COMMENT;
    }

    /**
     * The principals (host names) a workspace's certificate is valid for: the names ssh looks up in
     * known_hosts behind the gateway, {@code <name>.hangar} (the owner's own form) and {@code
     * <name>.<owner>.hangar} (the form admins use for another user's workspace).
     */
    public static List<String> principals(String owner, String workspace) {
        return List.of(workspace + ".hangar", workspace + "." + owner + ".hangar");
    }

    /**
     * Signs a workspace's host key for {@link #principals}, with key id {@code hangar:<owner>/<name>}
     * (sshd logs it).
     *
     * @return the certificate as one line {@code ssh-ed25519-cert-v01@openssh.com <base64>}, identical
     *     for identical arguments
     * @throws IllegalArgumentException if {@code hostKey.publicKey()} is not a parsable SSH public key
     */
    public String certifyWorkspace(SshHostKey hostKey, String owner, String workspace) {
        return certify(hostKey.publicKey(), principals(owner, workspace), "hangar:" + owner + "/" + workspace);
    }

    /**
     * Signs {@code publicKeyLine} as a host certificate.
     *
     * @param publicKeyLine {@code "<algorithm> <base64> [comment]"}
     * @param principals host names the certificate is valid for (not empty)
     * @param id the certificate's key id
     * @return one line {@code <algorithm>-cert-v01@openssh.com <base64>}, identical for identical
     *     arguments
     * @throws IllegalArgumentException if the key cannot be parsed or principals is empty
     */
    public String certify(String publicKeyLine, Collection<String> principals, String id) {
        if (principals.isEmpty()) throw new IllegalArgumentException("a host certificate needs principals");
        PublicKey key = parse(publicKeyLine);
        byte[] digest = digest(publicKeyLine, principals, id);
        try {
            OpenSshCertificate cert = OpenSshCertificateBuilder.hostCertificate()
                    .publicKey(key)
                    .serial(ByteBuffer.wrap(digest).getLong() & Long.MAX_VALUE)
                    .id(id)
                    .principals(List.copyOf(principals))
                    .validAfter(OpenSshCertificate.MIN_EPOCH)
                    .validBefore(OpenSshCertificate.INFINITY)
                    .nonce(digest)
                    .sign(keyPair);
            return PublicKeyEntry.toString(cert);
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign host key " + publicKeyLine + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses an OpenSSH certificate line (as {@link #certify} returns it).
     *
     * @throws IllegalArgumentException if {@code line} is not an OpenSSH certificate
     */
    public static OpenSshCertificate parseCertificate(String line) {
        if (!(parse(line) instanceof OpenSshCertificate cert))
            throw new IllegalArgumentException("not an OpenSSH certificate: " + line);
        return cert;
    }

    /**
     * @return whether {@code cert} is a host certificate signed by this CA with a valid signature
     */
    public boolean signed(OpenSshCertificate cert) {
        if (cert.getType() != OpenSshCertificate.Type.HOST) return false;
        if (!KeyUtils.compareKeys(keyPair.getPublic(), cert.getCaPubKey())) return false;
        try {
            var verifier = org.apache.sshd.common.signature.BuiltinSignatures.fromFactoryName(
                            cert.getSignatureAlgorithm())
                    .create();
            verifier.initVerifier(null, cert.getCaPubKey());
            verifier.update(null, cert.getMessage());
            return verifier.verify(null, cert.getSignature());
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "HostCertificateAuthority[" + publicKey + "]";
    }

    private static PublicKey parse(String line) {
        Objects.requireNonNull(line, "line");
        try {
            return PublicKeyEntry.parsePublicKeyEntry(line.strip())
                    .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("cannot parse SSH public key '" + line + "': " + e.getMessage(), e);
        }
    }

    private byte[] digest(String publicKeyLine, Collection<String> principals, String id) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : List.of(publicKey, publicKeyLine.strip(), String.join(",", principals), id)) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return sha.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void create(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir))
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        HostCertificateAuthority ca = generate();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(ca.keyPair, COMMENT, null, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode the SSH host CA: " + e.getMessage(), e);
        }
        // Written under a temporary name with mode 0600 from the start, then moved into place
        // without replacing: a concurrent creator's key wins and this one is dropped.
        Path tmp = Files.createTempFile(
                dir,
                ".host-ca-",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (OutputStream o = Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING)) {
                out.writeTo(o);
            }
            try {
                Files.createLink(file, tmp);
            } catch (FileAlreadyExistsException e) {
                return;
            }
            Path pub = Path.of(file + ".pub");
            Path pubTmp = Files.createTempFile(dir, ".host-ca-", ".pub.tmp");
            Files.writeString(pubTmp, ca.publicKey + " " + COMMENT + "\n", StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(pubTmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(pubTmp, pub, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static KeyPair read(Path file) throws IOException {
        try {
            Collection<KeyPair> pairs = OpenSSHKeyPairResourceParser.INSTANCE.loadKeyPairs(null, file, null);
            if (pairs.size() != 1
                    || !KeyUtils.getKeyType(pairs.iterator().next()).equals("ssh-ed25519"))
                throw new IllegalStateException(
                        file + " must hold exactly one Ed25519 private key (Hangar's SSH host CA)");
            return pairs.iterator().next();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the SSH host CA " + file + ": " + e.getMessage(), e);
        }
    }
}
