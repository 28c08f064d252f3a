package dev.hangar.core.autostop;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The stored idle-tracking state of one workspace. Immutable.
 *
 * @param workspaceId the workspace's id
 * @param lastActivity the last time anything used it (SSH bytes, console, USB, a lease, a start);
 *     whole milliseconds
 * @param leaseUntil until when an explicit lease keeps it running; {@link Instant#EPOCH} for none
 * @param warnedFor the {@code lastActivity} of the idle period whose stop warning was given; {@link
 *     Instant#EPOCH} when none was given (a warning is given once per idle period)
 * @param override the per-workspace setting chosen at create; empty for the template's
 */
public record WorkspaceActivity(
        String workspaceId, Instant lastActivity, Instant leaseUntil, Instant warnedFor, Optional<Autostop> override) {
    public WorkspaceActivity {
        Objects.requireNonNull(workspaceId, "workspaceId");
        Objects.requireNonNull(lastActivity, "lastActivity");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        Objects.requireNonNull(warnedFor, "warnedFor");
        Objects.requireNonNull(override, "override");
    }

    /** @return a fresh record: active at {@code at}, no lease, no warning */
    public static WorkspaceActivity startingAt(String workspaceId, Instant at, Optional<Autostop> override) {
        return new WorkspaceActivity(workspaceId, at, Instant.EPOCH, Instant.EPOCH, override);
    }

    /** @return a copy active at {@code at} when that is later than {@link #lastActivity()} */
    public WorkspaceActivity activeAt(Instant at) {
        return at.isAfter(lastActivity)
                ? new WorkspaceActivity(workspaceId, at, leaseUntil, warnedFor, override)
                : this;
    }

    /** @return a copy leased until {@code until} (never shortened) */
    public WorkspaceActivity leasedUntil(Instant until) {
        Instant u = until.isAfter(leaseUntil) ? until : leaseUntil;
        return new WorkspaceActivity(workspaceId, lastActivity, u, warnedFor, override);
    }

    /** @return a copy that records the warning for the current idle period */
    public WorkspaceActivity warned() {
        return new WorkspaceActivity(workspaceId, lastActivity, leaseUntil, lastActivity, override);
    }

    /** @return whether the stop warning of the current idle period was given */
    public boolean warnedThisPeriod() {
        return warnedFor.equals(lastActivity);
    }

    /**
     * @return when a workspace with this activity and setting stops: the later of {@code
     *     lastActivity + idle} and the lease's end; empty when auto-stop is off
     */
    public Optional<Instant> stopAt(Autostop autostop) {
        if (!autostop.enabled()) return Optional.empty();
        Instant idleEnd = lastActivity.plus(autostop.idle());
        return Optional.of(leaseUntil.isAfter(idleEnd) ? leaseUntil : idleEnd);
    }
}
