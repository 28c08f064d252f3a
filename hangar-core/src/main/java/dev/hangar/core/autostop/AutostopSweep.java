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
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass of idle auto-stop over the running workspaces. For each workspace that should run, is
 * Running and has auto-stop on:
 *
 * <ul>
 *   <li>held open (an attached console, a USB attachment) when its warning time has come: counts
 *       as activity now, so it neither warns nor stops (the sources are asked only then, to keep a
 *       sweep cheap);
 *   <li>past its stop time (idle longer than its auto-stop, and no unexpired lease): its desired
 *       state becomes {@code stopped} with the reason {@value Autostop#REASON} and a {@code stop}
 *       event, and the reconciler is told; it stops like any other stop;
 *   <li>within the warning time of its stop time: one {@code autostop-warning} event "will stop in
 *       10m (idle since ...)" per idle period.
 * </ul>
 *
 * <p>Time comes from the injected {@link Clock}: the server calls {@link #sweep()} periodically
 * ({@code autostop.sweep-interval}); tests call it after moving their clock. Idempotent: a second
 * sweep at the same instant changes nothing. Thread-safe, but meant to be run by one thread at a
 * time (concurrent sweeps could warn twice).
 */
public final class AutostopSweep {
    private static final Logger LOG = LoggerFactory.getLogger(AutostopSweep.class);
    /** Event type of the warning before an auto-stop. */
    public static final String WARNING_EVENT = "autostop-warning";

    private static final WorkspaceFilter RUNNING = new WorkspaceFilter("", Set.of(Phase.Running), "", "");

    private final Store store;
    private final ActivityService activity;
    private final Clock clock;
    private final Duration warning;
    private final Consumer<String> onChange;

    /** What one sweep did, by workspace id. */
    public record Result(List<String> warned, List<String> stopped) {
        public Result {
            warned = List.copyOf(warned);
            stopped = List.copyOf(stopped);
        }
    }

    /**
     * @param warning how long before the stop the warning event comes ({@code autostop.warning})
     * @param onChange called with a workspace id after its desired state changed (the reconciler's
     *     enqueue); must not block
     */
    public AutostopSweep(
            Store store, ActivityService activity, Clock clock, Duration warning, Consumer<String> onChange) {
        this.store = Objects.requireNonNull(store);
        this.activity = Objects.requireNonNull(activity);
        this.clock = Objects.requireNonNull(clock);
        this.warning = Objects.requireNonNull(warning);
        this.onChange = Objects.requireNonNull(onChange);
        if (warning.isNegative()) throw new IllegalArgumentException("warning must not be negative");
    }

    /**
     * Warns and stops as described in the class comment. A failure on one workspace is logged and
     * does not stop the sweep.
     *
     * @return what it did
     */
    public Result sweep() {
        List<String> warned = new ArrayList<>();
        List<String> stopped = new ArrayList<>();
        Map<String, Autostop> userDefaults = store.activity().userDefaults();
        for (Workspace w : store.workspaces().list(RUNNING)) {
            if (w.desired() != DesiredState.RUNNING || w.restartPending()) continue;
            try {
                switch (check(w, userDefaults)) {
                    case WARNED -> warned.add(w.id());
                    case STOPPED -> stopped.add(w.id());
                    case NOTHING -> {}
                }
            } catch (RuntimeException e) {
                LOG.warn("auto-stop check of workspace {} ({}/{}) failed", w.id(), w.owner(), w.name(), e);
            }
        }
        return new Result(warned, stopped);
    }

    private enum Done {
        NOTHING,
        WARNED,
        STOPPED
    }

    private Done check(Workspace w, Map<String, Autostop> userDefaults) {
        Instant now = now();
        Optional<WorkspaceActivity> stored = store.activity().find(w.id());
        if (stored.isEmpty()) {
            // Created before auto-stop existed: its idle time starts now.
            store.activity().save(WorkspaceActivity.startingAt(w.id(), now, Optional.empty()));
            return Done.NOTHING;
        }
        WorkspaceActivity a = activity.current(w);
        Autostop setting = activity.autostop(w, a, userDefaults);
        Optional<Instant> stopAt = a.stopAt(setting);
        if (stopAt.isEmpty() || now.isBefore(stopAt.get().minus(warning))) return Done.NOTHING;
        // Only now ask the held-open sources (a USB check reads the event log): a workspace held
        // open is in use, which starts a new idle period.
        if (activity.held(w.id())) {
            activity.record(w.id(), ActivitySource.HELD_OPEN);
            return Done.NOTHING;
        }
        if (!now.isBefore(stopAt.get())) return stop(w, a, setting) ? Done.STOPPED : Done.NOTHING;
        if (!now.isBefore(stopAt.get().minus(warning)) && !a.warnedThisPeriod()) {
            Duration left = Duration.between(now, stopAt.get());
            store.inTransaction(tx -> {
                tx.activity().save(a.warned());
                tx.events()
                        .append(new WorkspaceEvent(
                                0,
                                w.id(),
                                now,
                                WorkspaceEvent.SYSTEM,
                                WARNING_EVENT,
                                "will stop in " + Autostop.format(roundUpToMinute(left)) + " (idle since "
                                        + a.lastActivity() + ", autostop " + setting.wire()
                                        + "); 'hangar keepalive " + w.name() + " --for 1h' keeps it running"));
                return null;
            });
            return Done.WARNED;
        }
        return Done.NOTHING;
    }

    private boolean stop(Workspace w, WorkspaceActivity a, Autostop setting) {
        Instant now = now();
        try {
            store.inTransaction(tx -> {
                Workspace cur = tx.workspaces().find(w.id()).orElseThrow(() -> new NotFoundException(w.id()));
                if (cur.version() != w.version()) throw new StaleVersionException(w.id(), w.version());
                tx.workspaces()
                        .update(cur.withDesired(DesiredState.STOPPED, now)
                                .withPhase(cur.phase(), Autostop.REASON, now));
                tx.events()
                        .append(new WorkspaceEvent(
                                0,
                                w.id(),
                                now,
                                WorkspaceEvent.SYSTEM,
                                "stop",
                                "stop requested by autostop: idle since " + a.lastActivity() + " (autostop "
                                        + setting.wire() + ")"));
                return null;
            });
        } catch (StaleVersionException | NotFoundException e) {
            return false; // changed meanwhile: the next sweep looks again
        }
        activity.forget(w.id());
        LOG.info(
                "workspace {} ({}/{}) idle since {}: stopping (autostop {})",
                w.id(),
                w.owner(),
                w.name(),
                a.lastActivity(),
                setting.wire());
        onChange.accept(w.id());
        return true;
    }

    private static Duration roundUpToMinute(Duration d) {
        long s = d.toSeconds();
        return s % 60 == 0 ? d : Duration.ofMinutes(s / 60 + 1);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
