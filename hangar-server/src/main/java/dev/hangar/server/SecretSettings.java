package dev.hangar.server;

import dev.hangar.core.secret.SecretService;
import java.nio.file.Path;
import java.util.Objects;

/**
 * User secrets settings ({@code secrets.*}, issue #15 item 7).
 *
 * @param keyFile the AES-256 key file ({@code secrets.key-file}); a relative path in the config file is
 *     resolved against {@code $HANGAR_HOME}; created 0600 with a
 *     random key on first start when absent
 * @param maxPerUser at most this many secrets per user ({@code secrets.max-per-user}), 0..10000
 */
public record SecretSettings(Path keyFile, int maxPerUser) {
    /** @return the defaults: {@code home/secrets.key}, 50 per user */
    public static SecretSettings defaults(Path home) {
        return new SecretSettings(home.resolve("secrets.key"), SecretService.DEFAULT_MAX_PER_USER);
    }

    public SecretSettings {
        Objects.requireNonNull(keyFile, "keyFile");
        if (maxPerUser < 0 || maxPerUser > 10_000)
            throw new ConfigException("secrets.max-per-user must be 0..10000, got " + maxPerUser);
    }

    /**
     * Opens the secret service on this key file (created 0600 on first start) and checks that the
     * key is the one the stored secrets were sealed with.
     *
     * @throws ConfigException naming {@code secrets.key-file} when the key file is unreadable, too
     *     open, malformed or not the key of the stored secrets
     */
    SecretService open(dev.hangar.core.store.Store store, java.time.Clock clock) {
        try {
            SecretService s = new SecretService(
                    store, dev.hangar.core.secret.SecretKeyFile.loadOrCreate(keyFile), clock, maxPerUser);
            s.checkKey();
            return s;
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            throw new ConfigException("secrets.key-file: " + e.getMessage(), e);
        }
    }
}
