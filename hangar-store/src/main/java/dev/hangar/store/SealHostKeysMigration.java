package dev.hangar.store;

import dev.hangar.core.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Migration V20 on both SQLite and PostgreSQL (issue #18 item 7, ADR 0018): seals every workspace
 * host private key still stored in clear with the server's secrets key ({@link SealedColumn}). A
 * Java migration because the key is not known to SQL; plain JDBC on Flyway's connection, inside
 * Flyway's transaction, so a failure leaves every row as it was. Rows already sealed are left
 * alone; the row's {@code version} is not bumped (the value it stands for is unchanged). On SQLite
 * the connection runs with {@code secure_delete} (set for every connection by {@link JdbiStore}),
 * so the clear bytes are overwritten rather than left in free space.
 */
final class SealHostKeysMigration implements JavaMigration {
    private final SealedColumn hostKeys;

    SealHostKeysMigration(SealedColumn hostKeys) {
        this.hostKeys = hostKeys;
    }

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("20");
    }

    @Override
    public String getDescription() {
        return "seal host keys";
    }

    @Override
    public Integer getChecksum() {
        return 20; // the migration's logic version; the key it seals with is not part of it
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        Map<String, String> clear = new LinkedHashMap<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, host_key_private FROM workspaces")) {
            while (rs.next()) {
                String value = rs.getString(2);
                if (!value.startsWith(SealedColumn.PREFIX)) clear.put(rs.getString(1), value);
            }
        }
        try (PreparedStatement up = c.prepareStatement("UPDATE workspaces SET host_key_private = ? WHERE id = ?")) {
            for (Map.Entry<String, String> row : clear.entrySet()) {
                up.setString(1, hostKeys.seal(row.getKey(), row.getValue()));
                up.setString(2, row.getKey());
                up.executeUpdate();
            }
        }
    }

    /**
     * Checks that the stored host keys were sealed with the configured key, on one row (all rows
     * are sealed with one key until a rotation exists); on SQLite then checkpoints the WAL into
     * the database file, so pages from before the sealing do not linger in either.
     *
     * @throws StoreException naming both key ids and {@code secrets.key-file} when they differ
     */
    static void requireKey(DataSource dataSource, SealedColumn hostKeys, String description) {
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement()) {
            Optional<String> stored = Optional.empty();
            try (ResultSet rs = st.executeQuery("SELECT host_key_private FROM workspaces LIMIT 1")) {
                if (rs.next()) stored = SealedColumn.keyIdOf(rs.getString(1));
            }
            if (stored.isPresent() && !stored.get().equals(hostKeys.keyId()))
                throw new StoreException(
                        "the workspace host keys in database " + description + " were sealed with key " + stored.get()
                                + ", not the configured secrets key " + hostKeys.keyId() + SealedColumn.keyHint(),
                        null);
            if (c.getMetaData().getURL().startsWith(StoreConfig.SQLITE_PREFIX))
                st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException e) {
            throw new StoreException("cannot read database " + description + ": " + e.getMessage(), e);
        }
    }
}
