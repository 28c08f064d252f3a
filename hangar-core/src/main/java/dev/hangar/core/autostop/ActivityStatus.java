package dev.hangar.core.autostop;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code hangar show} tells about idle auto-stop: the setting in force, the last activity and
 * when the workspace will stop. Immutable.
 *
 * @param autostop the setting in force (the workspace's override, else its template's)
 * @param activity the tracked activity (last activity, lease)
 */
public record ActivityStatus(Autostop autostop, WorkspaceActivity activity) {
    public ActivityStatus {
        Objects.requireNonNull(autostop, "autostop");
        Objects.requireNonNull(activity, "activity");
    }

    /** @return the last activity */
    public Instant lastActivity() {
        return activity.lastActivity();
    }

    /** @return the end of the explicit lease, when one was taken */
    public Optional<Instant> leaseUntil() {
        return activity.leaseUntil().equals(Instant.EPOCH) ? Optional.empty() : Optional.of(activity.leaseUntil());
    }

    /** @return when it will stop if nothing uses it; empty when auto-stop is off */
    public Optional<Instant> stopAt() {
        return activity.stopAt(autostop);
    }
}
