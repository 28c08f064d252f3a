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
 * An event that repeats the workspace's newest one increments that row's {@code repeat_count}.
 */
final class JdbiEventStore implements EventStore {

    private static final String COLUMNS = "seq, workspace_id, at_ms, actor, type, message, repeat_count";

    private final Session session;

    JdbiEventStore(Session session) {
        this.session = session;
    }

    @Override
    public WorkspaceEvent append(WorkspaceEvent event) {
        Objects.requireNonNull(event, "event");
        return session.write(
                h -> {
                    Optional<WorkspaceEvent> newest = h.createQuery("SELECT " + COLUMNS + " FROM workspace_events"
                                    + " WHERE workspace_id = :workspaceId ORDER BY seq DESC LIMIT 1")
                            .bind("workspaceId", text("workspaceId", event.workspaceId()))
                            .map(JdbiEventStore::row)
                            .findOne();
                    if (newest.isPresent() && newest.get().repeats(event)) {
                        h.createUpdate("UPDATE workspace_events SET repeat_count = repeat_count + 1 WHERE seq = :seq")
                                .bind("seq", newest.get().seq())
                                .execute();
                        return newest.get().withCount(newest.get().count() + 1);
                    }
                    // RETURNING works on both PostgreSQL and SQLite (3.35+) and hands back the assigned seq.
                    long seq = h.createQuery("INSERT INTO workspace_events (workspace_id, at_ms, actor, type, message)"
                                    + " VALUES (:workspaceId, :at, :actor, :type, :message) RETURNING seq")
                            .bind("workspaceId", text("workspaceId", event.workspaceId()))
                            .bind("at", millis("at", event.at()))
                            .bind("actor", text("actor", event.actor()))
                            .bind("type", text("type", event.type()))
                            .bind("message", text("message", event.message()))
                            .mapTo(Long.class)
                            .one();
                    return new WorkspaceEvent(
                            seq,
                            event.workspaceId(),
                            stored("at", event.at()),
                            event.actor(),
                            event.type(),
                            event.message());
                },
                v -> v.kind() == ConstraintViolation.Kind.FOREIGN_KEY
                        ? Optional.of(new NotFoundException("workspace " + event.workspaceId() + " does not exist"))
                        : Optional.empty());
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
        return session.read(h -> h.createQuery("SELECT " + COLUMNS + " FROM (SELECT " + COLUMNS
                        + " FROM workspace_events WHERE workspace_id = :workspaceId ORDER BY seq DESC LIMIT :limit)"
                        + " newest ORDER BY seq")
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
                rs.getString("message"),
                rs.getInt("repeat_count"));
    }
}
