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
}
