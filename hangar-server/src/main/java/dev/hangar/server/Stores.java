package dev.hangar.server;

import dev.hangar.core.store.Store;
import dev.hangar.store.JdbiStore;
import dev.hangar.store.StoreConfig;

/** Opens the configured store: {@link JdbiStore} on SQLite or PostgreSQL. */
final class Stores {
    private Stores() {}

    /**
     * @throws ConfigException when the URL is neither SQLite nor PostgreSQL
     */
    static Store open(ServerConfig config) {
        StoreConfig sc;
        try {
            sc = new StoreConfig(config.databaseUrl(), config.databaseUsername(), config.databasePassword());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("database.url: " + e.getMessage(), e);
        }
        return JdbiStore.open(sc);
    }
}
