package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Optional;

/**
 * Resets a workspace's VM to a fresh disk ({@link dev.hangar.provider.spi.WorkspaceReset}): quits a
 * running QEMU (the disk is about to be replaced, so no graceful shutdown), marks the stop as the
 * provider's (never a crash), swaps in a fresh overlay with a new cloud-init instance-id ({@link
 * WorkspaceDisks#replace}), rewrites the seed, and boots the VM again if it ran. The host key,
 * certificate, lab NIC and ssh port come from the spec and the workspace's files as before.
 *
 * <p>Thread-safe (stateless); calls for one workspace must not overlap.
 */
final class VmReset {
    private final WorkspaceDisks disks;
    private final VmLauncher launcher;
    private final VmStopper stopper;
    private final SshReadiness readiness;
    private final Clock clock;

    VmReset(WorkspaceDisks disks, VmLauncher launcher, VmStopper stopper, SshReadiness readiness, Clock clock) {
        this.disks = disks;
        this.launcher = launcher;
        this.stopper = stopper;
        this.readiness = readiness;
        this.clock = clock;
    }

    /**
     * Resets the workspace in {@code d}, whose overlay exists, onto {@code image}.
     *
     * @return {@link Observation.Starting} when the VM ran (and runs again), else {@link
     *     Observation.Stopped}
     * @throws ProviderException (transient) when QEMU does not exit, or from the launch
     * @throws IOException when a file cannot be written or qemu-img fails; the old disk is then still
     *     in place unless the new one already replaced it
     */
    Observation reset(WorkspaceSpec spec, WorkspaceDir d, BaseImage image, ProviderListener listener)
            throws IOException {
        readiness.cancel(spec);
        stopper.cancel(spec);
        Optional<ProcessHandle> vm = QemuProcess.find(d);
        boolean wasRunning = vm.isPresent() && d.desired().orElse(PowerState.RUNNING) == PowerState.RUNNING;
        if (vm.isPresent()) {
            // The disk is about to be replaced: no need for a graceful guest shutdown.
            stopper.quitOrKill(d, vm.get());
            if (QemuProcess.find(d).isPresent()) {
                throw new ProviderException(
                        "QEMU (pid " + vm.get().pid() + ") of workspace " + spec.name()
                                + " did not exit for the reset; will retry",
                        false);
            }
            listener.event("vm-stopped", "QEMU stopped for the reset");
        }
        // A stop by the provider, not a crash, whatever happens next.
        if (Files.exists(d.pidFile()))
            d.write(d.cleanShutdownMarker(), clock.instant().toString());
        d.deleteRuntimeFiles();
        Files.deleteIfExists(d.crashReportedMarker());
        Files.deleteIfExists(d.sshVerifiedFile());
        disks.replace(spec, d, image, listener);
        disks.writeSeed(spec, d, listener);
        if (!wasRunning)
            return new Observation.Stopped("fresh disk " + d.overlay().getFileName());
        launcher.reservePort(spec, d, listener);
        launcher.launch(spec, d, image, listener);
        readiness.ensureWatcher(spec, d, listener);
        return new Observation.Starting("first boot after the reset; " + readiness.waitingForSshd());
    }
}
