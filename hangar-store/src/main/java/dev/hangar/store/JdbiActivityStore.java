package dev.hangar.store;

import static dev.hangar.store.Columns.millis;

import dev.hangar.core.autostop.Autostop;
import dev.hangar.core.autostop.WorkspaceActivity;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.store.ActivityStore;
import dev.hangar.core.store.StoreException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@code workspace_activity} table (V5): idle-tracking state per workspace, removed with its
 * workspace (foreign key with cascade), and {@code user_autostop} (V16): each user's auto-stop
 * default, removed with its user. Thread-safe; semantics as {@link ActivityStore} states. {@link
 * #save} and {@link #setUserDefault} are one upsert each ({@code INSERT ... ON CONFLICT DO UPDATE},
 * same SQL on both dialects).
 */
final class JdbiActivityStore implements ActivityStore {
    private final Session session;

    JdbiActivityStore(Session session) {
        this.session = session;
    }

    @Override
    public Optional<WorkspaceActivity> find(String workspaceId) {
        Objects.requireNonNull(workspaceId, "workspaceId");
        return session.read(h -> h.createQuery("SELECT workspace_id, last_activity_ms, lease_until_ms, warned_for_ms,"
                        + " autostop_seconds FROM workspace_activity WHERE workspace_id = :id")
                .bind("id", workspaceId)
                .map(JdbiActivityStore::row)
                .findOne());
    }

    @Override
    public void save(WorkspaceActivity a) {
        Objects.requireNonNull(a, "activity");
        session.write(
                h -> h.createUpdate("INSERT INTO workspace_activity (workspace_id, last_activity_ms, lease_until_ms,"
                                + " warned_for_ms, autostop_seconds) VALUES (:id, :last, :lease, :warned, :autostop)"
                                + " ON CONFLICT (workspace_id) DO UPDATE SET last_activity_ms ="
                                + " excluded.last_activity_ms, lease_until_ms = excluded.lease_until_ms,"
                                + " warned_for_ms = excluded.warned_for_ms, autostop_seconds ="
                                + " excluded.autostop_seconds")
                        .bind("id", a.workspaceId())
                        .bind("last", millis("lastActivity", a.lastActivity()))
                        .bind("lease", millis("leaseUntil", a.leaseUntil()))
                        .bind("warned", millis("warnedFor", a.warnedFor()))
                        .bind(
                                "autostop",
                                a.override().map(o -> o.idle().toSeconds()).orElse(null))
                        .execute(),
                v -> v.kind() == ConstraintViolation.Kind.FOREIGN_KEY
                        ? Optional.of(new StoreException("workspace " + a.workspaceId() + " does not exist", null))
                        : Optional.empty());
    }

    @Override
    public Optional<Autostop> userDefault(String user) {
        Objects.requireNonNull(user, "user");
        return session.read(h -> h.createQuery("SELECT autostop_seconds FROM user_autostop WHERE user_name = :user")
                .bind("user", user)
                .mapTo(Long.class)
                .findOne()
                .map(seconds -> new Autostop(Duration.ofSeconds(seconds))));
    }

    @Override
    public Map<String, Autostop> userDefaults() {
        return session.read(h -> {
            Map<String, Autostop> out = new TreeMap<>();
            h.createQuery("SELECT user_name, autostop_seconds FROM user_autostop")
                    .map((rs, ctx) -> Map.entry(
                            rs.getString("user_name"),
                            new Autostop(Duration.ofSeconds(rs.getLong("autostop_seconds")))))
                    .forEach(e -> out.put(e.getKey(), e.getValue()));
            return out;
        });
    }

    @Override
    public void setUserDefault(String user, Optional<Autostop> autostop) {
        Objects.requireNonNull(user, "user");
        if (autostop.isEmpty()) {
            session.write(h -> h.createUpdate("DELETE FROM user_autostop WHERE user_name = :user")
                    .bind("user", user)
                    .execute());
            return;
        }
        session.write(
                h -> h.createUpdate("INSERT INTO user_autostop (user_name, autostop_seconds) VALUES (:user, :seconds)"
                                + " ON CONFLICT (user_name) DO UPDATE SET autostop_seconds = excluded.autostop_seconds")
                        .bind("user", user)
                        .bind("seconds", autostop.get().idle().toSeconds())
                        .execute(),
                v -> v.kind() == ConstraintViolation.Kind.FOREIGN_KEY
                        ? Optional.of(new NotFoundException("user '" + user + "' does not exist"))
                        : Optional.empty());
    }

    private static WorkspaceActivity row(ResultSet rs, StatementContext ctx) throws SQLException {
        long autostop = rs.getLong("autostop_seconds");
        Optional<Autostop> override =
                rs.wasNull() ? Optional.empty() : Optional.of(new Autostop(Duration.ofSeconds(autostop)));
        return new WorkspaceActivity(
                rs.getString("workspace_id"),
                Instant.ofEpochMilli(rs.getLong("last_activity_ms")),
                Instant.ofEpochMilli(rs.getLong("lease_until_ms")),
                Instant.ofEpochMilli(rs.getLong("warned_for_ms")),
                override);
    }
}
