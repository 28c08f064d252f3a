package dev.hangar.store;

import static dev.hangar.store.Fixtures.workspace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hangar.core.domain.Workspace;
import dev.hangar.core.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on a real SQLite database file, plus what is specific to SQLite. */
class SqliteStoreTest extends StoreContractTest {

    @TempDir
    Path tempDir;

    @Override
    protected StoreConfig newDatabase() {
        // a parent directory that does not exist yet: open must create it
        return StoreConfig.sqlite(tempDir.resolve("data/hangar").resolve("hangar.db"));
    }

    @Test
    void createsMissingDirectoriesAndAnOwnerOnlyFile() throws Exception {
        Path file = config.sqliteFile();

        assertThat(file).isRegularFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                .isEqualTo("rwx------");
        assertThat(store.describe()).isEqualTo("sqlite:" + file);
    }

    @Test
    void usesWriteAheadLogging() throws Exception {
        try (Connection c = DriverManager.getConnection(config.jdbcUrl());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("wal");
        }
    }

    @Test
    void writesWaitForAnotherProcessesWriteLockInsteadOfFailing() throws Exception {
        // A second, independent connection stands in for another process holding the write lock.
        Workspace w = workspace("alice", "dev");
        try (Connection other = DriverManager.getConnection(config.jdbcUrl());
                Statement s = other.createStatement();
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            s.execute("BEGIN IMMEDIATE");
            Future<Workspace> insert = pool.submit(() -> store.workspaces().insert(w));

            // still waiting (busy_timeout), not failed with SQLITE_BUSY
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> !insert.isDone());
            s.execute("COMMIT");

            assertThat(insert.get(JdbiStore.SQLITE_BUSY_TIMEOUT_MS, TimeUnit.MILLISECONDS))
                    .isNotNull();
        }
        assertThat(store.workspaces().find(w.id())).isPresent();
    }

    @Test
    void readsProceedWhileATransactionHoldsTheWriteLock() throws Exception {
        Workspace existing = store.workspaces().insert(workspace("alice", "existing"));
        CompletableFuture<Void> release = new CompletableFuture<>();
        CompletableFuture<Void> locked = new CompletableFuture<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Object> writer = pool.submit(() -> store.inTransaction(tx -> {
                tx.workspaces().insert(workspace("alice", "pending"));
                locked.complete(null);
                return release.join();
            }));
            locked.get(10, TimeUnit.SECONDS);

            // WAL: a reader is not blocked by the open write transaction and sees committed data
            assertThat(store.workspaces().find(existing.id())).contains(existing);
            assertThat(store.workspaces().count()).isEqualTo(1);

            release.complete(null);
            writer.get(10, TimeUnit.SECONDS);
        }
        assertThat(store.workspaces().count()).isEqualTo(2);
    }

    @Test
    void openingAFileThatIsNotADatabaseFailsClearly() throws Exception {
        Path garbage = tempDir.resolve("garbage.db");
        Files.writeString(garbage, "this is not a SQLite database, just text that is long enough to be checked");

        assertThatThrownBy(() -> JdbiStore.open(StoreConfig.sqlite(garbage), Fixtures.KEY))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(garbage.toString());
    }
}
