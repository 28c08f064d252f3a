package dev.hangar.store;

import dev.hangar.core.store.AuditStore;
import dev.hangar.core.store.EventStore;
import dev.hangar.core.store.Store;
import dev.hangar.core.store.UserStore;
import dev.hangar.core.store.WorkspaceStore;
import java.util.Objects;
import java.util.function.Function;

/**
 * The view of a {@link JdbiStore} that {@link JdbiStore#inTransaction} hands to its work: every
 * call runs on the transaction's one handle. {@link #inTransaction} on this view nests in a
 * savepoint of the same transaction. {@link #close()} does nothing (the owning store closes the
 * pool). Using the view after the transaction ended throws {@link IllegalStateException}.
 */
final class TransactionBoundStore implements Store {

    private final TransactionSession session;
    private final String description;
    private final WorkspaceStore workspaces;
    private final EventStore events;
    private final UserStore users;
    private final AuditStore audit;
    private final dev.hangar.core.store.ActivityStore activity;
    private final dev.hangar.core.store.QuotaStore quotas;
    private final dev.hangar.core.store.LabStore labs;
    private final dev.hangar.core.store.SecretStore secrets;
    private final dev.hangar.core.store.DeviceClaimStore deviceClaims;
    private final dev.hangar.core.store.ResetStore resets;
    private final dev.hangar.core.store.ReconcileClaimStore claims;

    TransactionBoundStore(TransactionSession session, String description, SealedColumn hostKeys) {
        this.session = session;
        this.description = description;
        this.workspaces = new JdbiWorkspaceStore(session, hostKeys);
        this.events = new JdbiEventStore(session);
        this.users = new JdbiUserStore(session);
        this.audit = new JdbiAuditStore(session);
        this.activity = new JdbiActivityStore(session);
        this.quotas = new JdbiQuotaStore(session);
        this.labs = new JdbiLabStore(session);
        this.secrets = new JdbiSecretStore(session);
        this.deviceClaims = new JdbiDeviceClaimStore(session);
        this.resets = new JdbiResetStore(session);
        this.claims = new JdbiReconcileClaimStore(session);
    }

    @Override
    public WorkspaceStore workspaces() {
        return workspaces;
    }

    @Override
    public EventStore events() {
        return events;
    }

    @Override
    public UserStore users() {
        return users;
    }

    @Override
    public AuditStore audit() {
        return audit;
    }

    @Override
    public dev.hangar.core.store.ActivityStore activity() {
        return activity;
    }

    @Override
    public dev.hangar.core.store.QuotaStore quotas() {
        return quotas;
    }

    @Override
    public dev.hangar.core.store.LabStore labs() {
        return labs;
    }

    @Override
    public dev.hangar.core.store.SecretStore secrets() {
        return secrets;
    }

    @Override
    public dev.hangar.core.store.DeviceClaimStore deviceClaims() {
        return deviceClaims;
    }

    @Override
    public dev.hangar.core.store.ResetStore resets() {
        return resets;
    }

    @Override
    public dev.hangar.core.store.ReconcileClaimStore claims() {
        return claims;
    }

    @Override
    public <T> T inTransaction(Function<Store, T> work) {
        Objects.requireNonNull(work, "work");
        return session.nested(() -> work.apply(this));
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public boolean ping() {
        try {
            return session.read(
                            h -> h.createQuery("SELECT 1").mapTo(Integer.class).one())
                    == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        // the pool belongs to the JdbiStore this view came from
    }
}
