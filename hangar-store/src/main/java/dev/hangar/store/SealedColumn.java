package dev.hangar.store;

import dev.hangar.core.secret.SecretCipher;
import dev.hangar.core.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * A secret text column sealed with the server's secrets key (AES-256-GCM, {@link SecretCipher#sealFor}):
 * the column holds {@code sealed:v1:<key id>:<base64 nonce>:<base64 ciphertext and tag>}, never the
 * clear value. The associated data binds each value to its purpose and its row's id, so a value
 * copied to another row, or into another sealed column, does not decrypt. Thread-safe.
 *
 * <p>Used for {@code workspaces.host_key_private} (purpose {@code host-key}, subject the
 * workspace id): the store seals on every write and opens on every read, so the rest of the
 * control plane sees the clear key and the database file never holds it.
 */
final class SealedColumn {
    /** What every sealed value starts with; a value without it is clear text (from before V20). */
    static final String PREFIX = "sealed:v1:";

    private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getDecoder();

    private final SecretCipher cipher;
    private final String purpose;
    private final String column;

    /**
     * @param purpose the associated data's purpose (e.g. {@code host-key})
     * @param column the column's name, for error messages
     */
    SealedColumn(SecretCipher cipher, String purpose, String column) {
        this.cipher = Objects.requireNonNull(cipher, "cipher");
        this.purpose = Objects.requireNonNull(purpose, "purpose");
        this.column = Objects.requireNonNull(column, "column");
    }

    /** @return the column text for {@code clear} in row {@code rowId} (a fresh nonce each call) */
    String seal(String rowId, String clear) {
        SecretCipher.Sealed s = cipher.sealFor(purpose, rowId, clear.getBytes(StandardCharsets.UTF_8));
        return PREFIX + s.keyId() + ":" + ENCODER.encodeToString(s.nonce()) + ":"
                + ENCODER.encodeToString(s.ciphertext());
    }

    /**
     * @return the clear value of row {@code rowId}'s column text
     * @throws StoreException when the text is not sealed, was sealed with another key (the
     *     message names both key ids and {@code secrets.key-file}), or was changed or copied from
     *     another row; never with the value in the message
     */
    String open(String rowId, String text) {
        String[] parts =
                text.startsWith(PREFIX) ? text.substring(PREFIX.length()).split(":", -1) : new String[0];
        if (parts.length != 3) throw new StoreException(column + " of " + rowId + " is not sealed", null);
        if (!parts[0].equals(cipher.keyId()))
            throw new StoreException(
                    column + " of " + rowId + " was sealed with key " + parts[0] + ", not the configured secrets key "
                            + cipher.keyId() + keyHint(),
                    null);
        try {
            byte[] clear = cipher.openFor(
                    purpose,
                    rowId,
                    new SecretCipher.Sealed(parts[0], DECODER.decode(parts[1]), DECODER.decode(parts[2])));
            return new String(clear, StandardCharsets.UTF_8);
        } catch (SecretCipher.OpenException e) {
            throw new StoreException(column + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new StoreException(column + " of " + rowId + " is not valid base64", e);
        }
    }

    /** @return the id of the key that sealed {@code text}, or empty when it is not sealed */
    static Optional<String> keyIdOf(String text) {
        if (!text.startsWith(PREFIX)) return Optional.empty();
        int end = text.indexOf(':', PREFIX.length());
        return end < 0 ? Optional.empty() : Optional.of(text.substring(PREFIX.length(), end));
    }

    /** @return the configured key's id */
    String keyId() {
        return cipher.keyId();
    }

    /** @return what to do about a wrong key, for messages */
    static String keyHint() {
        return "; secrets.key-file must be the key the database was sealed with (restore it from the backup"
                + " taken with the database)";
    }

    @Override
    public String toString() {
        return "SealedColumn[" + column + ", keyId=" + cipher.keyId() + "]";
    }
}
