package dev.hangar.store;

import static dev.hangar.store.Fixtures.workspace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Workspace;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The workspace write generation (migration V21: triggers in the writer's transaction), run by
 * {@link StoreContractTest} on SQLite and on PostgreSQL: every committed insert, update and delete
 * raises it, also one made by hand-written SQL on another connection (as another server replica's
 * would be); a rolled-back write does not; reads do not.
 */
interface WorkspaceGenerationContract {

    /** @return the fresh store of the running test */
    JdbiStore generationStore();

    /** @return the config of that store's database, for writes on a connection of its own */
    StoreConfig generationStoreConfig();

    @Test
    default void everyCommittedWriteRaisesTheGenerationAndReadsDoNot() {
        JdbiStore s = generationStore();
        long g0 = s.workspaces().generation();
        Workspace w = s.workspaces().insert(workspace("gen-alice", "one"));
        long g1 = s.workspaces().generation();
        assertThat(g1).isGreaterThan(g0);

        s.workspaces().list(dev.hangar.core.store.WorkspaceFilter.ALL);
        s.workspaces().find(w.id());
        assertThat(s.workspaces().generation()).isEqualTo(g1);

        Workspace updated = s.workspaces().update(w.withPhase(Phase.Running, "up", w.updatedAt()));
        long g2 = s.workspaces().generation();
        assertThat(g2).isGreaterThan(g1);

        assertThat(s.workspaces().delete(w.id(), updated.version())).isTrue();
        assertThat(s.workspaces().generation()).isGreaterThan(g2);
    }

    @Test
    default void aRolledBackWriteLeavesTheGenerationAndAWriteOnAnotherConnectionRaisesIt() throws Exception {
        JdbiStore s = generationStore();
        Workspace w = s.workspaces().insert(workspace("gen-bob", "tx"));
        long before = s.workspaces().generation();
        assertThatThrownBy(() -> s.inTransaction(tx -> {
                    tx.workspaces().insert(workspace("gen-bob", "rolled-back"));
                    tx.workspaces().delete(w.id(), w.version());
                    throw new IllegalStateException("roll back");
                }))
                .hasMessage("roll back");
        assertThat(s.workspaces().generation()).isEqualTo(before);

        // what another replica (or an operator's psql/sqlite3) writes is seen too: the database counts
        StoreConfig c = generationStoreConfig();
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.username(), c.password());
                Statement st = conn.createStatement()) {
            st.executeUpdate("UPDATE workspaces SET reason = 'by hand' WHERE name = 'tx'");
        }
        assertThat(s.workspaces().generation()).isGreaterThan(before);
    }

    /**
     * A write transaction that has not committed yet neither shows a new generation to readers nor
     * holds up a writer on another connection (PostgreSQL bumps at commit, in a slot of its own
     * connection; SQLite serialises writers anyway, so there the second writer waits for the first,
     * as it always did).
     */
    @Test
    default void anOpenWriteIsInvisibleUntilItCommits() throws Exception {
        JdbiStore s = generationStore();
        Workspace w = s.workspaces().insert(workspace("gen-carol", "open"));
        long before = s.workspaces().generation();
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> open = CompletableFuture.runAsync(() -> s.inTransaction(tx -> {
            tx.workspaces().update(w.withPhase(Phase.Running, "open", w.updatedAt()));
            written.countDown();
            try {
                assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return null;
        }));
        assertThat(written.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(s.workspaces().generation()).isEqualTo(before);
        release.countDown();
        open.get(30, TimeUnit.SECONDS);
        assertThat(s.workspaces().generation()).isGreaterThan(before);
    }
}
