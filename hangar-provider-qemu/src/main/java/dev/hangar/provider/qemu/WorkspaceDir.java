package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.PowerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The files of one workspace, {@code <dataDir>/workspaces/<workspace id>/}. Everything the provider
 * knows about a VM lives here, so a restarted control plane finds running VMs again. Small state
 * files are written atomically (temporary file + rename).
 *
 * @param path the directory
 */
record WorkspaceDir(Path path) {
    /** Linux's {@code sun_path} holds 108 bytes including the terminating NUL (unix(7)). */
    static final int MAX_SOCKET_PATH = 107;

    WorkspaceDir {
        Objects.requireNonNull(path, "path");
        path = path.toAbsolutePath();
    }

    /** The qcow2 overlay: the workspace's persistent disk. */
    Path overlay() {
        return path.resolve("overlay.qcow2");
    }

    /** The NoCloud seed ISO. */
    Path seed() {
        return path.resolve("seed.iso");
    }

    /** QEMU's pidfile ({@code -pidfile}); present while the VM runs or after it died uncleanly. */
    Path pidFile() {
        return path.resolve("qemu.pid");
    }

    /** The QMP control socket (QEMU Machine Protocol). */
    Path qmpSocket() {
        return path.resolve("qmp.sock");
    }

    /** The serial console socket ({@code hangar console} attaches here). */
    Path consoleSocket() {
        return path.resolve("console.sock");
    }

    /** Everything the guest wrote to its serial console, across boots. */
    Path serialLog() {
        return path.resolve("serial.log");
    }

    /** QEMU's own stdout/stderr until it daemonised; holds its start-up errors. */
    Path startLog() {
        return path.resolve("qemu-start.log");
    }

    /**
     * The cloud-init instance-id of the current disk, written by a reset (a new id makes the next boot
     * a first boot); absent until the first reset, when the instance-id is the workspace id.
     */
    Path instanceIdFile() {
        return path.resolve("instance-id");
    }

    /**
     * Present when the current disk's cloud-init instance gets the RTC clock unit and linger at its
     * first boot ({@link dev.hangar.provider.vm.CloudInitUserData.Resume#UNIT}): written before a new
     * overlay is created and after a reset's new instance-id. Absent for a disk whose first boot
     * predates them (a workspace created by an earlier Hangar), whose seed keeps the bootcmd.
     */
    Path rtcClockUnitMarker() {
        return path.resolve("rtc-clock-unit");
    }

    /** The loopback port forwarded to the guest's port 22, kept across stop/start. */
    Path sshPortFile() {
        return path.resolve("ssh-port");
    }

    /** The power state last requested by {@code apply}. */
    Path desiredFile() {
        return path.resolve("desired-state");
    }

    /** Written when the provider itself stopped the VM. */
    Path cleanShutdownMarker() {
        return path.resolve("clean-shutdown");
    }

    /**
     * Written when a crash has been reported as {@link dev.hangar.provider.spi.Observation.Failed}
     * once; the next start relaunches the VM (the reconciler only asks again after a user's start).
     */
    Path crashReportedMarker() {
        return path.resolve("crash-reported");
    }

    /**
     * Holds the pid of the QEMU process whose sshd answered with the pinned host key and a digest of
     * that pin ({@link SshReadiness#verification}), so later observations of the same process and
     * pin report Running without another key exchange with the guest.
     */
    Path sshVerifiedFile() {
        return path.resolve("ssh-verified");
    }

    /**
     * Holds the pid of the QEMU process whose ssh-ready timing was reported, so it is reported once
     * per boot, not again by every later pass or by a restarted server that adopts the VM.
     */
    Path sshReadyReportedFile() {
        return path.resolve("ssh-ready-reported");
    }

    /** Epoch milliseconds of the last launch, for the ssh-ready phase timing. */
    Path launchedAtFile() {
        return path.resolve("launched-at");
    }

    /** Epoch milliseconds at which the current graceful shutdown began. */
    Path powerdownFile() {
        return path.resolve("powerdown-requested-at");
    }

    /**
     * The saved memory and device state of a suspended VM (a QEMU migration stream), matching the
     * overlay as it was at the suspend. Present only when complete: {@link VmSuspender} writes
     * {@link #statePartialFile()} and renames it here once QEMU reported the migration completed.
     */
    Path stateFile() {
        return path.resolve("vm.state");
    }

    /** The state file while QEMU writes it; never trusted by a start, removed by the next suspend. */
    Path statePartialFile() {
        return path.resolve("vm.state.partial");
    }

    /**
     * The state file while a resume loads it: renamed from {@link #stateFile()} before the launch, so
     * a state whose VM ran again (and changed the disk) is never loaded a second time.
     */
    Path stateResumingFile() {
        return path.resolve("vm.state.resuming");
    }

    /**
     * The guest's RAM of a VM launched with file-backed memory ({@link QemuCommandLine#fileBackedRam()},
     * ADR 0020): a sparse file of the guest's memory size, mapped shared by QEMU. Present while such a
     * VM runs and while it is suspended; its contents count only together with a complete {@link
     * #stateFile()} (the commit point), so after a crash it is stale and the next cold boot replaces
     * it. Removed by a cold stop, a reset, a failed resume and delete.
     */
    Path ramFile() {
        return path.resolve("vm.ram");
    }

    /** {@code SUSPEND} when {@code hangar stop --suspend} asked that the next stop suspend the VM. */
    Path stopModeFile() {
        return path.resolve("stop-mode");
    }

    /**
     * The unix socket the guest's USB/IP forward connects to ({@link UsbipGuestForward}); the
     * gateway listens on it while an owner's {@code hangar usb attach} holds the forward (ADR 0019).
     */
    Path usbipSocket() {
        return path.resolve("usbip.sock");
    }

    /** Written at a launch whose command line has the USB/IP guestfwd; holds its guest address. */
    Path usbipGuestForwardFile() {
        return path.resolve("usbip-guestfwd");
    }

    /** @return the runtime files a stopped VM must not leave behind */
    List<Path> runtimeFiles() {
        return List.of(
                pidFile(),
                qmpSocket(),
                consoleSocket(),
                powerdownFile(),
                sshReadyReportedFile(),
                usbipSocket(),
                usbipGuestForwardFile());
    }

    boolean exists() {
        return Files.isDirectory(path);
    }

    Optional<PowerState> desired() {
        return read(desiredFile()).map(PowerState::valueOf);
    }

    Optional<Long> readLong(Path file) {
        return read(file).flatMap(s -> {
            try {
                return Optional.of(Long.parseLong(s));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    Optional<String> read(Path file) {
        try {
            return Files.isRegularFile(file)
                    ? Optional.of(Files.readString(file).strip())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    void write(Path file, String value) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, value + "\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    void deleteRuntimeFiles() throws IOException {
        for (Path p : runtimeFiles()) Files.deleteIfExists(p);
        GuestSecrets.delete(path); // normally gone right after the launch; never left past a stop
    }
}
