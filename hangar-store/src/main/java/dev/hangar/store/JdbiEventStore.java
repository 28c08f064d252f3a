package dev.hangar.store;

import static dev.hangar.store.Columns.millis;
import static dev.hangar.store.Columns.stored;
import static dev.hangar.store.Columns.text;

import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.store.EventStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@code workspace_events} table. Thread-safe; semantics as {@link EventStore} states. Appending
 * to a workspace that does not exist throws {@link NotFoundException} (the foreign key refuses it).
 */
final class JdbiEventStore implements EventStore {

    private final Session session;

    JdbiEventStore(Session session) {
        this.session = session;
    }

    @Override
    public WorkspaceEvent append(WorkspaceEvent event) {
        Objects.requireNonNull(event, "event");
        // RETURNING works on both PostgreSQL and SQLite (3.35+) and hands back the assigned seq.
        long seq = session.write(
                h -> h.createQuery("INSERT INTO workspace_events (workspace_id, at_ms, actor, type, message)"
                                + " VALUES (:workspaceId, :at, :actor, :type, :message) RETURNING seq")
                        .bind("workspaceId", text("workspaceId", event.workspaceId()))
                        .bind("at", millis("at", event.at()))
                        .bind("actor", text("actor", event.actor()))
                        .bind("type", text("type", event.type()))
                        .bind("message", text("message", event.message()))
                        .mapTo(Long.class)
                        .one(),
                v -> v.kind() == ConstraintViolation.Kind.FOREIGN_KEY
                        ? Optional.of(new NotFoundException("workspace " + event.workspaceId() + " does not exist"))
                        : Optional.empty());
        return new WorkspaceEvent(
                seq, event.workspaceId(), stored("at", event.at()), event.actor(), event.type(), event.message());
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code limit} is negative
     */
    @Override
    public List<WorkspaceEvent> list(String workspaceId, int limit) {
        Objects.requireNonNull(workspaceId, "workspaceId");
        if (limit < 0) throw new IllegalArgumentException("limit must be at least 0, got " + limit);
        if (limit == 0) return List.of();
        return session.read(h -> h.createQuery("SELECT seq, workspace_id, at_ms, actor, type, message FROM"
                        + " (SELECT seq, workspace_id, at_ms, actor, type, message FROM workspace_events"
                        + " WHERE workspace_id = :workspaceId ORDER BY seq DESC LIMIT :limit) newest ORDER BY seq")
                .bind("workspaceId", workspaceId)
                .bind("limit", limit)
                .map(JdbiEventStore::row)
                .list());
    }

    private static WorkspaceEvent row(ResultSet rs, StatementContext ctx) throws SQLException {
        return new WorkspaceEvent(
                rs.getLong("seq"),
                rs.getString("workspace_id"),
                Instant.ofEpochMilli(rs.getLong("at_ms")),
                rs.getString("actor"),
                rs.getString("type"),
                rs.getString("message"));
    }
}
