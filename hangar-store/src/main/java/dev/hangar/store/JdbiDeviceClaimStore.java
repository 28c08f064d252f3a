package dev.hangar.store;

import dev.hangar.core.device.DeviceClaim;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.store.DeviceClaimStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@code device_claims} table (V11): one row per held PCI address, removed with its workspace
 * (foreign key with cascade). Thread-safe; semantics as {@link DeviceClaimStore} states. {@link
 * #claim} is one {@code INSERT ... ON CONFLICT (address) DO NOTHING} (same SQL on both dialects):
 * it never fails on a held address, so it leaves an enclosing PostgreSQL transaction usable, and on
 * PostgreSQL it waits for a concurrent uncommitted insert of the same address to end.
 */
final class JdbiDeviceClaimStore implements DeviceClaimStore {
    private static final String COLUMNS = "address, device_name, workspace_id, claimed_at_ms";

    private final Session session;

    JdbiDeviceClaimStore(Session session) {
        this.session = session;
    }

    @Override
    public boolean claim(String address, String deviceName, String workspaceId, Instant at) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(deviceName, "deviceName");
        Objects.requireNonNull(workspaceId, "workspaceId");
        Objects.requireNonNull(at, "at");
        int rows = session.write(
                h -> h.createUpdate("INSERT INTO device_claims (" + COLUMNS
                                + ") VALUES (:address, :name, :workspace, :at) ON CONFLICT (address) DO NOTHING")
                        .bind("address", Columns.text("address", address))
                        .bind("name", Columns.text("deviceName", deviceName))
                        .bind("workspace", workspaceId)
                        .bind("at", Columns.millis("at", at))
                        .execute(),
                v -> v.kind() == ConstraintViolation.Kind.FOREIGN_KEY
                        ? Optional.of(new NotFoundException("workspace " + workspaceId + " does not exist"))
                        : Optional.empty());
        return rows == 1;
    }

    @Override
    public Optional<DeviceClaim> find(String address) {
        Objects.requireNonNull(address, "address");
        return session.read(h -> h.createQuery("SELECT " + COLUMNS + " FROM device_claims WHERE address = :address")
                .bind("address", address)
                .map(JdbiDeviceClaimStore::row)
                .findOne());
    }

    @Override
    public List<DeviceClaim> ofWorkspace(String workspaceId) {
        Objects.requireNonNull(workspaceId, "workspaceId");
        return session.read(h -> h.createQuery(
                        "SELECT " + COLUMNS + " FROM device_claims WHERE workspace_id = :id ORDER BY address")
                .bind("id", workspaceId)
                .map(JdbiDeviceClaimStore::row)
                .list());
    }

    @Override
    public List<DeviceClaim> list() {
        return session.read(h -> h.createQuery("SELECT " + COLUMNS + " FROM device_claims ORDER BY address")
                .map(JdbiDeviceClaimStore::row)
                .list());
    }

    @Override
    public int release(String workspaceId) {
        Objects.requireNonNull(workspaceId, "workspaceId");
        return session.write(h -> h.createUpdate("DELETE FROM device_claims WHERE workspace_id = :id")
                .bind("id", workspaceId)
                .execute());
    }

    private static DeviceClaim row(ResultSet rs, StatementContext ctx) throws SQLException {
        return new DeviceClaim(
                rs.getString("address"),
                rs.getString("device_name"),
                rs.getString("workspace_id"),
                Instant.ofEpochMilli(rs.getLong("claimed_at_ms")));
    }
}
