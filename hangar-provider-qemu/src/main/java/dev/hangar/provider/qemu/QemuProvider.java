package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.ConsoleEndpoint;
import dev.hangar.provider.spi.HostDevices;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceReset;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.spi.WorkspaceSuspend;
import dev.hangar.provider.ssh.SshProbe;
import dev.hangar.provider.vm.CloudInitUserData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs workspaces as local QEMU VMs. See the package documentation for the files of a workspace.
 * This class only chains the named steps; each lives in its own class: {@link ImagePulls} (base
 * image), {@link WorkspaceDisks} (overlay, resize, seed), {@link VmLauncher} (port, command line,
 * process), {@link VmStopper} (ACPI, QMP quit, timeouts), {@link SshReadiness} (pinned-key probe,
 * once per QEMU pid), {@link VmReset} (fresh disk) and {@link VmAdoption} (VMs from before, crashes).
 *
 * <p><b>Lifecycle.</b> {@code apply(RUNNING)} ensures the base image (downloading it in the
 * background if needed), the overlay, the seed, then launches QEMU detached and returns {@link
 * Observation.Starting}; a background watcher reports the {@code ssh-ready} timing once sshd
 * answers with the pinned host key, which is when {@link #observe} first says {@link
 * Observation.Running}. {@code apply(STOPPED)} presses the ACPI power button through QMP and, after
 * {@code shutdown-timeout-seconds}, sends QMP {@code quit}; the overlay is kept. {@link #delete}
 * quits a running VM and removes the workspace directory, never the image cache.
 *
 * <p><b>Crash detection.</b> A pidfile whose process is gone while the desired state is RUNNING and
 * no clean-shutdown marker exists is observed as {@link Observation.Failed} with the last lines of
 * the serial log; {@code apply(RUNNING)} starts it again.
 *
 * <p><b>Reset</b> ({@link #reset()}): the VM is quit (its disk is about to be replaced, so no graceful
 * shutdown), a fresh overlay on the cached base image is renamed over the old one, the seed gets a
 * new instance-id, and a VM that ran is booted again; the seed's host key, certificate, lab NIC and
 * address and the ssh port are the same as before.
 *
 * <p><b>Lab members</b> ({@link WorkspaceSpec#labNetwork()}) get a second NIC on their lab segment
 * ({@link LabSegment}: loopback multicast, no root) and a network-config on the seed.
 *
 * <p><b>Restarts.</b> All state is in files, so a new provider instance (a restarted server) adopts
 * running VMs from their pidfiles and QMP sockets; {@link #close} leaves VMs running.
 *
 * <p>Thread-safe. Calls for one workspace must not overlap (the reconciler guarantees it).
 */
public final class QemuProvider implements WorkspaceProvider {
    private static final Logger LOG = LoggerFactory.getLogger(QemuProvider.class);
    /** How much of serial.log {@link #consoleLog} reads: enough for thousands of lines. */
    private static final int CONSOLE_LOG_TAIL_BYTES = 1 << 20;

    private final Path dataDir;
    private final QemuSettings settings;
    private final Clock clock;
    private final ImageCache imageCache;
    private final AcceleratorChoice accelerator;
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final ImagePulls pulls;
    private final QemuImages images;
    private final WorkspaceDisks disks;
    private final VmLauncher launcher;
    private final VmStopper stopper;
    private final SshReadiness readiness;
    private final VmReset vmReset;
    private final VmSuspender suspender;
    private final WorkspaceReset reset = this::resetWorkspace;
    private final HostDevices hostDevices;
    private final WorkspaceSuspend suspend = this::suspendOnNextStop;

    QemuProvider(
            Path dataDir,
            QemuSettings settings,
            Clock clock,
            Path qemuBinary,
            QemuImg qemuImg,
            ImageCache imageCache,
            AcceleratorChoice accelerator) {
        this.dataDir = dataDir;
        this.settings = settings;
        this.clock = clock;
        this.imageCache = imageCache;
        this.accelerator = accelerator;
        this.pulls = new ImagePulls(imageCache, background, clock);
        this.images = new QemuImages(imageCache, pulls, workspacesDir(), qemuImg);
        this.disks = new WorkspaceDisks(qemuImg, clock);
        this.launcher = new VmLauncher(settings, clock, qemuBinary, accelerator, VfioHostCheck.ofThisHost());
        this.stopper = new VmStopper(settings, clock, background);
        this.readiness = new SshReadiness(settings, clock, accelerator, background);
        this.vmReset = new VmReset(disks, launcher, stopper, readiness, clock);
        this.hostDevices = new QemuHostDevices(VfioHostCheck.ofThisHost().allowed(settings.pciDevices()), launcher);
        this.suspender = new VmSuspender(clock);
        VmAdoption.logRunningVms(workspacesDir());
    }

    @Override
    public String type() {
        return QemuProviderFactory.TYPE;
    }

    /** @return the catalog and cache of base images, for {@code hangar image ...} */
    @Override
    public Optional<dev.hangar.provider.spi.WorkspaceImages> images() {
        return Optional.of(images);
    }

    /**
     * @return the admin-allowed host PCI devices ({@code pci-devices}, ids resolved to this host's
     *     addresses when the provider was created) and the hook for the server's claims: each start
     *     asks it for the workspace's addresses, checks the host with {@link VfioHostCheck} (a
     *     workspace the host cannot serve fails permanently with what the host lacks) and passes
     *     them through ({@code -device vfio-pci,host=...})
     */
    @Override
    public Optional<HostDevices> hostDevices() {
        return Optional.of(hostDevices);
    }

    /** @return the reset of a workspace to a fresh disk; see the class documentation */
    @Override
    public Optional<WorkspaceReset> reset() {
        return Optional.of(reset);
    }

    /**
     * @return the suspend of the next stop: a {@code stop-mode} file in the workspace directory that
     *     the next {@code apply(STOPPED)} of a running VM uses up; see {@link VmSuspender}
     */
    @Override
    public Optional<WorkspaceSuspend> suspend() {
        return Optional.of(suspend);
    }

    /**
     * @return the image cache itself, for tests and tools that seed it directly; everything else
     *     uses {@link #images()}
     */
    public ImageCache imageCache() {
        return imageCache;
    }

    /** @return the accelerator new VMs use and why */
    public AcceleratorChoice accelerator() {
        return accelerator;
    }

    /**
     * The VM's first serial port ({@code ttyS0}): QEMU serves it on {@code console.sock} in the
     * workspace directory (a {@code -chardev socket,server=on,wait=off} that accepts one client at
     * a time) and appends everything the guest writes to {@code serial.log}. The socket exists
     * only while QEMU runs.
     */
    @Override
    public Optional<ConsoleEndpoint> console(WorkspaceSpec spec) {
        return Optional.of(new ConsoleEndpoint(dir(spec).consoleSocket()));
    }

    /**
     * {@code usbip.sock} in the VM's directory while a QEMU launched with the USB/IP {@code
     * guestfwd} ({@link UsbipGuestForward}) runs: the launch writes {@code usbip-guestfwd} only
     * then, and a stop removes it with the other runtime files.
     */
    @Override
    public Optional<Path> usbipGuestSocket(String workspaceId) {
        if (!workspaceId.matches("[A-Za-z0-9-]+")) return Optional.empty(); // never a path outside the data dir
        WorkspaceDir d = new WorkspaceDir(workspacesDir().resolve(workspaceId));
        if (!Files.isRegularFile(d.usbipGuestForwardFile())
                || QemuProcess.find(d).isEmpty()) return Optional.empty();
        return Optional.of(d.usbipSocket());
    }

    /** Reads the end of {@code serial.log} (kept across boots; rotated at 8 MiB). */
    @Override
    public Optional<List<String>> consoleLog(WorkspaceSpec spec, int lines) {
        if (lines < 1) throw new IllegalArgumentException("lines must be at least 1, got " + lines);
        return Optional.of(SerialLog.tail(dir(spec).serialLog(), lines, CONSOLE_LOG_TAIL_BYTES));
    }

    /**
     * Reads files and probes sshd; changes nothing but the readiness record of the running QEMU
     * pid.
     */
    @Override
    public Observation observe(WorkspaceSpec spec) {
        WorkspaceDir d = dir(spec);
        if (!d.exists()) return pullingOrAbsent(spec);
        Optional<ProcessHandle> vm = QemuProcess.find(d);
        if (vm.isPresent()) {
            if (d.desired().orElse(PowerState.RUNNING) == PowerState.STOPPED) {
                return new Observation.Stopping("shutting down (pid " + vm.get().pid() + ")");
            }
            return readiness.observe(spec, d);
        }
        if (stopper.stopping(spec)) {
            // QEMU exited a moment ago and the background stop is removing what it leaves (the RAM
            // file among them): Stopped only once that is done, so it means tidied up
            return new Observation.Stopping("QEMU exited; tidying up");
        }
        Optional<String> crash = VmAdoption.crashReason(d);
        if (crash.isPresent()) return new Observation.Failed(crash.get());
        if (!Files.exists(d.overlay())) return pullingOrAbsent(spec);
        Optional<Long> state = SavedState.stateBytes(d);
        if (state.isPresent())
            return new Observation.Stopped("suspended, " + SavedState.describe(state.get()) + " state");
        if (Files.exists(d.pidFile()) && SerialLog.endsWithPowerOff(d.serialLog())) {
            return new Observation.Stopped("the guest powered itself off");
        }
        return new Observation.Stopped("disk " + d.overlay().getFileName() + " kept");
    }

    @Override
    public Observation apply(WorkspaceSpec spec, PowerState desired, ProviderListener listener) {
        validate(spec);
        WorkspaceDir d = dir(spec);
        boolean fresh = !d.exists();
        try {
            Files.createDirectories(d.path());
            d.write(d.desiredFile(), desired.name());
            if (desired == PowerState.RUNNING) return start(spec, d, listener);
            return stop(spec, d, listener);
        } catch (IOException e) {
            forgetFailedCreation(fresh, d);
            throw new ProviderException("workspace " + spec.name() + ": " + e.getMessage(), false, e);
        } catch (ProviderException e) {
            forgetFailedCreation(fresh, d);
            throw e;
        }
    }

    @Override
    public Observation delete(WorkspaceSpec spec, ProviderListener listener) {
        WorkspaceDir d = dir(spec);
        readiness.cancel(spec);
        stopper.cancel(spec);
        Optional<ProcessHandle> vm = QemuProcess.find(d);
        if (vm.isPresent()) {
            // The disk is about to be deleted: no need for a graceful guest shutdown.
            stopper.quitOrKill(d, vm.get());
            if (QemuProcess.find(d).isPresent()) {
                throw new ProviderException(
                        "QEMU (pid " + vm.get().pid() + ") of workspace " + spec.name() + " did not exit; will retry",
                        false);
            }
            listener.event("vm-stopped", "QEMU stopped for deletion");
        }
        ImageCache.deleteTree(d.path());
        listener.event("disk-deleted", "workspace directory " + d.path() + " removed");
        return new Observation.Absent();
    }

    /** Leaves running VMs running; stops background watchers, downloads and the SSH client. */
    @Override
    public void close() {
        background.shutdownNow();
        readiness.close();
    }

    private Observation start(WorkspaceSpec spec, WorkspaceDir d, ProviderListener listener) throws IOException {
        Files.deleteIfExists(d.stopModeFile()); // a suspend request is for the stop that follows it, not a later one
        if (stopper.stopping(spec)) {
            // A restart while the guest is still shutting down: let the stop finish, start on a later
            // call. Once QEMU is gone the stopper only tidies up files, so wait for that.
            if (QemuProcess.find(d).isPresent()) {
                return new Observation.Stopping("finishing the previous stop before starting again");
            }
            stopper.await(spec);
        }
        if (QemuProcess.find(d).isPresent()) {
            VmAdoption.adoptLaunchTime(d);
            readiness.ensureWatcher(spec, d, listener);
            return readiness.observe(spec, d);
        }
        Optional<String> crash = VmAdoption.crashReason(d);
        if (crash.isPresent() && !Files.exists(d.crashReportedMarker())) {
            // Report a crash once instead of relaunching: the workspace goes Failed with the serial
            // log's last lines, and the reconciler leaves it there until a user's start, whose
            // apply comes back here and relaunches. A crash loop cannot burn the host.
            d.write(d.crashReportedMarker(), clock.instant().toString());
            listener.event("vm-crashed", crash.get());
            return new Observation.Failed(crash.get() + "; run 'hangar start' to boot it again");
        }
        // A port first: without one the VM cannot be reached, so fail before creating anything.
        launcher.reservePort(spec, d, listener);
        Optional<BaseImage> image = image(spec, listener);
        if (image.isEmpty()) return pulling(spec);
        disks.ensure(spec, d, image.get(), listener);
        disks.writeSeed(spec, d, listener);
        if (crash.isPresent()) listener.event("vm-restarted", "booting again after the crash");
        Files.deleteIfExists(d.crashReportedMarker());
        if (suspender.resume(spec, d, image.get(), launcher, listener)) {
            // sshd was listening when the VM was suspended: check at once rather than on the next
            // reconcile pass, so a resumed workspace is Running when this apply returns
            Observation o = readiness.probeResumed(spec, d, listener);
            return o instanceof Observation.Starting
                    ? new Observation.Starting("resumed from the saved state; " + o.detail())
                    : o;
        }
        launcher.launch(spec, d, image.get(), listener);
        readiness.ensureWatcher(spec, d, listener);
        return new Observation.Starting(readiness.waitingForSshd());
    }

    private void suspendOnNextStop(WorkspaceSpec spec) {
        validate(spec);
        WorkspaceDir d = dir(spec);
        if (!d.exists()) return; // nothing runs, nothing to suspend
        try {
            d.write(d.stopModeFile(), StopMode.SUSPEND.name());
        } catch (IOException e) {
            throw new ProviderException(
                    "cannot record the suspend of workspace " + spec.name() + ": " + e.getMessage(), false, e);
        }
    }

    private Observation resetWorkspace(WorkspaceSpec spec, ProviderListener listener) {
        validate(spec);
        WorkspaceDir d = dir(spec);
        if (!Files.exists(d.overlay())) {
            listener.event("reset-skipped", "no disk yet: the first start creates a fresh one");
            return observe(spec);
        }
        try {
            // The image first: a reset that cannot get it leaves the VM as it was.
            Optional<BaseImage> image = image(spec, listener);
            if (image.isEmpty()) {
                throw new ProviderException(
                        "cannot reset workspace " + spec.name() + " yet: base image " + spec.image()
                                + " is being downloaded; "
                                + pulls.detail(spec.image()).orElse(""),
                        false);
            }
            SavedState.discard(d); // the saved memory belongs to the old disk
            return vmReset.reset(spec, d, image.get(), listener);
        } catch (IOException e) {
            throw new ProviderException("reset of workspace " + spec.name() + ": " + e.getMessage(), false, e);
        }
    }

    private Observation stop(WorkspaceSpec spec, WorkspaceDir d, ProviderListener listener) throws IOException {
        readiness.cancel(spec);
        Optional<ProcessHandle> vm = QemuProcess.find(d);
        StopMode mode = StopMode.of(spec, d);
        if (vm.isPresent() && mode == StopMode.SUSPEND && !stopper.stopping(spec)) {
            if (suspender.suspend(spec, d, vm.get(), listener)) {
                Files.deleteIfExists(d.stopModeFile()); // a one-shot request: this stop used it up
                return new Observation.Stopped("suspended, "
                        + SavedState.describe(SavedState.stateBytes(d).orElse(0L)) + " state");
            }
            vm = QemuProcess.find(d);
        }
        Files.deleteIfExists(d.stopModeFile());
        if (vm.isPresent()) {
            stopper.stopGracefully(spec, d, vm.get(), listener);
            return new Observation.Stopping("shutting down (ACPI power button, then quit after "
                    + settings.shutdownTimeout().toSeconds() + " s)");
        }
        stopper.await(spec);
        if (!Files.exists(d.overlay())) {
            // STOPPED still means "resources exist": create disk and seed without booting.
            Optional<BaseImage> image = image(spec, listener);
            if (image.isEmpty()) return pulling(spec);
            disks.ensure(spec, d, image.get(), listener);
            disks.writeSeed(spec, d, listener);
        } else if (!SavedState.suspended(d)) {
            // a suspended VM's devices know the disk's size: grow it at its next cold boot
            disks.grow(spec, d, listener);
            Files.deleteIfExists(d.ramFile()); // a cold stop: the next start boots with fresh memory
        }
        if (Files.exists(d.pidFile()))
            d.write(d.cleanShutdownMarker(), clock.instant().toString());
        d.deleteRuntimeFiles();
        Optional<Long> state = SavedState.stateBytes(d);
        if (state.isPresent())
            return new Observation.Stopped("suspended, " + SavedState.describe(state.get()) + " state");
        return new Observation.Stopped("disk " + d.overlay().getFileName() + " kept");
    }

    /** @return the base image (reporting the {@code image} timing), or empty while it downloads */
    private Optional<BaseImage> image(WorkspaceSpec spec, ProviderListener listener) {
        Instant t0 = clock.instant();
        Optional<BaseImage> image = pulls.imageFor(spec.image(), listener);
        image.ifPresent(i -> listener.phaseTiming("image", Duration.between(t0, clock.instant())));
        return image;
    }

    private Observation pulling(WorkspaceSpec spec) {
        return new Observation.Starting(pulls.detail(spec.image()).orElse("downloading image " + spec.image()));
    }

    private Observation pullingOrAbsent(WorkspaceSpec spec) {
        return pulls.detail(spec.image())
                .<Observation>map(Observation.Starting::new)
                .orElseGet(Observation.Absent::new);
    }

    /**
     * A first apply that failed leaves no directory behind (it holds nothing of the user's yet); the
     * next apply starts from scratch. Never called for a workspace that existed before the call.
     */
    private static void forgetFailedCreation(boolean fresh, WorkspaceDir d) {
        if (!fresh || QemuProcess.find(d).isPresent()) return;
        try {
            ImageCache.deleteTree(d.path());
        } catch (RuntimeException e) {
            LOG.warn("cannot remove {} after a failed first start: {}", d.path(), e.toString());
        }
    }

    private void validate(WorkspaceSpec spec) {
        TreeSet<String> unknown = new TreeSet<>(spec.settings().keySet());
        unknown.remove(StopMode.SETTING);
        if (!unknown.isEmpty()) {
            throw new ProviderException(
                    "the qemu provider's only template setting is '" + StopMode.SETTING + "'; remove " + unknown, true);
        }
        StopMode.of(spec);
        if (!spec.id().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new ProviderException("workspace id '" + spec.id() + "' is not usable as a directory name", true);
        }
        CloudInitUserData.cloudInitKeyType(spec.hostKey().algorithm());
        try {
            SshProbe.parse(spec.hostKey().publicKey());
        } catch (IllegalArgumentException e) {
            throw new ProviderException("workspace " + spec.name() + ": pinned host key: " + e.getMessage(), true);
        }
    }

    private Path workspacesDir() {
        return dataDir.resolve("workspaces");
    }

    private WorkspaceDir dir(WorkspaceSpec spec) {
        return new WorkspaceDir(workspacesDir().resolve(spec.id()));
    }
}
