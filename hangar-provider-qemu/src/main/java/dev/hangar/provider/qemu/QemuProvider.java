package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.ConsoleEndpoint;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs workspaces as local QEMU VMs. See the package documentation for the files of a workspace.
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
 * <p><b>Restarts.</b> All state is in files, so a new provider instance (a restarted server) adopts
 * running VMs from their pidfiles and QMP sockets; {@link #close} leaves VMs running.
 *
 * <p>Thread-safe. Calls for one workspace must not overlap (the reconciler guarantees it).
 */
public final class QemuProvider implements WorkspaceProvider {
    private static final Logger LOG = LoggerFactory.getLogger(QemuProvider.class);
    private static final Duration LAUNCH_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration QMP_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final long SERIAL_LOG_MAX_BYTES = 8L << 20;
    /** How much of serial.log {@link #consoleLog} reads: enough for thousands of lines. */
    private static final int CONSOLE_LOG_TAIL_BYTES = 1 << 20;

    private final Path dataDir;
    private final QemuSettings settings;
    private final Clock clock;
    private final Path qemuBinary;
    private final QemuImg qemuImg;
    private final ImageCache images;
    private final AcceleratorChoice accelerator;
    private final SshProbe probe = new SshProbe();
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final ConcurrentHashMap<String, CompletableFuture<BaseImage>> pulls = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicLong[]> pullProgress = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Future<?>> watchers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Future<?>> stoppers = new ConcurrentHashMap<>();

    QemuProvider(
            Path dataDir,
            QemuSettings settings,
            Clock clock,
            Path qemuBinary,
            QemuImg qemuImg,
            ImageCache images,
            AcceleratorChoice accelerator) {
        this.dataDir = dataDir;
        this.settings = settings;
        this.clock = clock;
        this.qemuBinary = qemuBinary;
        this.qemuImg = qemuImg;
        this.images = images;
        this.accelerator = accelerator;
        adoptRunningVms();
    }

    @Override
    public String type() {
        return QemuProviderFactory.TYPE;
    }

    /** @return the image cache, for {@code hangar image pull | list | import} */
    public ImageCache images() {
        return images;
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

    /** Reads the end of {@code serial.log} (kept across boots; rotated at 8 MiB). */
    @Override
    public Optional<List<String>> consoleLog(WorkspaceSpec spec, int lines) {
        if (lines < 1) throw new IllegalArgumentException("lines must be at least 1, got " + lines);
        return Optional.of(SerialLog.tail(dir(spec).serialLog(), lines, CONSOLE_LOG_TAIL_BYTES));
    }

    @Override
    public Observation observe(WorkspaceSpec spec) {
        WorkspaceDir d = dir(spec);
        if (!d.exists()) {
            return pulls.containsKey(spec.image())
                    ? new Observation.Starting(pullDetail(spec.image()))
                    : new Observation.Absent();
        }
        Optional<ProcessHandle> vm = QemuProcess.find(d);
        if (vm.isPresent()) {
            if (d.desired().orElse(PowerState.RUNNING) == PowerState.STOPPED) {
                return new Observation.Stopping("shutting down (pid " + vm.get().pid() + ")");
            }
            return readiness(spec, d);
        }
        Optional<String> crash = crashReason(d);
        if (crash.isPresent()) return new Observation.Failed(crash.get());
        if (!Files.exists(d.overlay())) {
            return pulls.containsKey(spec.image())
                    ? new Observation.Starting(pullDetail(spec.image()))
                    : new Observation.Absent();
        }
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

    @Override
    public Observation delete(WorkspaceSpec spec, ProviderListener listener) {
        WorkspaceDir d = dir(spec);
        cancel(watchers.remove(spec.id()));
        cancel(stoppers.remove(spec.id()));
        Optional<ProcessHandle> vm = QemuProcess.find(d);
        if (vm.isPresent()) {
            // The disk is about to be deleted: no need for a graceful guest shutdown.
            quitOrKill(d, vm.get());
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

    /** Leaves running VMs running; stops background watchers and the SSH client. */
    @Override
    public void close() {
        background.shutdownNow();
        probe.close();
    }

    private Observation start(WorkspaceSpec spec, WorkspaceDir d, ProviderListener listener) throws IOException {
        Future<?> stopper = stoppers.get(spec.id());
        if (stopper != null && !stopper.isDone()) {
            // A restart while the guest is still shutting down: let the stop finish, start on a later
            // call. Once QEMU is gone the stopper only tidies up files, so wait for that.
            if (QemuProcess.find(d).isPresent()) {
                return new Observation.Stopping("finishing the previous stop before starting again");
            }
            awaitStopper(spec);
        }
        if (QemuProcess.find(d).isPresent()) {
            adoptLaunchTime(d);
            ensureWatcher(spec, d, listener);
            return readiness(spec, d);
        }
        Optional<String> crash = crashReason(d);
        if (crash.isPresent() && !Files.exists(d.crashReportedMarker())) {
            // Report a crash once instead of relaunching: the workspace goes Failed with the serial
            // log's last lines, and the reconciler leaves it there until a user's start, whose
            // apply comes back here and relaunches. A crash loop cannot burn the host.
            d.write(d.crashReportedMarker(), clock.instant().toString());
            listener.event("vm-crashed", crash.get());
            return new Observation.Failed(crash.get() + "; run 'hangar start' to boot it again");
        }
        // A port first: without one the VM cannot be reached, so fail before creating anything.
        sshPort(spec, d, listener);
        Instant t0 = clock.instant();
        Optional<BaseImage> image = image(spec, listener);
        if (image.isEmpty()) return new Observation.Starting(pullDetail(spec.image()));
        listener.phaseTiming("image", Duration.between(t0, clock.instant()));
        ensureDisk(spec, d, image.get(), listener);
        writeSeed(spec, d, listener);
        if (crash.isPresent()) listener.event("vm-restarted", "booting again after the crash");
        Files.deleteIfExists(d.crashReportedMarker());
        launch(spec, d, image.get(), listener);
        ensureWatcher(spec, d, listener);
        return new Observation.Starting("booting (" + accelerator.accelerator().settingValue() + "), waiting for sshd");
    }

    private Observation stop(WorkspaceSpec spec, WorkspaceDir d, ProviderListener listener) throws IOException {
        cancel(watchers.remove(spec.id()));
        Optional<ProcessHandle> vm = QemuProcess.find(d);
        if (vm.isPresent()) {
            // One stopper per workspace; a finished one (e.g. from before a restart of the VM) is replaced.
            stoppers.compute(
                    spec.id(),
                    (id, running) -> running != null && !running.isDone()
                            ? running
                            : background.submit(() -> shutdown(spec, d, vm.get(), listener)));
            return new Observation.Stopping("shutting down (ACPI power button, then quit after "
                    + settings.shutdownTimeout().toSeconds() + " s)");
        }
        awaitStopper(spec);
        if (!Files.exists(d.overlay())) {
            // STOPPED still means "resources exist": create disk and seed without booting.
            Instant t0 = clock.instant();
            Optional<BaseImage> image = image(spec, listener);
            if (image.isEmpty()) return new Observation.Starting(pullDetail(spec.image()));
            listener.phaseTiming("image", Duration.between(t0, clock.instant()));
            ensureDisk(spec, d, image.get(), listener);
            writeSeed(spec, d, listener);
        } else {
            growDisk(spec, d, listener);
        }
        if (Files.exists(d.pidFile()))
            d.write(d.cleanShutdownMarker(), clock.instant().toString());
        d.deleteRuntimeFiles();
        return new Observation.Stopped("disk " + d.overlay().getFileName() + " kept");
    }

    /** Graceful stop, run in the background: power button, wait, QMP quit, SIGKILL. */
    private void shutdown(WorkspaceSpec spec, WorkspaceDir d, ProcessHandle vm, ProviderListener listener) {
        try {
            Instant began =
                    d.readLong(d.powerdownFile()).map(Instant::ofEpochMilli).orElseGet(clock::instant);
            d.write(d.powerdownFile(), Long.toString(began.toEpochMilli()));
            qmp(d, "system_powerdown");
            Instant deadline = began.plus(settings.shutdownTimeout());
            String how = "ACPI shutdown";
            while (QemuProcess.find(d).isPresent() && clock.instant().isBefore(deadline)) {
                Thread.sleep(250);
            }
            if (QemuProcess.find(d).isPresent()) {
                how = "QMP quit after the guest ignored the power button for "
                        + settings.shutdownTimeout().toSeconds() + " s";
                quitOrKill(d, vm);
            }
            if (QemuProcess.find(d).isEmpty()) {
                d.write(d.cleanShutdownMarker(), clock.instant().toString());
                d.deleteRuntimeFiles();
                listener.event(
                        "vm-stopped",
                        "VM of " + spec.name() + " stopped by " + how + " in "
                                + Duration.between(began, clock.instant()).toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.warn("stopping workspace {} failed: {}", spec.id(), e.toString());
        }
    }

    private void quitOrKill(WorkspaceDir d, ProcessHandle vm) {
        qmp(d, "quit");
        if (!QemuProcess.awaitExit(vm, d, KILL_TIMEOUT)) {
            vm.destroyForcibly();
            QemuProcess.awaitExit(vm, d, KILL_TIMEOUT);
        }
    }

    /** Sends one QMP command; a VM that does not answer is handled by the caller's next step. */
    private void qmp(WorkspaceDir d, String command) {
        try (QmpClient client = QmpClient.connect(d.qmpSocket(), QMP_TIMEOUT)) {
            client.execute(command);
        } catch (IOException e) {
            LOG.debug("QMP {} on {}: {}", command, d.path(), e.toString());
        }
    }

    private void awaitStopper(WorkspaceSpec spec) {
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

    /** @return the image, or empty while a background download runs */
    private Optional<BaseImage> image(WorkspaceSpec spec, ProviderListener listener) {
        Optional<BaseImage> cached = images.cached(spec.image());
        if (cached.isPresent()) return cached;
        CompletableFuture<BaseImage> pull = pulls.computeIfAbsent(spec.image(), name -> {
            if (images.catalog().find(name).isEmpty()) {
                images.pull(name, DownloadProgress.NONE); // throws the "unknown image" error
            }
            listener.event(
                    "image-pull-started",
                    "downloading image " + name + " from "
                            + images.catalog().find(name).orElseThrow().url());
            AtomicLong[] progress = {new AtomicLong(), new AtomicLong(-1)};
            pullProgress.put(name, progress);
            Instant began = clock.instant();
            return CompletableFuture.supplyAsync(
                    () -> {
                        BaseImage image = images.pull(name, (done, total) -> {
                            progress[0].set(done);
                            progress[1].set(total);
                        });
                        listener.event(
                                "image-pulled",
                                "image " + name + " downloaded and verified in "
                                        + Duration.between(began, clock.instant())
                                                .toSeconds() + " s");
                        return image;
                    },
                    background);
        });
        if (!pull.isDone()) return Optional.empty();
        pulls.remove(spec.image(), pull);
        pullProgress.remove(spec.image());
        try {
            return Optional.of(pull.join());
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof ProviderException pe) throw pe;
            throw new ProviderException(
                    "pulling image " + spec.image() + " failed: " + e.getCause(), false, e.getCause());
        }
    }

    private String pullDetail(String image) {
        AtomicLong[] progress = pullProgress.get(image);
        if (progress == null) return "downloading image " + image;
        long done = progress[0].get();
        long total = progress[1].get();
        return "downloading image " + image + ": " + (done >> 20) + " MiB"
                + (total > 0 ? " of " + (total >> 20) + " MiB (" + (done * 100 / total) + "%)" : "");
    }

    private void ensureDisk(WorkspaceSpec spec, WorkspaceDir d, BaseImage image, ProviderListener listener)
            throws IOException {
        Instant t0 = clock.instant();
        long wanted = spec.resources().diskBytes();
        if (Files.exists(d.overlay())) {
            growDisk(spec, d, listener);
        } else {
            if (wanted < image.virtualSize()) {
                throw new ProviderException(
                        "disk of " + spec.resources().diskGiB() + " GiB is smaller than image " + image.name()
                                + " (" + gib(image.virtualSize()) + " GiB); give the template a disk of at least "
                                + (image.virtualSize() + (1L << 30) - 1 >> 30) + " GiB",
                        true);
            }
            Path tmp = d.path().resolve("overlay.qcow2.tmp");
            Files.deleteIfExists(tmp);
            try {
                qemuImg.createOverlay(tmp, image.disk(), image.format(), wanted);
                Files.move(tmp, d.overlay(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            listener.event("disk-created", spec.resources().diskGiB() + " GiB qcow2 overlay on image " + image.name());
        }
        listener.phaseTiming("disk", Duration.between(t0, clock.instant()));
    }

    /** Grows an existing overlay to the spec's disk size; a disk is never shrunk. */
    private void growDisk(WorkspaceSpec spec, WorkspaceDir d, ProviderListener listener) throws IOException {
        long wanted = spec.resources().diskBytes();
        long current = qemuImg.info(d.overlay()).virtualSize();
        if (current < wanted) {
            qemuImg.grow(d.overlay(), wanted);
            listener.event(
                    "disk-grown",
                    "disk grown from " + gib(current) + " to "
                            + spec.resources().diskGiB() + " GiB");
        } else if (current > wanted) {
            listener.event(
                    "disk-not-shrunk",
                    "disk stays " + gib(current) + " GiB; shrinking to "
                            + spec.resources().diskGiB() + " GiB could destroy data");
        }
    }

    private void writeSeed(WorkspaceSpec spec, WorkspaceDir d, ProviderListener listener) throws IOException {
        Instant t0 = clock.instant();
        // Rewritten on every start so key or template changes reach the guest; the instance-id stays
        // the workspace id, so cloud-init's once-per-instance modules do not run again.
        NoCloudSeed.write(d.seed(), CloudInitUserData.metaData(spec), CloudInitUserData.render(spec));
        listener.phaseTiming("seed", Duration.between(t0, clock.instant()));
    }

    private void launch(WorkspaceSpec spec, WorkspaceDir d, BaseImage image, ProviderListener listener)
            throws IOException {
        for (Path socket : List.of(d.qmpSocket(), d.consoleSocket())) {
            if (socket.toString().length() > WorkspaceDir.MAX_SOCKET_PATH) {
                throw new ProviderException(
                        "unix socket path " + socket + " is longer than " + WorkspaceDir.MAX_SOCKET_PATH
                                + " bytes; configure a shorter data directory for the qemu provider",
                        true);
            }
        }
        listener.event("accelerator", accelerator.reason());
        d.deleteRuntimeFiles();
        Files.deleteIfExists(d.cleanShutdownMarker());
        SerialLog.rotate(d.serialLog(), SERIAL_LOG_MAX_BYTES);
        // Written again once QEMU runs; a server killed in between must not find the last boot's.
        Files.deleteIfExists(d.launchedAtFile());
        Instant t0 = clock.instant();
        for (int attempt = 1; ; attempt++) {
            int port = sshPort(spec, d, listener);
            List<String> args = new QemuCommandLine(
                            qemuBinary,
                            accelerator.accelerator(),
                            spec.name(),
                            spec.resources().cpus(),
                            spec.resources().memoryMiB(),
                            image.boot(),
                            d.path(),
                            port,
                            settings.restrictNetwork())
                    .args();
            int exit = QemuProcess.launch(args, d, LAUNCH_TIMEOUT);
            if (exit == 0) break;
            String output = d.read(d.startLog()).orElse("").strip();
            d.deleteRuntimeFiles();
            if (output.contains("host forwarding rule") && attempt < 3) {
                // Another process took the port since we checked it: pick a new one.
                Files.deleteIfExists(d.sshPortFile());
                continue;
            }
            throw new ProviderException("QEMU failed to start (exit " + exit + "): " + output, false);
        }
        d.write(d.launchedAtFile(), Long.toString(t0.toEpochMilli()));
        long pid = d.readLong(d.pidFile()).orElse(-1L);
        listener.phaseTiming("boot", Duration.between(t0, clock.instant()));
        listener.event(
                "vm-started",
                "QEMU pid " + pid + " (" + accelerator.accelerator().settingValue() + ", "
                        + spec.resources().cpus() + " CPUs, " + spec.resources().memoryMiB()
                        + " MiB), ssh on 127.0.0.1:"
                        + d.readLong(d.sshPortFile()).orElse(-1L));
    }

    /**
     * The persisted forwarded port if it is still free (and within {@code ssh-port-range}), else a
     * new free one (persisted).
     *
     * @throws ProviderException (permanent) when no loopback port can be bound, naming the range
     *     and the setting that changes it
     */
    private int sshPort(WorkspaceSpec spec, WorkspaceDir d, ProviderListener listener) throws IOException {
        Optional<PortRange> range = settings.sshPortRange();
        Optional<Long> saved = d.readLong(d.sshPortFile());
        if (saved.isPresent()
                && range.map(r -> saved.get() >= r.first() && saved.get() <= r.last())
                        .orElse(true)
                && LoopbackPorts.isFree(saved.get().intValue()))
            return saved.get().intValue();
        int port;
        if (range.isPresent()) {
            port = LoopbackPorts.free(range.get())
                    .orElseThrow(() -> new ProviderException(
                            "no free loopback port for the ssh forward of workspace " + spec.name() + ": all "
                                    + range.get().size() + " ports of qemu setting ssh-port-range " + range.get()
                                    + " are in use on 127.0.0.1; widen the range (providers.qemu.ssh-port-range"
                                    + " in server.yaml) or stop workspaces or programs that hold those ports,"
                                    + " then run 'hangar start'",
                            true));
        } else {
            try {
                port = LoopbackPorts.free();
            } catch (IOException e) {
                throw new ProviderException(
                        "no free loopback port for the ssh forward of workspace " + spec.name()
                                + ": the kernel assigned none from its ephemeral range (" + e.getMessage()
                                + "); free some ports or set providers.qemu.ssh-port-range to a range"
                                + " with free ports, then run 'hangar start'",
                        true,
                        e);
            }
        }
        saved.ifPresent(old -> listener.event(
                "ssh-port-changed", "port " + old + " is taken or outside ssh-port-range; ssh moves to " + port));
        d.write(d.sshPortFile(), Integer.toString(port));
        return port;
    }

    private Observation readiness(WorkspaceSpec spec, WorkspaceDir d) {
        Optional<Long> port = d.readLong(d.sshPortFile());
        if (port.isEmpty()) return new Observation.Starting("booting (no ssh port recorded)");
        SshEndpoint endpoint = new SshEndpoint("127.0.0.1", port.get().intValue());
        SshProbe.Result r =
                probe.probe(endpoint, spec.hostKey().publicKey(), spec.hostCertificate(), settings.sshProbeTimeout());
        Optional<Long> pid = d.readLong(d.pidFile());
        return switch (r.outcome()) {
            case MATCH -> {
                markVerified(d);
                yield new Observation.Running(endpoint, "sshd answered with the pinned host key (" + r.detail() + ")");
            }
            case MISMATCH -> new Observation.Starting(r.detail());
            case UNREACHABLE ->
                pid.isPresent() && pid.equals(d.readLong(d.sshVerifiedFile()))
                        // This QEMU process answered with the pinned key before; one probe that times
                        // out on a busy host must not flap the workspace back to Starting.
                        ? new Observation.Running(endpoint, "sshd verified for this boot; the last probe got no answer")
                        : new Observation.Starting(
                                "booting (" + accelerator.accelerator().settingValue() + "), waiting for sshd");
        };
    }

    /**
     * A server killed while QEMU was launching never wrote {@code launched-at}; the VM it left
     * running is adopted with its pidfile's time instead, so its ssh-ready timing is right. Best
     * effort.
     */
    private static void adoptLaunchTime(WorkspaceDir d) {
        if (Files.exists(d.launchedAtFile())) return;
        try {
            long at = Files.getLastModifiedTime(d.pidFile()).toMillis();
            d.write(d.launchedAtFile(), Long.toString(at));
            LOG.info("adopted VM in {} launched by a previous server (at {})", d.path(), Instant.ofEpochMilli(at));
        } catch (IOException e) {
            LOG.debug("cannot record the launch time of the VM in {}: {}", d.path(), e.getMessage());
        }
    }

    /**
     * Records that the running QEMU process answered with the pinned key; best effort (the next
     * probe retries). Keyed by pid, not by {@code launched-at}: a server killed between launching
     * QEMU and writing {@code launched-at} leaves the previous boot's value behind, which must not
     * vouch for the new boot.
     */
    private static void markVerified(WorkspaceDir d) {
        Optional<Long> pid = d.readLong(d.pidFile());
        if (pid.isEmpty() || pid.equals(d.readLong(d.sshVerifiedFile()))) return;
        try {
            d.write(d.sshVerifiedFile(), Long.toString(pid.get()));
        } catch (IOException e) {
            LOG.debug("cannot record ssh verification in {}: {}", d.sshVerifiedFile(), e.getMessage());
        }
    }

    /** Reports ssh-ready once per QEMU process, in the background, for the VM launched last. */
    private void ensureWatcher(WorkspaceSpec spec, WorkspaceDir d, ProviderListener listener) {
        Future<?> existing = watchers.get(spec.id());
        if (existing != null && !existing.isDone()) return;
        Optional<Long> pid = d.readLong(d.pidFile());
        if (pid.isPresent() && pid.equals(d.readLong(d.sshReadyReportedFile()))) return; // reported already
        watchers.put(spec.id(), background.submit(() -> {
            boolean mismatchReported = false;
            try {
                while (QemuProcess.find(d).isPresent()) {
                    Optional<Long> port = d.readLong(d.sshPortFile());
                    if (port.isPresent()) {
                        SshEndpoint endpoint =
                                new SshEndpoint("127.0.0.1", port.get().intValue());
                        SshProbe.Result r = probe.probe(
                                endpoint,
                                spec.hostKey().publicKey(),
                                spec.hostCertificate(),
                                settings.sshProbeTimeout());
                        if (r.outcome() == SshProbe.Outcome.MATCH) {
                            markVerified(d);
                            Instant launched = d.readLong(d.launchedAtFile())
                                    .map(Instant::ofEpochMilli)
                                    .orElseGet(clock::instant);
                            Duration took = Duration.between(launched, clock.instant());
                            listener.phaseTiming("ssh-ready", took);
                            Optional<Long> reported = d.readLong(d.pidFile());
                            if (reported.isPresent()) {
                                try {
                                    d.write(d.sshReadyReportedFile(), Long.toString(reported.get()));
                                } catch (IOException e) {
                                    LOG.debug("cannot record ssh-ready in {}: {}", d.path(), e.getMessage());
                                }
                            }
                            listener.event(
                                    "ssh-ready",
                                    "sshd on " + endpoint + " answered with the pinned host key " + took.toMillis()
                                            + " ms after launch");
                            return;
                        }
                        if (r.outcome() == SshProbe.Outcome.MISMATCH && !mismatchReported) {
                            listener.event("host-key-mismatch", r.detail());
                            mismatchReported = true;
                        }
                    }
                    Thread.sleep(1000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("readiness watcher of workspace {} failed: {}", spec.id(), e.toString());
            }
        }));
    }

    /**
     * @return why the VM died, if it crashed: its pidfile outlived the process while the desired
     *     state is RUNNING and the provider did not stop it
     */
    private Optional<String> crashReason(WorkspaceDir d) {
        if (!Files.exists(d.pidFile())
                || d.desired().orElse(PowerState.STOPPED) != PowerState.RUNNING
                || Files.exists(d.cleanShutdownMarker())
                || QemuProcess.find(d).isPresent()
                || SerialLog.endsWithPowerOff(d.serialLog())) {
            return Optional.empty();
        }
        List<String> tail = SerialLog.tail(d.serialLog(), 8);
        String pid = d.read(d.pidFile()).orElse("?");
        return Optional.of("QEMU (pid " + pid + ") exited unexpectedly; last serial console lines: "
                + (tail.isEmpty() ? "(none)" : String.join(" | ", tail)));
    }

    private void validate(WorkspaceSpec spec) {
        if (!spec.settings().isEmpty()) {
            throw new ProviderException(
                    "the qemu provider has no template settings; remove "
                            + new java.util.TreeSet<>(spec.settings().keySet()),
                    true);
        }
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

    private WorkspaceDir dir(WorkspaceSpec spec) {
        return new WorkspaceDir(dataDir.resolve("workspaces").resolve(spec.id()));
    }

    /** Logs the VMs a previous server left running; their state is read from files on demand. */
    private void adoptRunningVms() {
        Path root = dataDir.resolve("workspaces");
        if (!Files.isDirectory(root)) return;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path p : dirs) {
                WorkspaceDir d = new WorkspaceDir(p);
                Optional<ProcessHandle> vm = QemuProcess.find(d);
                if (vm.isEmpty()) continue;
                String status;
                try (QmpClient client = QmpClient.connect(d.qmpSocket(), QMP_TIMEOUT)) {
                    status = client.execute("query-status").path("status").asText();
                } catch (IOException e) {
                    status = "QMP not answering: " + e.getMessage();
                }
                LOG.info(
                        "adopted running VM of workspace {} (pid {}, {})",
                        p.getFileName(),
                        vm.get().pid(),
                        status);
            }
        } catch (IOException e) {
            LOG.warn("cannot scan {} for running VMs: {}", root, e.toString());
        }
    }

    private static void cancel(Future<?> f) {
        if (f != null) f.cancel(true);
    }

    private static String gib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / (double) (1L << 30));
    }
}
