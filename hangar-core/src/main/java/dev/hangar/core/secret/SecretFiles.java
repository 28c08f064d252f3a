package dev.hangar.core.secret;

import dev.hangar.provider.spi.SecretFile;
import java.util.List;

/** Where the reconciler gets an owner's decrypted secrets when it starts a workspace. Thread-safe. */
@FunctionalInterface
public interface SecretFiles {
    /** Delivers no secrets (a server or test without them). */
    SecretFiles NONE = owner -> List.of();

    /**
     * @return the owner's secrets, decrypted, by name (empty when they have none)
     * @throws SecretCipher.OpenException when a stored secret does not decrypt
     */
    List<SecretFile> files(String owner);
}
