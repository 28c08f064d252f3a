package dev.hangar.core.service;

import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.User;
import dev.hangar.core.quota.QuotaLimits;
import dev.hangar.core.quota.QuotaPolicy;
import dev.hangar.core.store.Store;
import java.util.Objects;

/**
 * Reading and setting users' quotas. Visibility as for workspaces: admins and auditors read any
 * user's quota, members only their own; anyone else's is "not found" (never "forbidden"), so user
 * names cannot be probed. Thread-safe.
 */
public final class QuotaService {
    private final Store store;
    private final QuotaPolicy policy;

    public QuotaService(Store store, QuotaPolicy policy) {
        this.store = Objects.requireNonNull(store);
        this.policy = Objects.requireNonNull(policy);
    }

    /**
     * @param user the user's name; empty for the actor
     * @return the user's limits (role, override, effective) and current use
     * @throws NotFoundException when the user does not exist or the actor may not see them
     */
    public QuotaPolicy.Status status(User actor, String user) {
        String name = user.isEmpty() ? actor.name() : user;
        if (!actor.readsAll() && !name.equals(actor.name())) throw notFound(name);
        User u = name.equals(actor.name()) ? actor : store.users().find(name).orElseThrow(() -> notFound(name));
        return policy.status(store, u);
    }

    /**
     * Replaces the user's per-user override (every field left empty falls back to the role's limit;
     * an all-empty override removes it). Idempotent. Workspaces already over the new limits keep
     * running; only further creates and starts are refused. The caller checks that the actor is an
     * admin.
     *
     * @return the user's quota status afterwards
     * @throws NotFoundException when the user does not exist
     */
    public QuotaPolicy.Status setOverride(String user, QuotaLimits override) {
        User u = store.users().find(user).orElseThrow(() -> notFound(user));
        store.quotas().save(u.name(), override);
        return policy.status(store, u);
    }

    private static NotFoundException notFound(String name) {
        return new NotFoundException("user '" + name + "' does not exist");
    }
}
