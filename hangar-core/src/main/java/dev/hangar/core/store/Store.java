package dev.hangar.core.store;

import java.util.function.Function;

/**
 * The control plane's database. Thread-safe.
 *
 * <p>{@link #inTransaction} runs several writes atomically, e.g. a workspace row and its
 * {@code created} event, so a crash never leaves one without the other.
 */
public interface Store extends AutoCloseable {

    WorkspaceStore workspaces();

    EventStore events();

    UserStore users();

    /** @return the audit log (issue #15, item 6) */
    AuditStore audit();

    /** @return idle-tracking state per workspace (auto-stop) */
    ActivityStore activity();

    /** @return per-user quota overrides (issue #15, item 4) */
    QuotaStore quotas();

    /** @return labs and their member slots (issue #13) */
    LabStore labs();

    /** @return users' encrypted secrets (issue #15, item 7) */
    SecretStore secrets();

    /** @return which workspace holds which host PCI device (issue #19) */
    DeviceClaimStore deviceClaims();
    /** @return reset generations per workspace (issue #13, item 5) */
    ResetStore resets();

    /**
     * @return reconcile claims (fencing between replicas, issue #17); a store that only one process
     *     can open may keep the default, {@link ReconcileClaimStore#UNSHARED}, under which every
     *     claim succeeds
     */
    default ReconcileClaimStore claims() {
        return ReconcileClaimStore.UNSHARED;
    }

    /**
     * Runs {@code work} in one transaction on a view of this store bound to it; commits when it
     * returns, rolls back when it throws (and rethrows).
     */
    <T> T inTransaction(Function<Store, T> work);

    /** @return a short description for logs and /readyz, e.g. {@code sqlite:/home/u/.local/share/hangar/hangar.db}; never contains a password */
    String describe();

    /** @return true when a trivial query succeeds (for /readyz) */
    boolean ping();

    /** Closes the connection pool. */
    @Override
    void close();
}
