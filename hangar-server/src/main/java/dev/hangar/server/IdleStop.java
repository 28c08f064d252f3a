package dev.hangar.server;

import dev.hangar.core.autostop.ActivityService;
import dev.hangar.core.autostop.AutodeleteSweep;
import dev.hangar.core.autostop.AutostopSweep;
import dev.hangar.core.service.WorkspaceService;
import dev.hangar.core.store.Store;
import dev.hangar.core.template.TemplateCatalog;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's idle auto-stop parts, built from {@link ServerConfig#autostop()}: activity tracking,
 * the auto-stop sweep and the optional auto-delete sweep, and the timer that runs both sweeps every
 * {@code autostop.sweep-interval} (wall-clock).
 *
 * @param activity idle tracking; the HTTP routes, console, USB and gateway report to it
 * @param autostop stops idle running workspaces
 * @param autodelete deletes long-stopped workspaces when {@code autostop.delete-after} is set
 */
record IdleStop(ActivityService activity, AutostopSweep autostop, AutodeleteSweep autodelete) {
    private static final Logger LOG = LoggerFactory.getLogger(IdleStop.class);

    /** @param enqueue the reconciler's enqueue, told about every workspace whose desired state changed */
    static IdleStop create(
            ServerConfig config,
            Store store,
            TemplateCatalog templates,
            WorkspaceService workspaces,
            Clock clock,
            Consumer<String> enqueue) {
        AutostopSettings s = config.autostop();
        ActivityService activity = new ActivityService(
                store, templates, workspaces, clock, new ActivityService.Settings(s.writeInterval(), s.maxLease()));
        return new IdleStop(
                activity,
                new AutostopSweep(store, activity, clock, s.warning(), enqueue),
                new AutodeleteSweep(store, clock, s.deleteAfter(), s.deleteWarning(), enqueue));
    }

    /**
     * Runs both sweeps every {@code interval} on one daemon thread (a failed sweep is logged and the
     * next one runs on time).
     *
     * @return stops the timer; idempotent
     */
    AutoCloseable startTimer(java.time.Duration interval) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("hangar-autostop").daemon().factory());
        long ms = Math.max(1, interval.toMillis());
        timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        autostop.sweep();
                        autodelete.sweep();
                    } catch (RuntimeException e) {
                        LOG.warn("auto-stop sweep failed", e);
                    }
                },
                ms,
                ms,
                TimeUnit.MILLISECONDS);
        return timer::shutdownNow;
    }
}
