package dev.hangar.core.secret;

import java.time.Instant;
import java.util.Objects;

/**
 * One user secret as stored: encrypted, never the value in clear.
 *
 * @param owner the user it belongs to
 * @param name the secret's name ({@link dev.hangar.provider.spi.SecretFile#validName})
 * @param sealed the encrypted value with its key id and nonce
 * @param size the clear value's size in bytes
 * @param updatedAt when it was last set
 */
public record StoredSecret(String owner, String name, SecretCipher.Sealed sealed, int size, Instant updatedAt) {
    public StoredSecret {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sealed, "sealed");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (size < 0) throw new IllegalArgumentException("size must be >= 0");
    }
}
