package dev.hangar.server;

import dev.hangar.core.store.Store;
import dev.hangar.store.JdbiStore;
import dev.hangar.store.StoreConfig;

/** Opens the configured store: {@link JdbiStore} on SQLite or PostgreSQL. */
final class Stores {
    private Stores() {}

    /**
     * Opens the store with the secrets key ({@code secrets.key-file}, created 0600 when absent),
     * which seals the workspace host private keys in the database.
     *
     * @throws ConfigException when the URL is neither SQLite nor PostgreSQL, or the key file is
     *     unreadable, too open or malformed
     */
    static Store open(ServerConfig config) {
        StoreConfig sc;
        try {
            sc = new StoreConfig(config.databaseUrl(), config.databaseUsername(), config.databasePassword());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("database.url: " + e.getMessage(), e);
        }
        dev.hangar.core.secret.SecretCipher key;
        try {
            key = dev.hangar.core.secret.SecretKeyFile.loadOrCreate(
                    config.secrets().keyFile());
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            throw new ConfigException("secrets.key-file: " + e.getMessage(), e);
        }
        return JdbiStore.open(sc, key);
    }
}
