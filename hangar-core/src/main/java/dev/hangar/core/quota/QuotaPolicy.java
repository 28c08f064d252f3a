package dev.hangar.core.quota;

import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;
import dev.hangar.core.store.Store;
import dev.hangar.core.store.WorkspaceFilter;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The quota rules: limits per role from the server config, overridden field by field by a per-user
 * override from the store, checked against the owner's usage ({@link QuotaUsage#of}). Immutable and
 * thread-safe.
 */
public final class QuotaPolicy {

    /** Every role unlimited: the default, so a server without quota settings behaves as before. */
    public static final QuotaPolicy UNLIMITED = new QuotaPolicy(Map.of());

    private final Map<Role, QuotaLimits> byRole;

    /** @param byRole each role's limits; a role not in the map is unlimited */
    public QuotaPolicy(Map<Role, QuotaLimits> byRole) {
        this.byRole = new EnumMap<>(Role.class);
        Objects.requireNonNull(byRole, "byRole").forEach((r, l) -> {
            if (!l.unlimited()) this.byRole.put(r, l);
        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuotaPolicy p && p.byRole.equals(byRole);
    }

    @Override
    public int hashCode() {
        return byRole.hashCode();
    }

    @Override
    public String toString() {
        return "QuotaPolicy" + byRole;
    }

    /** @return the limits of the role, before any per-user override */
    public QuotaLimits forRole(Role role) {
        return byRole.getOrDefault(role, QuotaLimits.UNLIMITED);
    }

    /** @return the limits that apply to {@code user}: the role's, overridden by {@code override}'s set fields */
    public QuotaLimits effective(User user, Optional<QuotaLimits> override) {
        return override.map(o -> forRole(user.role()).overriddenBy(o)).orElseGet(() -> forRole(user.role()));
    }

    /** A user's quota as shown: role limits, override, effective limits and current use. */
    public record Status(
            User user, QuotaLimits role, Optional<QuotaLimits> override, QuotaLimits effective, QuotaUsage used) {}

    /** @return the quota status of {@code user}, read from {@code store} (committed data, or the transaction's view) */
    public Status status(Store store, User user) {
        Optional<QuotaLimits> override = store.quotas().find(user.name());
        QuotaUsage used = QuotaUsage.of(store.workspaces().list(WorkspaceFilter.ownedBy(user.name())));
        return new Status(user, forRole(user.role()), override, effective(user, override), used);
    }

    /**
     * Admits {@code adding} for {@code owner}, or throws. Must run inside the transaction that then
     * inserts or starts the workspace ({@code tx} is its bound view): it locks the owner first (see
     * {@link dev.hangar.core.store.QuotaStore#lockOwner}), so concurrent admissions of one owner are
     * checked one after the other against committed usage. When the effective limits are unlimited
     * nothing is locked or summed.
     *
     * @throws QuotaExceededException naming the first limit that {@code adding} would pass
     */
    public void admit(Store tx, User owner, QuotaUsage adding) {
        Optional<QuotaLimits> override = tx.quotas().find(owner.name());
        QuotaLimits limits = effective(owner, override);
        if (limits.unlimited()) return;
        tx.quotas().lockOwner(owner.name());
        QuotaUsage used = QuotaUsage.of(tx.workspaces().list(WorkspaceFilter.ownedBy(owner.name())));
        String source =
                override.isPresent() ? "per-user override" : owner.role().wireName();
        check(limits, used, adding, source);
    }

    /**
     * The arithmetic: refuses when {@code used + adding} passes a limit, checking running, vCPUs,
     * each device (by name), memory and disk in that order. A field that {@code adding} does not increase never refuses (so
     * a start is not refused for disk, and lowering a limit below current use blocks only growth).
     *
     * @param source where the limits come from, for the message (a role name or "per-user override")
     * @throws QuotaExceededException naming the limit, the current use and what was asked for
     */
    public static void check(QuotaLimits limits, QuotaUsage used, QuotaUsage adding, String source) {
        over(
                "running",
                "running workspaces",
                wide(limits.running()),
                used.running(),
                adding.running(),
                source,
                "stop one");
        over("cpus", "vCPUs", wide(limits.cpus()), used.cpus(), adding.cpus(), source, "stop one");
        for (Map.Entry<String, Integer> d : adding.devices().entrySet()) {
            Integer max = limits.devices().get(d.getKey());
            over(
                    "devices." + d.getKey(),
                    "devices " + d.getKey(),
                    max == null ? OptionalLong.empty() : OptionalLong.of(max),
                    used.device(d.getKey()),
                    d.getValue(),
                    source,
                    "stop one");
        }
        over("memoryMiB", "memory MiB", limits.memoryMiB(), used.memoryMiB(), adding.memoryMiB(), source, "stop one");
        over("diskGiB", "disk GiB", limits.diskGiB(), used.diskGiB(), adding.diskGiB(), source, "delete one");
    }

    private static OptionalLong wide(OptionalInt i) {
        return i.isPresent() ? OptionalLong.of(i.getAsInt()) : OptionalLong.empty();
    }

    private static void over(
            String field, String what, OptionalLong limit, long used, long adding, String source, String hint) {
        if (adding <= 0 || limit.isEmpty()) return;
        long max = limit.getAsLong();
        if (used + adding <= max) return;
        String asked = field.equals("running") ? "" : ", " + adding + " more requested";
        throw new QuotaExceededException(
                field,
                "quota: " + what + " " + used + " of " + max + asked + " (" + source + "); " + hint
                        + " or ask an admin");
    }
}
