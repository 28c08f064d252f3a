package dev.hangar.core.store;

import dev.hangar.core.quota.QuotaLimits;
import java.util.Optional;

/** Per-user quota overrides (the role's limits apply to every field an override leaves empty). Thread-safe. */
public interface QuotaStore {

    /** @return the user's override, if one is stored */
    Optional<QuotaLimits> find(String user);

    /**
     * Stores (replaces) the user's override; an override with no field set removes it. Idempotent.
     *
     * @return the override as stored
     * @throws dev.hangar.core.domain.NotFoundException when the user does not exist
     */
    QuotaLimits save(String user, QuotaLimits override);

    /**
     * Serialises quota checks of this user until the current transaction ends, so two concurrent
     * creates or starts of the same owner cannot both pass a check against the same usage: on
     * PostgreSQL {@code SELECT ... FOR UPDATE} of the user's row; on SQLite nothing (its write
     * transactions already run one at a time). Call it inside {@link Store#inTransaction}, before
     * reading the usage. Does nothing when the user does not exist.
     */
    void lockOwner(String user);
}
