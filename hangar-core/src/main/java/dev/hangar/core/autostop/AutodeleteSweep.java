package dev.hangar.core.autostop;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.StaleVersionException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.store.Store;
import dev.hangar.core.store.WorkspaceFilter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Optional, off unless the server sets {@code autostop.delete-after}: one pass that deletes
 * workspaces that have been stopped that long. For each workspace that is meant to be stopped and
 * is Stopped, "stopped since" is its last change ({@link Workspace#updatedAt()}; any change, such as
 * a start, starts the count again, so a workspace is never deleted early):
 *
 * <ul>
 *   <li>within {@code warning} of the deletion: one {@code autodelete-warning} event "will be deleted
 *       in 1d (stopped since ...)";
 *   <li>at the deletion time: desired state {@code deleted} with a {@code delete} event ("delete
 *       requested by autodelete"), and the reconciler is told; it deletes it like any delete.
 * </ul>
 *
 * <p>Time comes from the injected {@link Clock}. Idempotent. Meant to be run by one thread at a time.
 */
public final class AutodeleteSweep {
    private static final Logger LOG = LoggerFactory.getLogger(AutodeleteSweep.class);
    /** Event type of the warning before an automatic delete. */
    public static final String WARNING_EVENT = "autodelete-warning";

    private static final WorkspaceFilter STOPPED = new WorkspaceFilter("", Set.of(Phase.Stopped), "", "");

    private final Store store;
    private final Clock clock;
    private final Duration after;
    private final Duration warning;
    private final Consumer<String> onChange;

    /**
     * @param after how long a workspace may stay stopped; {@link Duration#ZERO} turns the sweep off
     * @param warning how long before the deletion the warning event comes
     * @param onChange called with a workspace id after its desired state changed; must not block
     */
    public AutodeleteSweep(Store store, Clock clock, Duration after, Duration warning, Consumer<String> onChange) {
        this.store = Objects.requireNonNull(store);
        this.clock = Objects.requireNonNull(clock);
        this.after = Objects.requireNonNull(after);
        this.warning = Objects.requireNonNull(warning);
        this.onChange = Objects.requireNonNull(onChange);
        if (after.isNegative() || warning.isNegative())
            throw new IllegalArgumentException("after and warning must not be negative");
    }

    /** @return whether it does anything ({@code autostop.delete-after} is set) */
    public boolean enabled() {
        return !after.isZero();
    }

    /**
     * Warns and deletes as described in the class comment; does nothing when off. A failure on one
     * workspace is logged and does not stop the sweep.
     *
     * @return what it did
     */
    public AutostopSweep.Result sweep() {
        List<String> warned = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        if (!enabled()) return new AutostopSweep.Result(warned, deleted);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        for (Workspace w : store.workspaces().list(STOPPED)) {
            if (w.desired() != DesiredState.STOPPED) continue;
            try {
                Instant since = w.updatedAt();
                Instant deleteAt = since.plus(after);
                if (!now.isBefore(deleteAt)) {
                    if (delete(w, now)) deleted.add(w.id());
                } else if (!now.isBefore(deleteAt.minus(warning)) && warn(w, now, deleteAt)) {
                    warned.add(w.id());
                }
            } catch (RuntimeException e) {
                LOG.warn("auto-delete check of workspace {} ({}/{}) failed", w.id(), w.owner(), w.name(), e);
            }
        }
        return new AutostopSweep.Result(warned, deleted);
    }

    /** One warning per stopped period: the activity row remembers the period's start it warned for. */
    private boolean warn(Workspace w, Instant now, Instant deleteAt) {
        return store.inTransaction(tx -> {
            WorkspaceActivity a = tx.activity()
                    .find(w.id())
                    .orElseGet(() -> WorkspaceActivity.startingAt(w.id(), w.updatedAt(), Optional.empty()));
            if (a.warnedFor().equals(w.updatedAt())) return false;
            tx.activity()
                    .save(new WorkspaceActivity(w.id(), a.lastActivity(), a.leaseUntil(), w.updatedAt(), a.override()));
            tx.events()
                    .append(new WorkspaceEvent(
                            0,
                            w.id(),
                            now,
                            WorkspaceEvent.SYSTEM,
                            WARNING_EVENT,
                            "will be deleted in " + Autostop.format(roundUpToMinute(Duration.between(now, deleteAt)))
                                    + " (stopped since " + w.updatedAt() + ", autostop.delete-after "
                                    + Autostop.format(after) + "); 'hangar start " + w.name() + "' keeps it"));
            return true;
        });
    }

    private static Duration roundUpToMinute(Duration d) {
        long s = d.toSeconds();
        return s % 60 == 0 ? d : Duration.ofMinutes(s / 60 + 1);
    }

    private boolean delete(Workspace w, Instant now) {
        try {
            store.inTransaction(tx -> {
                Workspace cur = tx.workspaces().find(w.id()).orElseThrow(() -> new NotFoundException(w.id()));
                if (cur.version() != w.version()) throw new StaleVersionException(w.id(), w.version());
                tx.workspaces().update(cur.withDesired(DesiredState.DELETED, now));
                tx.events()
                        .append(new WorkspaceEvent(
                                0,
                                w.id(),
                                now,
                                WorkspaceEvent.SYSTEM,
                                "delete",
                                "delete requested by autodelete: stopped since " + w.updatedAt()
                                        + " (autostop.delete-after " + Autostop.format(after) + ")"));
                return null;
            });
        } catch (StaleVersionException | NotFoundException e) {
            return false;
        }
        LOG.info(
                "workspace {} ({}/{}) stopped since {}: deleting (autostop.delete-after {})",
                w.id(),
                w.owner(),
                w.name(),
                w.updatedAt(),
                Autostop.format(after));
        onChange.accept(w.id());
        return true;
    }
}
