package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops QEMU: the graceful way in the background (ACPI power button through QMP, then QMP {@code
 * quit} after {@code shutdown-timeout-seconds}, then SIGKILL), or at once for deletion. Once QEMU
 * has exited and the stop has removed the files it owns (runtime files, the RAM file of ADR 0020),
 * it tells the reconciler ({@link ProviderListener#changed()}), so Stopped is recorded when the
 * guest is down rather than at the next poll. While a background stop runs, {@link #stopping} is
 * true: the provider's observe reports Stopping until then, so Stopped means tidied up.
 *
 * <p>Thread-safe: one background stopper per workspace at a time.
 */
final class VmStopper {
    private static final Logger LOG = LoggerFactory.getLogger(VmStopper.class);
    static final Duration QMP_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    /** Between two looks whether QEMU has exited after the power button. */
    private static final long EXIT_POLL_MILLIS = 50;

    private final QemuSettings settings;
    private final Clock clock;
    private final ExecutorService background;
    private final ConcurrentHashMap<String, Future<?>> stoppers = new ConcurrentHashMap<>();

    VmStopper(QemuSettings settings, Clock clock, ExecutorService background) {
        this.settings = settings;
        this.clock = clock;
        this.background = background;
    }

    /**
     * Starts the graceful stop of {@code vm} in the background unless one runs; a finished one (e.g.
     * from before a restart of the VM) is replaced. Reports {@code vm-stopped} when QEMU is gone.
     */
    void stopGracefully(WorkspaceSpec spec, WorkspaceDir d, ProcessHandle vm, ProviderListener listener) {
        stoppers.compute(
                spec.id(),
                (id, running) -> running != null && !running.isDone() ? running : submit(spec, d, vm, listener));
    }

    /**
     * Runs {@link #shutdown} in the background and tells the reconciler when it is done, from {@link
     * FutureTask#done()}: that runs after {@link #stopping} turned false, so the pass it wakes
     * observes Stopped (not "tidying up") and every file the stop removes is gone by then.
     */
    private Future<Boolean> submit(WorkspaceSpec spec, WorkspaceDir d, ProcessHandle vm, ProviderListener listener) {
        FutureTask<Boolean> task = new FutureTask<>(() -> shutdown(spec, d, vm, listener)) {
            @Override
            protected void done() {
                if (isCancelled()) return;
                try {
                    if (get()) listener.changed(); // the reconciler records Stopped now, not at its next poll
                } catch (InterruptedException | ExecutionException e) {
                    LOG.debug("stop of workspace {} ended without a result: {}", spec.id(), e.toString());
                }
            }
        };
        background.execute(task);
        return task;
    }

    /** @return whether a background stop of the workspace still runs */
    boolean stopping(WorkspaceSpec spec) {
        Future<?> stopper = stoppers.get(spec.id());
        return stopper != null && !stopper.isDone();
    }

    /**
     * Waits for the background stop of the workspace, if any, to finish.
     *
     * @throws ProviderException (transient) when it is still running after the shutdown timeout
     *     plus the kill timeouts, or the wait was interrupted
     */
    void await(WorkspaceSpec spec) {
        Future<?> stopper = stoppers.get(spec.id());
        if (stopper == null) return;
        try {
            stopper.get(
                    settings.shutdownTimeout()
                            .plus(KILL_TIMEOUT.multipliedBy(3))
                            .toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException("interrupted while waiting for the VM to stop", false, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new ProviderException("the VM of " + spec.name() + " is still stopping; will retry", false, e);
        }
    }

    /** Cancels the background stop of the workspace, if any (deletion quits QEMU itself). */
    void cancel(WorkspaceSpec spec) {
        Future<?> f = stoppers.remove(spec.id());
        if (f != null) f.cancel(true);
    }

    /** QMP {@code quit}, then SIGKILL if QEMU has not exited within the kill timeout. Blocking. */
    void quitOrKill(WorkspaceDir d, ProcessHandle vm) {
        qmp(d, "quit");
        if (!QemuProcess.awaitExit(vm, d, KILL_TIMEOUT)) {
            vm.destroyForcibly();
            QemuProcess.awaitExit(vm, d, KILL_TIMEOUT);
        }
    }

    /**
     * Graceful stop, run in the background: power button, wait, QMP quit, SIGKILL.
     *
     * @return whether QEMU is gone and the stop's files are tidied up
     */
    private boolean shutdown(WorkspaceSpec spec, WorkspaceDir d, ProcessHandle vm, ProviderListener listener) {
        try {
            Instant began =
                    d.readLong(d.powerdownFile()).map(Instant::ofEpochMilli).orElseGet(clock::instant);
            d.write(d.powerdownFile(), Long.toString(began.toEpochMilli()));
            qmp(d, "system_powerdown");
            Instant deadline = began.plus(settings.shutdownTimeout());
            String how = "ACPI shutdown";
            // A process that is not our child has no exit notification in Java (ProcessHandle.onExit
            // polls every 300 ms and more for those): a 50 ms poll of the pidfile's process costs
            // nothing measurable and adds 25 ms on average to the stop.
            while (QemuProcess.find(d).isPresent() && clock.instant().isBefore(deadline)) {
                Thread.sleep(EXIT_POLL_MILLIS);
            }
            if (QemuProcess.find(d).isPresent()) {
                how = "QMP quit after the guest ignored the power button for "
                        + settings.shutdownTimeout().toSeconds() + " s";
                quitOrKill(d, vm);
            }
            if (QemuProcess.find(d).isEmpty()) {
                d.write(d.cleanShutdownMarker(), clock.instant().toString());
                d.deleteRuntimeFiles();
                // the shut-down guest's memory is gone: its RAM file only takes disk space (ADR 0020)
                Files.deleteIfExists(d.ramFile());
                listener.event(
                        "vm-stopped",
                        "VM of " + spec.name() + " stopped by " + how + " in "
                                + Duration.between(began, clock.instant()).toMillis() + " ms");
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.warn("stopping workspace {} failed: {}", spec.id(), e.toString());
        }
        return false;
    }

    /** Sends one QMP command; a VM that does not answer is handled by the caller's next step. */
    private static void qmp(WorkspaceDir d, String command) {
        try (QmpClient client = QmpClient.connect(d.qmpSocket(), QMP_TIMEOUT)) {
            client.execute(command);
        } catch (IOException e) {
            LOG.debug("QMP {} on {}: {}", command, d.path(), e.toString());
        }
    }
}
