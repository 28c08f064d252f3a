package dev.hangar.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hangar.core.store.Store;
import dev.hangar.core.store.StoreException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The control plane's database on SQLite (embedded default) or PostgreSQL, through JDBI 3 over a
 * HikariCP pool, with the schema kept current by Flyway. Thread-safe; meant to be opened once per
 * process and shared.
 *
 * <p>Start with {@link #open(StoreConfig)}; it creates or migrates the schema, so opening an
 * existing database again is safe (migrations that already ran are skipped).
 *
 * <h2>Values</h2>
 *
 * Instants are stored as epoch milliseconds; finer parts are truncated on write, and every method
 * that writes returns the value as stored, so it equals what a later read returns. Text containing
 * U+0000 is refused with {@link dev.hangar.core.domain.ValidationException} (PostgreSQL cannot
 * store it). Uniqueness and foreign-key violations become the domain exceptions the interfaces
 * name; other database failures become {@link StoreException}, whose messages never contain bound
 * values (so no private host key or token hash reaches a log).
 *
 * <h2>Concurrency</h2>
 *
 * <ul>
 *   <li>SQLite: WAL journal (readers never block the writer), {@code busy_timeout} of {@value
 *       #SQLITE_BUSY_TIMEOUT_MS} ms for other processes, {@code foreign_keys=ON} on every
 *       connection, transactions begin {@code IMMEDIATE}, and all writes of this store queue on
 *       one fair lock, so any number of (virtual) threads may write concurrently. The file and any
 *       directories this store creates are private to the user (0600/0700).
 *   <li>PostgreSQL: READ COMMITTED; the {@code version} column decides conflicting updates.
 * </ul>
 *
 * <h2>Transactions</h2>
 *
 * {@link #inTransaction} hands its work a {@link Store} bound to one transaction; everything done
 * through that view commits together when the work returns and is rolled back when it throws (the
 * exception is rethrown unchanged). The view may call {@code inTransaction} again: that nests in a
 * savepoint on the same handle. A failed single write inside the work (e.g. a {@link
 * dev.hangar.core.domain.ConflictException}) undoes only itself, so work may catch it and go on.
 * Writing through this outer store from inside the work, on the work's thread, throws {@link
 * IllegalStateException} (use the view instead); reading through it on that thread runs on the
 * transaction's handle (JDBI reuses a thread's open handle) and so sees the transaction's writes.
 * Other threads see only committed data; work must not wait for other threads that write through
 * this store (they would wait for the transaction's locks: a deadlock).
 */
public final class JdbiStore extends SessionStore {

    /** How long a SQLite connection waits for another process's write lock, in milliseconds. */
    public static final int SQLITE_BUSY_TIMEOUT_MS = 10_000;

    /** Pooled SQLite connections: one writer at a time plus concurrent WAL readers. */
    private static final int SQLITE_POOL_SIZE = 4;

    private static final int POSTGRESQL_POOL_SIZE = 10;

    private final HikariDataSource dataSource;
    private final Dialect dialect;
    private final String description;
    private final PooledSession session;
    private final SealedColumn hostKeys;

    private JdbiStore(HikariDataSource dataSource, Dialect dialect, String description, SealedColumn hostKeys) {
        PooledSession session = new PooledSession(jdbi(dataSource), dialect, dialect == Dialect.SQLITE);
        super(session, hostKeys);
        this.session = session;
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.description = description;
        this.hostKeys = hostKeys;
    }

    private static Jdbi jdbi(HikariDataSource dataSource) {
        Jdbi jdbi = Jdbi.create(dataSource);
        // Exception messages must not carry bound values: they include private host keys.
        jdbi.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.NONE);
        return jdbi;
    }

    /**
     * Opens the database, creating the SQLite file (and its missing parent directories) when
     * needed, applies pending Flyway migrations from {@code db/migration/sqlite} or {@code
     * db/migration/postgresql} (plus the Java migration {@link SealHostKeysMigration}, V20), and
     * checks that {@code secretsKey} is the key the stored private keys were sealed with.
     *
     * @param secretsKey the server's secrets key ({@code secrets.key-file}); workspace host
     *     private keys are sealed with it on every write and opened on every read
     * @return an open store; close it to release the pool
     * @throws StoreException when the database cannot be reached or migrated, or its private keys
     *     were sealed with another key (the message names both key ids and {@code
     *     secrets.key-file}); the message names the database (never its password) and the cause
     */
    public static JdbiStore open(StoreConfig config, dev.hangar.core.secret.SecretCipher secretsKey) {
        Objects.requireNonNull(config, "config");
        SealedColumn hostKeys = new SealedColumn(secretsKey, "host-key", "workspaces.host_key_private");
        Dialect dialect = Dialect.of(config);
        String description = config.describe();
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(dialect == Dialect.SQLITE ? sqlitePool(config) : postgresqlPool(config));
        } catch (RuntimeException e) {
            throw new StoreException("cannot open database " + description + ": " + e.getMessage(), e);
        }
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations(dialect.migrations())
                    .failOnMissingLocations(true)
                    .javaMigrations(new SealHostKeysMigration(hostKeys))
                    .load()
                    .migrate();
        } catch (RuntimeException e) { // FlywayException included
            dataSource.close();
            throw new StoreException("cannot migrate database " + description + ": " + e.getMessage(), e);
        }
        try {
            SealHostKeysMigration.requireKey(dataSource, hostKeys, description);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new JdbiStore(dataSource, dialect, description, hostKeys);
    }

    @Override
    public <T> T inTransaction(Function<Store, T> work) {
        Objects.requireNonNull(work, "work");
        return session.transaction(handle -> {
            TransactionSession bound = new TransactionSession(handle, dialect);
            try {
                return work.apply(new TransactionBoundStore(bound, description, hostKeys));
            } finally {
                bound.end();
            }
        });
    }

    /** @return {@code sqlite:<absolute file>} or {@code postgresql://host:port/database}; never a password */
    @Override
    public String describe() {
        return description;
    }

    @Override
    public boolean ping() {
        return !dataSource.isClosed() && session.ping();
    }

    /** Closes the pool. Idempotent; calls made afterwards throw {@link StoreException}. */
    @Override
    public void close() {
        dataSource.close();
    }

    @Override
    public String toString() {
        return "JdbiStore[" + description + "]";
    }

    private static HikariConfig sqlitePool(StoreConfig config) {
        Path file = config.sqliteFile();
        createPrivately(file);
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
        sqlite.enforceForeignKeys(true);
        // Deleted and overwritten content is zeroed, not left in free space where a scan of the
        // file would find a revoked token's hash or a host key from before it was sealed (V20).
        sqlite.setPragma(SQLiteConfig.Pragma.SECURE_DELETE, "true");
        // BEGIN IMMEDIATE takes the write lock up front, so a transaction that reads and then
        // writes waits (busy_timeout) instead of failing with SQLITE_BUSY when another process wrote.
        sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        SQLiteDataSource sqliteSource = new SQLiteDataSource(sqlite);
        sqliteSource.setUrl(config.jdbcUrl());
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("hangar-store-sqlite");
        pool.setDataSource(sqliteSource);
        pool.setMaximumPoolSize(SQLITE_POOL_SIZE);
        return pool;
    }

    private static HikariConfig postgresqlPool(StoreConfig config) {
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("hangar-store-postgresql");
        pool.setJdbcUrl(config.jdbcUrl());
        if (!config.username().isEmpty()) pool.setUsername(config.username());
        if (!config.password().isEmpty()) pool.setPassword(config.password());
        pool.addDataSourceProperty("ApplicationName", "hangar");
        // keep row values ("Key (name)=(...)") out of exception messages and thus out of logs
        pool.addDataSourceProperty("logServerErrorDetail", "false");
        pool.setMaximumPoolSize(POSTGRESQL_POOL_SIZE);
        return pool;
    }

    /** Creates the SQLite file owner-only (it holds private host keys) unless it exists. */
    private static void createPrivately(Path file) {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        try {
            Path parent = file.getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                if (posix) {
                    Files.createDirectories(
                            parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(parent);
                }
            }
            if (!Files.exists(file)) {
                if (posix) {
                    Files.createFile(
                            file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } else {
                    Files.createFile(file);
                }
            }
        } catch (FileAlreadyExistsException raced) {
            // another process created it meanwhile: fine, SQLite opens it
        } catch (IOException e) {
            throw new StoreException(
                    "cannot create SQLite database file " + file + " (" + e + "); check the directory's permissions"
                            + " or configure another path",
                    e);
        }
    }
}
