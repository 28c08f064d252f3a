/**
 * hangar-store: the JDBI 3 implementation of hangar-core's storage interfaces on SQLite (the
 * embedded default) and PostgreSQL, with Flyway migrations under {@code db/migration/sqlite} and
 * {@code db/migration/postgresql}.
 *
 * <p>Entry point: {@link dev.hangar.store.JdbiStore#open(dev.hangar.store.StoreConfig, dev.hangar.core.secret.SecretCipher)}. Everything
 * else in the package is an implementation detail reached through {@link dev.hangar.core.store.Store}.
 */
package dev.hangar.store;
