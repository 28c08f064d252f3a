package dev.hangar.store;

import static dev.hangar.store.Fixtures.workspace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceSummary;
import dev.hangar.core.store.StoreException;
import dev.hangar.core.store.WorkspaceCursor;
import dev.hangar.core.store.WorkspaceFilter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * Sealed host private keys (migration V20, issue #18 item 7), run by {@link StoreContractTest} on
 * SQLite and on PostgreSQL: the column never holds the clear key, V20 seals rows written before it
 * without losing them, a wrong key is refused naming both key ids, and a sealed value copied to
 * another row does not open.
 */
interface SealedHostKeyContract {

    /** @return the fresh store of the running test, opened with {@link Fixtures#KEY} */
    JdbiStore sealedStore();

    /** @return the running test's database */
    StoreConfig sealedStoreConfig();

    @Test
    default void theColumnHoldsASealedValueAndReadsGiveTheClearKey() throws SQLException {
        Workspace w = sealedStore().workspaces().insert(workspace("seal-alice", "dev"));
        String stored = column(w.id());
        assertThat(stored).startsWith(SealedColumn.PREFIX + Fixtures.KEY.keyId() + ":");
        assertThat(stored).doesNotContain(pemBody(w)).doesNotContain("PRIVATE KEY");
        assertThat(sealedStore().workspaces().find(w.id()).orElseThrow().hostKey())
                .isEqualTo(w.hostKey());
        // an update seals again (fresh nonce), still openable
        Workspace updated = sealedStore().workspaces().update(w);
        assertThat(column(w.id())).startsWith(SealedColumn.PREFIX).isNotEqualTo(stored);
        assertThat(sealedStore().workspaces().find(w.id()).orElseThrow().hostKey())
                .isEqualTo(updated.hostKey());
    }

    @Test
    default void migrationV20SealsClearRowsAndKeepsThem() throws SQLException {
        Workspace w = sealedStore().workspaces().insert(workspace("seal-bob", "old"));
        // the row as a database before V20 holds it: the clear key, and no V20 in the history (nor
        // V21, which Flyway would otherwise refuse to follow with an older migration; V21 is written
        // to run again over its own objects)
        raw(
                "UPDATE workspaces SET host_key_private = ? WHERE id = ?",
                w.hostKey().privateKeyOpenSsh(),
                w.id());
        raw("DELETE FROM flyway_schema_history WHERE version IN (?, ?)", "20", "21");
        assertThat(column(w.id())).isEqualTo(w.hostKey().privateKeyOpenSsh());

        try (JdbiStore upgraded = JdbiStore.open(sealedStoreConfig(), Fixtures.KEY)) {
            assertThat(column(w.id())).startsWith(SealedColumn.PREFIX).doesNotContain(pemBody(w));
            Workspace read = upgraded.workspaces().find(w.id()).orElseThrow();
            assertThat(read.hostKey()).isEqualTo(w.hostKey());
            assertThat(read.version())
                    .as("sealing is not a change of the workspace")
                    .isEqualTo(w.version());
        }
    }

    @Test
    default void anotherKeyIsRefusedAtOpenNamingBothKeyIds() {
        sealedStore().workspaces().insert(workspace("seal-carol", "dev"));
        assertThatThrownBy(() ->
                        JdbiStore.open(sealedStoreConfig(), Fixtures.OTHER_KEY).close())
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(Fixtures.KEY.keyId())
                .hasMessageContaining(Fixtures.OTHER_KEY.keyId())
                .hasMessageContaining("secrets.key-file");
    }

    @Test
    default void aSealedKeyCopiedToAnotherWorkspaceDoesNotOpen() throws SQLException {
        Workspace a = sealedStore().workspaces().insert(workspace("seal-dave", "a"));
        Workspace b = sealedStore().workspaces().insert(workspace("seal-dave", "b"));
        raw("UPDATE workspaces SET host_key_private = ? WHERE id = ?", column(a.id()), b.id());
        assertThatThrownBy(() -> sealedStore().workspaces().find(b.id()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(b.id())
                .hasMessageContaining("does not decrypt")
                .hasMessageNotContaining(pemBody(a));
        assertThat(sealedStore().workspaces().find(a.id())).isPresent();
    }

    @Test
    default void summariesNeverOpenTheSealedKey() throws SQLException {
        Workspace a = sealedStore().workspaces().insert(workspace("seal-erin", "a"));
        Workspace b = sealedStore().workspaces().insert(workspace("seal-erin", "b"));
        // b's column no longer opens: reading the whole row fails, a summary does not need it
        raw("UPDATE workspaces SET host_key_private = ? WHERE id = ?", column(a.id()), b.id());
        WorkspaceFilter erin = WorkspaceFilter.ownedBy("seal-erin");
        assertThatThrownBy(() -> sealedStore().workspaces().list(erin)).isInstanceOf(StoreException.class);
        assertThat(sealedStore().workspaces().summaries(erin, WorkspaceCursor.START, 10))
                .containsExactly(WorkspaceSummary.of(a), WorkspaceSummary.of(b));
    }

    /** @return the base64 body of the workspace's PEM private key, its first line */
    private static String pemBody(Workspace w) {
        return w.hostKey().privateKeyOpenSsh().lines().toList().get(1);
    }

    private String column(String id) throws SQLException {
        StoreConfig c = sealedStoreConfig();
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.username(), c.password());
                PreparedStatement st = conn.prepareStatement("SELECT host_key_private FROM workspaces WHERE id = ?")) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    private void raw(String sql, String first, String second) throws SQLException {
        StoreConfig c = sealedStoreConfig();
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.username(), c.password());
                PreparedStatement st = conn.prepareStatement(sql)) {
            st.setString(1, first);
            st.setString(2, second);
            st.executeUpdate();
        }
    }

    private void raw(String sql, String only) throws SQLException {
        StoreConfig c = sealedStoreConfig();
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.username(), c.password());
                PreparedStatement st = conn.prepareStatement(sql)) {
            st.setString(1, only);
            st.executeUpdate();
        }
    }
}
