package dev.hangar.core.secret;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts user secrets at rest with AES-256-GCM (the JDK's {@code javax.crypto}; no home-made
 * crypto): a fresh random 96-bit nonce per value, a 128-bit tag, and associated data that binds
 * the ciphertext to its owner and name ({@code hangar-secret-v1 NUL owner NUL name}), so a row
 * copied to another user or renamed fails to decrypt. Each sealed value carries the id of the key
 * that sealed it ({@link #keyId()}: the first 16 hex digits of SHA-256 over the key, which
 * reveals nothing of the key), so a later key rotation can tell old values from new ones.
 *
 * <p>Thread-safe: each thread keeps its own {@link Cipher} ({@code Cipher.getInstance} costs more
 * than sealing a host key; a 500-row page opens 500), initialised anew with a fresh nonce per call.
 */
public final class SecretCipher {
    /** Key length in bytes (AES-256). */
    public static final int KEY_BYTES = 32;

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private final SecretKey key;
    private final String keyId;
    private final SecureRandom random;
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(SecretCipher::newCipher);

    /**
     * @param key the 32 raw key bytes (copied)
     * @throws IllegalArgumentException if {@code key} is not 32 bytes
     */
    public SecretCipher(byte[] key) {
        this(key, new SecureRandom());
    }

    SecretCipher(byte[] key, SecureRandom random) {
        Objects.requireNonNull(key, "key");
        if (key.length != KEY_BYTES)
            throw new IllegalArgumentException("a secrets key is " + KEY_BYTES + " bytes, got " + key.length);
        this.key = new SecretKeySpec(key.clone(), "AES");
        this.keyId = keyId(key);
        this.random = random;
    }

    /**
     * A value sealed by {@link #seal}.
     *
     * @param keyId the id of the key that sealed it
     * @param nonce the 12-byte GCM nonce (copied)
     * @param ciphertext ciphertext followed by the 16-byte tag (copied)
     */
    public record Sealed(String keyId, byte[] nonce, byte[] ciphertext) {
        public Sealed {
            Objects.requireNonNull(keyId, "keyId");
            nonce = nonce.clone();
            ciphertext = ciphertext.clone();
        }

        @Override
        public byte[] nonce() {
            return nonce.clone();
        }

        @Override
        public byte[] ciphertext() {
            return ciphertext.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Sealed s
                    && s.keyId.equals(keyId)
                    && Arrays.equals(s.nonce, nonce)
                    && Arrays.equals(s.ciphertext, ciphertext);
        }

        @Override
        public int hashCode() {
            return keyId.hashCode() * 31 + Arrays.hashCode(nonce);
        }

        @Override
        public String toString() {
            return "Sealed[keyId=" + keyId + ", " + ciphertext.length + " bytes]";
        }
    }

    /** Thrown when a sealed value cannot be opened: another key, tampered, or bound to another owner or name. */
    public static final class OpenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OpenException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** @return this key's id (16 lower-case hex digits) */
    public String keyId() {
        return keyId;
    }

    /** @return the id of {@code key}: the first 16 hex digits of its SHA-256 */
    static String keyId(byte[] key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Encrypts {@code value} for {@code owner}'s secret {@code name}, with a fresh random nonce.
     *
     * @return the sealed value, tagged with {@link #keyId()}
     */
    public Sealed seal(String owner, String name, byte[] value) {
        return sealFor("secret", owner + "\0" + name, value);
    }

    /**
     * Decrypts a value sealed for {@code owner}'s secret {@code name}.
     *
     * @return the clear bytes
     * @throws OpenException when it was sealed with another key, was changed, or belongs to
     *     another owner or name (the message never contains the value)
     */
    public byte[] open(String owner, String name, Sealed sealed) {
        return openFor("secret", owner + "\0" + name, sealed, "secret '" + name + "' of " + owner);
    }

    /**
     * Encrypts {@code value} bound to a purpose and a subject, with a fresh random nonce: the
     * associated data is {@code hangar-<purpose>-v1 NUL <subject>}, so the value opens only for
     * the same purpose and subject (e.g. purpose {@code host-key}, subject a workspace id: a
     * host key copied to another workspace's row does not decrypt).
     *
     * @param purpose lower-case words joined by {@code -}, naming what the value is
     * @param subject what the value belongs to (an id), never secret itself
     * @return the sealed value, tagged with {@link #keyId()}
     */
    public Sealed sealFor(String purpose, String subject, byte[] value) {
        Objects.requireNonNull(value, "value");
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = ciphers.get();
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(associatedData(purpose, subject));
            return new Sealed(keyId, nonce, c.doFinal(value));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    /**
     * Decrypts a value sealed by {@link #sealFor} with the same purpose and subject.
     *
     * @return the clear bytes
     * @throws OpenException when it was sealed with another key (the message names both key
     *     ids), was changed, or belongs to another purpose or subject; the message never contains
     *     the value
     */
    public byte[] openFor(String purpose, String subject, Sealed sealed) {
        return openFor(purpose, subject, sealed, purpose + " of " + subject);
    }

    private byte[] openFor(String purpose, String subject, Sealed sealed, String what) {
        if (!sealed.keyId().equals(keyId))
            throw new OpenException(
                    what + " was encrypted with key " + sealed.keyId() + ", not the configured key " + keyId, null);
        try {
            Cipher c = ciphers.get();
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed.nonce));
            c.updateAAD(associatedData(purpose, subject));
            return c.doFinal(sealed.ciphertext);
        } catch (AEADBadTagException e) {
            throw new OpenException(
                    what + " does not decrypt: it was changed, or copied from another " + subjectKind(purpose), e);
        } catch (GeneralSecurityException e) {
            throw new OpenException(what + " does not decrypt: " + e, e);
        }
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance(TRANSFORMATION);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    private static String subjectKind(String purpose) {
        return purpose.equals("secret") ? "user or name" : "row";
    }

    private static byte[] associatedData(String purpose, String subject) {
        return ("hangar-" + purpose + "-v1\0" + subject).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "SecretCipher[keyId=" + keyId + "]";
    }
}
