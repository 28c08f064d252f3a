package dev.hangar.server;

import java.time.Duration;
import java.util.Objects;

/**
 * The server's idle auto-stop settings ({@code autostop.*} in server.yaml). Whether a workspace
 * auto-stops at all, and after how long, is its template's {@code autostop} (or the override given
 * at create); these settings say how the server goes about it.
 *
 * @param warning how long before an auto-stop the {@code autostop-warning} event comes ({@code
 *     autostop.warning})
 * @param maxLease the longest lease one {@code hangar keepalive} may take ({@code
 *     autostop.max-lease})
 * @param sweepInterval how often running workspaces are checked ({@code autostop.sweep-interval},
 *     wall-clock time)
 * @param writeInterval at most one activity write to the database per workspace per this interval
 *     ({@code autostop.write-interval})
 * @param deleteAfter optional: delete workspaces stopped this long ({@code autostop.delete-after});
 *     {@link Duration#ZERO} (the default) never deletes
 * @param deleteWarning how long before such a delete its {@code autodelete-warning} event comes
 *     ({@code autostop.delete-warning})
 */
public record AutostopSettings(
        Duration warning,
        Duration maxLease,
        Duration sweepInterval,
        Duration writeInterval,
        Duration deleteAfter,
        Duration deleteWarning) {
    /**
     * 10m warning, leases up to 24h, a sweep a minute, an activity write a minute at most, no
     * automatic delete (its warning 24h ahead when one is set).
     */
    public static final AutostopSettings DEFAULTS = new AutostopSettings(
            Duration.ofMinutes(10),
            Duration.ofHours(24),
            Duration.ofMinutes(1),
            Duration.ofMinutes(1),
            Duration.ZERO,
            Duration.ofHours(24));

    /** Settings without automatic delete. */
    public AutostopSettings(Duration warning, Duration maxLease, Duration sweepInterval, Duration writeInterval) {
        this(warning, maxLease, sweepInterval, writeInterval, Duration.ZERO, Duration.ofHours(24));
    }

    public AutostopSettings {
        Objects.requireNonNull(warning, "warning");
        Objects.requireNonNull(maxLease, "maxLease");
        Objects.requireNonNull(sweepInterval, "sweepInterval");
        Objects.requireNonNull(writeInterval, "writeInterval");
        Objects.requireNonNull(deleteAfter, "deleteAfter");
        Objects.requireNonNull(deleteWarning, "deleteWarning");
    }
}
