package dev.hangar.store;

import dev.hangar.core.store.ReconcileClaimStore;
import java.time.Instant;
import java.util.Objects;

/**
 * The {@code reconcile_claims} table (V15). Thread-safe; semantics as {@link ReconcileClaimStore}
 * states. A claim is one upsert whose update is guarded by the takeover rule (same SQL on both
 * dialects): the database's row lock makes two racing claims serialise, and the loser's guarded
 * update changes no row.
 */
final class JdbiReconcileClaimStore implements ReconcileClaimStore {
    private final Session session;

    JdbiReconcileClaimStore(Session session) {
        this.session = session;
    }

    @Override
    public boolean claim(String workspaceId, String holder, long epoch, Instant now, Instant expires) {
        Objects.requireNonNull(workspaceId, "workspaceId");
        Objects.requireNonNull(holder, "holder");
        if (holder.isBlank()) throw new IllegalArgumentException("holder must not be blank");
        if (epoch < 0) throw new IllegalArgumentException("epoch must be 0 or more, got " + epoch);
        if (!expires.isAfter(now)) throw new IllegalArgumentException("expires must be after now");
        int changed = session.write(
                h -> h.createUpdate("INSERT INTO reconcile_claims (workspace_id, holder, epoch, expires_ms)"
                                + " VALUES (:id, :holder, :epoch, :expires)"
                                + " ON CONFLICT (workspace_id) DO UPDATE SET holder = excluded.holder,"
                                + " epoch = excluded.epoch, expires_ms = excluded.expires_ms"
                                + " WHERE (reconcile_claims.holder = excluded.holder"
                                + " AND reconcile_claims.epoch <= excluded.epoch)"
                                + " OR reconcile_claims.expires_ms <= :now"
                                + " OR reconcile_claims.epoch < excluded.epoch")
                        .bind("id", workspaceId)
                        .bind("holder", holder)
                        .bind("epoch", epoch)
                        .bind("expires", expires.toEpochMilli())
                        .bind("now", now.toEpochMilli())
                        .execute());
        return changed > 0;
    }

    @Override
    public void release(String workspaceId, String holder) {
        Objects.requireNonNull(workspaceId, "workspaceId");
        Objects.requireNonNull(holder, "holder");
        session.write(h -> h.createUpdate("DELETE FROM reconcile_claims WHERE workspace_id = :id AND holder = :holder")
                .bind("id", workspaceId)
                .bind("holder", holder)
                .execute());
    }
}
