package dev.hangar.core.quota;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Workspace;
import dev.hangar.provider.spi.Resources;
import java.util.Collection;

/**
 * What one user's workspaces use, as quotas count it (see {@link QuotaLimits} for what each field
 * sums). Immutable value.
 */
public record QuotaUsage(int running, int cpus, long memoryMiB, long diskGiB) {

    /** Nothing in use. */
    public static final QuotaUsage NONE = new QuotaUsage(0, 0, 0, 0);

    /**
     * Sums the user's workspaces: running, vCPUs and memory over those whose desired state is
     * running; disk over all but those being deleted (desired deleted). The phase does not matter: a
     * workspace still provisioning or failed while meant to run counts, so a retry cannot overshoot.
     */
    public static QuotaUsage of(Collection<Workspace> workspaces) {
        QuotaUsage u = NONE;
        for (Workspace w : workspaces) {
            if (w.desired() == DesiredState.DELETED) continue;
            Resources r = w.parameters().resources();
            u = u.plus(w.desired() == DesiredState.RUNNING ? running(r) : stopped(r));
        }
        return u;
    }

    /** @return what a workspace of {@code r} adds when it is created (meant to run) */
    public static QuotaUsage running(Resources r) {
        return new QuotaUsage(1, r.cpus(), r.memoryMiB(), r.diskGiB());
    }

    /** @return what a stopped workspace of {@code r} uses: its disk only */
    public static QuotaUsage stopped(Resources r) {
        return new QuotaUsage(0, 0, 0, r.diskGiB());
    }

    /** @return what starting a stopped workspace of {@code r} adds: running, vCPUs and memory (its disk is counted already) */
    public static QuotaUsage starting(Resources r) {
        return new QuotaUsage(1, r.cpus(), r.memoryMiB(), 0);
    }

    /** @return the field-wise sum */
    public QuotaUsage plus(QuotaUsage o) {
        return new QuotaUsage(running + o.running, cpus + o.cpus, memoryMiB + o.memoryMiB, diskGiB + o.diskGiB);
    }
}
