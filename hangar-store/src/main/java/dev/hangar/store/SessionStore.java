package dev.hangar.store;

import dev.hangar.core.store.ActivityStore;
import dev.hangar.core.store.AuditStore;
import dev.hangar.core.store.DeviceClaimStore;
import dev.hangar.core.store.EventStore;
import dev.hangar.core.store.LabStore;
import dev.hangar.core.store.QuotaStore;
import dev.hangar.core.store.ReconcileClaimStore;
import dev.hangar.core.store.ResetStore;
import dev.hangar.core.store.SecretStore;
import dev.hangar.core.store.Store;
import dev.hangar.core.store.UserStore;
import dev.hangar.core.store.WorkspaceStore;

/**
 * The table stores of a {@link Store}, all over one {@link Session}: the pool's for {@link
 * JdbiStore}, one transaction's handle for {@link TransactionBoundStore}. The subclasses differ
 * only in how they run transactions, describe, ping and close. Thread-safety is the session's.
 */
abstract sealed class SessionStore implements Store permits JdbiStore, TransactionBoundStore {
    private final WorkspaceStore workspaces;
    private final EventStore events;
    private final UserStore users;
    private final AuditStore audit;
    private final ActivityStore activity;
    private final QuotaStore quotas;
    private final LabStore labs;
    private final SecretStore secrets;
    private final DeviceClaimStore deviceClaims;
    private final ResetStore resets;
    private final ReconcileClaimStore claims;

    /** @param hostKeys seals and opens the workspaces' host private keys */
    SessionStore(Session session, SealedColumn hostKeys) {
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
    public final WorkspaceStore workspaces() {
        return workspaces;
    }

    @Override
    public final EventStore events() {
        return events;
    }

    @Override
    public final UserStore users() {
        return users;
    }

    @Override
    public final AuditStore audit() {
        return audit;
    }

    @Override
    public final ActivityStore activity() {
        return activity;
    }

    @Override
    public final QuotaStore quotas() {
        return quotas;
    }

    @Override
    public final LabStore labs() {
        return labs;
    }

    @Override
    public final SecretStore secrets() {
        return secrets;
    }

    @Override
    public final DeviceClaimStore deviceClaims() {
        return deviceClaims;
    }

    @Override
    public final ResetStore resets() {
        return resets;
    }

    @Override
    public final ReconcileClaimStore claims() {
        return claims;
    }
}
