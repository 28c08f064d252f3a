package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches a workspace's QEMU: reserves its loopback ssh port, builds the command line and starts
 * the detached process (retrying with a new port when another process took it meanwhile).
 *
 * <p>Thread-safe (stateless); calls for one workspace must not overlap.
 */
final class VmLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(VmLauncher.class);
    private static final Duration LAUNCH_TIMEOUT = Duration.ofSeconds(60);
    private static final long SERIAL_LOG_MAX_BYTES = 8L << 20;

    private final QemuSettings settings;
    private final Clock clock;
    private final Path qemuBinary;
    private final AcceleratorChoice accelerator;
    private final VfioHostCheck vfio;
    private volatile Function<String, List<String>> claims = workspaceId -> List.of();

    VmLauncher(QemuSettings settings, Clock clock, Path qemuBinary, AcceleratorChoice accelerator, VfioHostCheck vfio) {
        this.settings = settings;
        this.clock = clock;
        this.qemuBinary = qemuBinary;
        this.accelerator = accelerator;
        this.vfio = vfio;
    }

    /**
     * @param claims workspace id to the PCI addresses claimed for it, asked at every launch from now
     *     on
     */
    void useClaims(Function<String, List<String>> claims) {
        this.claims = java.util.Objects.requireNonNull(claims, "claims");
    }

    /**
     * Starts QEMU for the workspace, detached, booting its disk. A workspace whose template has
     * {@code stop: suspend} ({@link StopMode#of(WorkspaceSpec)}) gets its RAM in a new {@link
     * WorkspaceDir#ramFile()} (ADR 0020); any earlier RAM file is deleted first, so a boot never
     * maps memory a crashed or shut-down VM left. Reports {@code accelerator}, {@code vm-started}
     * and the {@code boot} timing.
     *
     * @throws ProviderException when a socket path is too long or the host cannot pass a claimed PCI
     *     device through ({@link VfioHostCheck}; both permanent) or QEMU exits with an error
     *     (transient; the message holds its output)
     * @throws IOException when the workspace's files cannot be written
     */
    void launch(WorkspaceSpec spec, WorkspaceDir d, BaseImage image, ProviderListener listener) throws IOException {
        Files.deleteIfExists(d.ramFile());
        boolean fileBackedRam = StopMode.of(spec) == StopMode.SUSPEND;
        // Created empty and owner-only here: it will hold the guest's memory, and QEMU would create
        // it 0644 (QEMU opens an existing file and extends it to the memory size, sparse).
        if (fileBackedRam) {
            Files.createFile(
                    d.ramFile(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        launch(spec, d, image, List.of(), fileBackedRam, listener);
    }

    /**
     * Starts QEMU for the workspace, detached, waiting for a migration stream instead of booting
     * ({@link QemuCommandLine#INCOMING_DEFER}). Returns once QEMU daemonised, in run state {@code
     * inmigrate}; {@link VmSuspender#loadAndContinue} then loads the state over QMP. The memory is
     * what it was at the suspend: the existing {@link WorkspaceDir#ramFile()} when there is one
     * (whatever the template says now), else anonymous.
     * Reports what {@link #launch(WorkspaceSpec, WorkspaceDir, BaseImage, ProviderListener)} reports.
     *
     * @throws ProviderException as {@code launch}
     * @throws IOException as {@code launch}
     */
    void resume(WorkspaceSpec spec, WorkspaceDir d, BaseImage image, ProviderListener listener) throws IOException {
        launch(spec, d, image, QemuCommandLine.INCOMING_DEFER, Files.exists(d.ramFile()), listener);
    }

    private void launch(
            WorkspaceSpec spec,
            WorkspaceDir d,
            BaseImage image,
            List<String> extraArgs,
            boolean fileBackedRam,
            ProviderListener listener)
            throws IOException {
        for (Path socket : List.of(d.qmpSocket(), d.consoleSocket())) {
            if (socket.toString().length() > WorkspaceDir.MAX_SOCKET_PATH) {
                throw new ProviderException(
                        "unix socket path " + socket + " is longer than " + WorkspaceDir.MAX_SOCKET_PATH
                                + " bytes; configure a shorter data directory for the qemu provider",
                        true);
            }
        }
        List<String> pci = claims.apply(spec.id());
        vfio.check(spec.name(), pci);
        listener.event("accelerator", accelerator.reason());
        d.deleteRuntimeFiles();
        Files.deleteIfExists(d.cleanShutdownMarker());
        SerialLog.rotate(d.serialLog(), SERIAL_LOG_MAX_BYTES);
        // Written again once QEMU runs; a server killed in between must not find the last boot's.
        Files.deleteIfExists(d.launchedAtFile());
        Instant t0 = clock.instant();
        try {
            launchQemu(spec, d, image, pci, extraArgs, fileBackedRam, listener);
        } finally {
            // QEMU read the secrets into memory while starting: they leave the host disk at once
            GuestSecrets.delete(d.path());
        }
        d.write(d.launchedAtFile(), Long.toString(t0.toEpochMilli()));
        long pid = d.readLong(d.pidFile()).orElse(-1L);
        listener.phaseTiming("boot", Duration.between(t0, clock.instant()));
        listener.event(
                "vm-started",
                "QEMU pid " + pid + " (" + accelerator.accelerator().settingValue() + ", "
                        + spec.resources().cpus() + " CPUs, " + spec.resources().memoryMiB()
                        + " MiB), ssh on 127.0.0.1:"
                        + d.readLong(d.sshPortFile()).orElse(-1L)
                        + (spec.secrets().isEmpty() ? "" : ", " + spec.secrets().size() + " secret(s) via fw_cfg")
                        + (pci.isEmpty() ? "" : ", PCI passthrough of " + String.join(", ", pci)));
    }

    private void launchQemu(
            WorkspaceSpec spec,
            WorkspaceDir d,
            BaseImage image,
            List<String> pci,
            List<String> extraArgs,
            boolean fileBackedRam,
            ProviderListener listener)
            throws IOException {
        // Decided per launch and the same for every attempt: a resume's command line must match.
        UsbipGuestForward.Choice usbipForward =
                UsbipGuestForward.option(Binaries.find("python3"), Binaries.find("socat"), d.usbipSocket());
        for (int attempt = 1; ; attempt++) {
            // written per attempt: a failed attempt's cleanup removes them with the runtime files
            int secrets = GuestSecrets.write(d.path(), spec.secrets());
            int port = reservePort(spec, d, listener);
            List<String> args = new QemuCommandLine(
                            qemuBinary,
                            accelerator.accelerator(),
                            spec.name(),
                            spec.resources().cpus(),
                            spec.resources().memoryMiB(),
                            image.boot(),
                            d.path(),
                            port,
                            settings.restrictNetwork(),
                            LabSegment.of(spec).stream().toList(),
                            secrets)
                    .withPciPassthrough(pci)
                    .withUsbipGuestForward(
                            usbipForward instanceof UsbipGuestForward.Choice.Forward f ? f.netdevOption() : "")
                    .withFileBackedRam(fileBackedRam)
                    .args();
            if (!extraArgs.isEmpty()) {
                args = new java.util.ArrayList<>(args);
                args.addAll(extraArgs);
            }
            int exit = QemuProcess.launch(args, d, LAUNCH_TIMEOUT);
            if (exit == 0) {
                // Tells the gateway (through usbipGuestSocket) that this VM's guest can reach the socket.
                switch (usbipForward) {
                    case UsbipGuestForward.Choice.Forward f -> {
                        d.write(
                                d.usbipGuestForwardFile(),
                                UsbipGuestForward.GUEST_ADDRESS + ":" + UsbipGuestForward.GUEST_PORT);
                        LOG.info("{}: USB/IP guest forward: {}", spec.name(), f.path());
                    }
                    case UsbipGuestForward.Choice.None none ->
                        listener.event("usbip-guestfwd", "none: " + none.reason());
                }
                break;
            }
            String output = d.read(d.startLog()).orElse("").strip();
            d.deleteRuntimeFiles();
            if (output.contains("host forwarding rule") && attempt < 3) {
                // Another process took the port since we checked it: pick a new one.
                Files.deleteIfExists(d.sshPortFile());
                continue;
            }
            throw new ProviderException("QEMU failed to start (exit " + exit + "): " + output, false);
        }
    }

    /**
     * The persisted forwarded port if it is still free (and within {@code ssh-port-range}), else a
     * new free one (persisted).
     *
     * @throws ProviderException (permanent) when no loopback port can be bound, naming the range
     *     and the setting that changes it
     * @throws IOException when the port file cannot be written
     */
    int reservePort(WorkspaceSpec spec, WorkspaceDir d, ProviderListener listener) throws IOException {
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
}
