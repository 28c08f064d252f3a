package dev.hangar.store;

import static dev.hangar.store.Columns.millis;
import static dev.hangar.store.Columns.stored;
import static dev.hangar.store.Columns.text;

import dev.hangar.core.audit.AuditEntry;
import dev.hangar.core.audit.AuditQuery;
import dev.hangar.core.store.AuditStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@code audit_log} table (migration V4). Thread-safe; semantics as {@link AuditStore} states.
 * Reads are newest first by {@code seq}, with the cursor and the filters in the index-backed
 * {@code WHERE}; an action family ({@code workspace.}) is a range on {@code action}, so no
 * {@code LIKE} wildcard in user input can widen it.
 */
final class JdbiAuditStore implements AuditStore {

    private static final String COLUMNS = "seq, at_ms, actor, action, target, source, outcome";

    private final Session session;

    JdbiAuditStore(Session session) {
        this.session = session;
    }

    @Override
    public AuditEntry append(AuditEntry entry) {
        Objects.requireNonNull(entry, "entry");
        long seq =
                session.write(h -> h.createQuery("INSERT INTO audit_log (at_ms, actor, action, target, source, outcome)"
                                + " VALUES (:at, :actor, :action, :target, :source, :outcome) RETURNING seq")
                        .bind("at", millis("at", entry.at()))
                        .bind("actor", text("actor", entry.actor()))
                        .bind("action", text("action", entry.action()))
                        .bind("target", text("target", entry.target()))
                        .bind("source", text("source", entry.source()))
                        .bind("outcome", text("outcome", entry.outcome()))
                        .mapTo(Long.class)
                        .one());
        return entry.stored(seq, stored("at", entry.at()));
    }

    @Override
    public List<AuditEntry> list(AuditQuery q, int limit) {
        Objects.requireNonNull(q, "query");
        if (limit < 0) throw new IllegalArgumentException("limit must be at least 0, got " + limit);
        if (limit == 0) return List.of();
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_log WHERE seq < :before");
        if (!q.since().equals(Instant.EPOCH)) sql.append(" AND at_ms >= :since");
        if (!q.actor().isEmpty()) sql.append(" AND actor = :actor");
        if (q.actionIsPrefix()) sql.append(" AND action >= :action AND action < :actionEnd");
        else if (!q.action().isEmpty()) sql.append(" AND action = :action");
        sql.append(" ORDER BY seq DESC LIMIT :limit");
        return session.read(h -> {
            Query query =
                    h.createQuery(sql.toString()).bind("before", q.beforeSeq()).bind("limit", limit);
            if (!q.since().equals(Instant.EPOCH)) query.bind("since", millis("since", q.since()));
            if (!q.actor().isEmpty()) query.bind("actor", text("actor", q.actor()));
            if (!q.action().isEmpty()) query.bind("action", text("action", q.action()));
            // "workspace." .. "workspace/": '/' follows '.' in every collation both databases use here.
            if (q.actionIsPrefix())
                query.bind("actionEnd", q.action().substring(0, q.action().length() - 1) + "/");
            return query.map(JdbiAuditStore::row).list();
        });
    }

    @Override
    public int deleteBefore(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return session.write(h -> h.createUpdate("DELETE FROM audit_log WHERE at_ms < :cutoff")
                .bind("cutoff", millis("cutoff", cutoff))
                .execute());
    }

    private static AuditEntry row(ResultSet rs, StatementContext ctx) throws SQLException {
        return new AuditEntry(
                rs.getLong("seq"),
                Instant.ofEpochMilli(rs.getLong("at_ms")),
                rs.getString("actor"),
                rs.getString("action"),
                rs.getString("target"),
                rs.getString("source"),
                rs.getString("outcome"));
    }
}
