package dev.hangar.store;

import dev.hangar.core.domain.ResetGenerations;
import dev.hangar.core.store.ResetStore;
import dev.hangar.core.store.StoreException;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code workspace_resets} table (V13): reset generations per workspace, removed with its
 * workspace (foreign key with cascade). Thread-safe; semantics as {@link ResetStore} states. Each
 * write is one statement (an upsert or a guarded update, same SQL on both dialects), so concurrent
 * requests never lose an increment.
 */
final class JdbiResetStore implements ResetStore {
    private final Session session;

    JdbiResetStore(Session session) {
        this.session = session;
    }

    @Override
    public ResetGenerations find(String workspaceId) {
        Objects.requireNonNull(workspaceId, "workspaceId");
        return session.read(h -> h.createQuery("SELECT requested, done FROM workspace_resets WHERE workspace_id = :id")
                        .bind("id", workspaceId)
                        .map((rs, ctx) ->
                                new ResetGenerations(workspaceId, rs.getLong("requested"), rs.getLong("done")))
                        .findOne())
                .orElseGet(() -> ResetGenerations.none(workspaceId));
    }

    @Override
    public ResetGenerations request(String workspaceId) {
        Objects.requireNonNull(workspaceId, "workspaceId");
        session.write(
                h -> h.createUpdate("INSERT INTO workspace_resets (workspace_id, requested, done) VALUES (:id, 1, 0)"
                                + " ON CONFLICT (workspace_id) DO UPDATE SET requested ="
                                + " workspace_resets.requested + 1")
                        .bind("id", workspaceId)
                        .execute(),
                v -> v.kind() == ConstraintViolation.Kind.FOREIGN_KEY
                        ? Optional.of(new StoreException("workspace " + workspaceId + " does not exist", null))
                        : Optional.empty());
        return find(workspaceId);
    }

    @Override
    public ResetGenerations complete(String workspaceId, long generation) {
        Objects.requireNonNull(workspaceId, "workspaceId");
        session.write(h -> h.createUpdate("UPDATE workspace_resets SET done = CASE WHEN :gen > requested THEN requested"
                        + " ELSE :gen END WHERE workspace_id = :id AND done < :gen")
                .bind("id", workspaceId)
                .bind("gen", generation)
                .execute());
        return find(workspaceId);
    }
}
