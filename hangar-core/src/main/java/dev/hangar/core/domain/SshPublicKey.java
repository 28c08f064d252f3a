package dev.hangar.core.domain;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Objects;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.digest.BuiltinDigests;

/**
 * A validated SSH public key in OpenSSH {@code authorized_keys} form.
 *
 * <p>Accepted: {@code ssh-ed25519} (RFC 8709), {@code ecdsa-sha2-nistp256/384/521} (RFC 5656) and
 * {@code ssh-rsa} (RFC 4253) with a modulus of at least {@value #MIN_RSA_BITS} bits (NIST SP
 * 800-57 gives 3072-bit RSA 128-bit security). DSA and shorter RSA keys are refused. Parsing uses
 * Apache MINA SSHD's {@code AuthorizedKeyEntry}.
 *
 * @param algorithm the key type, e.g. {@code ssh-ed25519}
 * @param base64 the key blob, base64 as in the {@code authorized_keys} line
 * @param comment the comment after the blob; empty when none
 * @param bits key size in bits (256 for Ed25519, the curve size for ECDSA, the modulus for RSA)
 * @param fingerprint OpenSSH's SHA-256 fingerprint, {@code SHA256:<unpadded base64>}, the form
 *     {@code ssh-keygen -l} prints
 */
public record SshPublicKey(String algorithm, String base64, String comment, int bits, String fingerprint) {
    /** Smallest RSA modulus accepted, in bits. */
    public static final int MIN_RSA_BITS = 3072;

    private static final List<String> ACCEPTED =
            List.of("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa");

    public SshPublicKey {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(base64, "base64");
        Objects.requireNonNull(fingerprint, "fingerprint");
        comment = comment == null ? "" : comment;
    }

    /**
     * Parses and validates one line of an {@code authorized_keys} file (options are not allowed).
     *
     * @throws InvalidSshKeyException saying what is wrong and what is accepted
     */
    public static SshPublicKey parse(String line) {
        if (line == null || line.isBlank())
            throw new InvalidSshKeyException("SSH public key is empty; paste the single line of your id_ed25519.pub");
        String trimmed = line.strip();
        if (trimmed.contains("\n")) throw new InvalidSshKeyException("SSH public key must be a single line");
        if (trimmed.startsWith("-----BEGIN"))
            throw new InvalidSshKeyException(
                    "this looks like a private key or a PEM file; give the public key line (the .pub file), e.g. 'ssh-ed25519 AAAA... you@host'");
        String type = trimmed.split("\\s+", 2)[0];
        if (!ACCEPTED.contains(type)) {
            throw new InvalidSshKeyException("SSH key type '" + type
                    + "' is not accepted; use ssh-ed25519 (recommended), ecdsa-sha2-nistp256/384/521 or ssh-rsa with at least "
                    + MIN_RSA_BITS + " bits");
        }
        PublicKey key;
        AuthorizedKeyEntry entry;
        try {
            entry = AuthorizedKeyEntry.parseAuthorizedKeyEntry(trimmed);
            if (entry == null) throw new InvalidSshKeyException("SSH public key could not be parsed");
            key = entry.resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
        } catch (InvalidSshKeyException e) {
            throw e;
        } catch (Exception | LinkageError e) {
            throw new InvalidSshKeyException("SSH public key is malformed ("
                    + e.getClass().getSimpleName() + "); copy the whole line of the .pub file");
        }
        if (key == null)
            throw new InvalidSshKeyException("SSH public key is malformed; copy the whole line of the .pub file");
        String actual = KeyUtils.getKeyType(key);
        if (!type.equals(actual))
            throw new InvalidSshKeyException("SSH key says type '" + type + "' but its blob is '" + actual + "'");
        int bits = switch (key) {
            case RSAPublicKey rsa -> rsa.getModulus().bitLength();
            case ECPublicKey ec -> ec.getParams().getCurve().getField().getFieldSize();
            default -> 256;
        };
        if (key instanceof RSAPublicKey && bits < MIN_RSA_BITS) {
            throw new InvalidSshKeyException("RSA key has " + bits + " bits; at least " + MIN_RSA_BITS
                    + " are required (ssh-keygen -t ed25519 makes a better key)");
        }
        String base64 = trimmed.split("\\s+")[1];
        String comment = entry.getComment() == null ? "" : entry.getComment().strip();
        return new SshPublicKey(type, base64, comment, bits, KeyUtils.getFingerPrint(BuiltinDigests.sha256, key));
    }

    /** @return the {@code authorized_keys} line: {@code "<algorithm> <base64> <comment>"} (no trailing space when no comment) */
    public String authorizedKeyLine() {
        return comment.isEmpty() ? algorithm + " " + base64 : algorithm + " " + base64 + " " + comment;
    }
}
