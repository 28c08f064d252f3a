package dev.hangar.provider.qemu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds the {@code qemu-system-x86_64} command line of one workspace VM. Pure: no I/O.
 *
 * <p>The VM: {@code -daemonize} with a {@code -pidfile} (QEMU detaches from the JVM and starts its
 * own session, so a server restart does not stop it); no default devices and no display; the
 * overlay as a virtio disk and the seed ISO as a second, read-only one; user-mode networking whose
 * only inbound path is {@code hostfwd} from {@code 127.0.0.1:<sshPort>} to the guest's port 22; the
 * serial console on a unix socket that also appends to {@code serial.log}; QMP on a unix socket; a
 * virtio RNG so sshd and cloud-init do not wait for entropy. The uplink NIC has QEMU's default MAC
 * {@value #UPLINK_MAC}, stated explicitly because a lab member's network-config matches it. A lab
 * member has a second virtio NIC on its lab segment ({@link LabSegment}). Each host PCI device
 * claimed for the workspace is passed through with {@code -device vfio-pci,host=<address>} (issue
 * #19; {@link VfioHostCheck} says whether the host can).
 *
 * @param qemuBinary the {@code qemu-system-x86_64} executable
 * @param accelerator {@link Accelerator#KVM} or {@link Accelerator#TCG}
 * @param name the workspace name, shown as the VM name by QEMU
 * @param cpus virtual CPUs
 * @param memoryMiB guest memory in MiB
 * @param boot firmware boot or direct kernel boot
 * @param dir the workspace directory (disk, seed, sockets, logs)
 * @param sshPort the loopback port forwarded to the guest's sshd
 * @param restrictNetwork {@code true} for {@code restrict=on}: the guest reaches nothing outside
 * @param labSegments the lab NIC: one element for a lab member, none otherwise
 * @param secrets how many of the owner's secrets {@link GuestSecrets} wrote for this launch; each
 *     becomes a {@code -fw_cfg} entry read by QEMU at start (0: none)
 * @param pciPassthrough the PCI addresses ({@code 0000:01:00.0}) of the host devices to pass
 *     through, in order; none by default, set with {@link #withPciPassthrough}
 * @param usbipGuestForward the USB/IP {@code guestfwd} option appended to the user network ({@link
 *     UsbipGuestForward#option}, starting with a comma); empty for none, the default, set with
 *     {@link #withUsbipGuestForward}
 * @param fileBackedRam {@code true}: the guest's RAM is the shared file {@link WorkspaceDir#ramFile()}
 *     ({@code -object memory-backend-file,...,share=on} as the machine's {@code memory-backend}), so
 *     a suspend saves only device state and a resume maps the file (ADR 0020); {@code false}, the
 *     default: anonymous memory. Set with {@link #withFileBackedRam}
 */
public record QemuCommandLine(
        Path qemuBinary,
        Accelerator accelerator,
        String name,
        int cpus,
        int memoryMiB,
        BaseImage.Boot boot,
        Path dir,
        int sshPort,
        boolean restrictNetwork,
        List<LabSegment> labSegments,
        int secrets,
        List<String> pciPassthrough,
        String usbipGuestForward,
        boolean fileBackedRam) {
    /** The uplink NIC's MAC address (QEMU's default for the first NIC). */
    public static final String UPLINK_MAC = "52:54:00:12:34:56";

    /** The id of the guest RAM's memory backend when {@link #fileBackedRam()}: its RAM block's name in a migration. */
    static final String RAM_BACKEND_ID = "ram0";

    /** A VM on no lab, without secrets. */
    public QemuCommandLine(
            Path qemuBinary,
            Accelerator accelerator,
            String name,
            int cpus,
            int memoryMiB,
            BaseImage.Boot boot,
            Path dir,
            int sshPort,
            boolean restrictNetwork) {
        this(qemuBinary, accelerator, name, cpus, memoryMiB, boot, dir, sshPort, restrictNetwork, List.of(), 0);
    }

    /** A VM without passthrough devices. */
    public QemuCommandLine(
            Path qemuBinary,
            Accelerator accelerator,
            String name,
            int cpus,
            int memoryMiB,
            BaseImage.Boot boot,
            Path dir,
            int sshPort,
            boolean restrictNetwork,
            List<LabSegment> labSegments,
            int secrets) {
        this(
                qemuBinary,
                accelerator,
                name,
                cpus,
                memoryMiB,
                boot,
                dir,
                sshPort,
                restrictNetwork,
                labSegments,
                secrets,
                List.of(),
                "",
                false);
    }

    /**
     * @param addresses PCI addresses in sysfs form, e.g. {@code 0000:01:00.0}
     * @return this command line with exactly these devices passed through
     * @throws IllegalArgumentException for an address not of that form
     */
    public QemuCommandLine withPciPassthrough(List<String> addresses) {
        return new QemuCommandLine(
                qemuBinary,
                accelerator,
                name,
                cpus,
                memoryMiB,
                boot,
                dir,
                sshPort,
                restrictNetwork,
                labSegments,
                secrets,
                addresses,
                usbipGuestForward,
                fileBackedRam);
    }

    /**
     * @param option the {@code guestfwd} option from {@link UsbipGuestForward#option}, starting with
     *     a comma, or empty for none
     * @return this command line with exactly that USB/IP guest forward
     */
    public QemuCommandLine withUsbipGuestForward(String option) {
        return new QemuCommandLine(
                qemuBinary,
                accelerator,
                name,
                cpus,
                memoryMiB,
                boot,
                dir,
                sshPort,
                restrictNetwork,
                labSegments,
                secrets,
                pciPassthrough,
                option,
                fileBackedRam);
    }

    /**
     * @param fileBacked whether the guest's RAM is the file {@link WorkspaceDir#ramFile()}
     * @return this command line with that memory
     */
    public QemuCommandLine withFileBackedRam(boolean fileBacked) {
        return new QemuCommandLine(
                qemuBinary,
                accelerator,
                name,
                cpus,
                memoryMiB,
                boot,
                dir,
                sshPort,
                restrictNetwork,
                labSegments,
                secrets,
                pciPassthrough,
                usbipGuestForward,
                fileBacked);
    }

    public QemuCommandLine {
        labSegments = List.copyOf(labSegments);
        if (labSegments.size() > 1) throw new IllegalArgumentException("at most one lab NIC");
        if (secrets < 0) throw new IllegalArgumentException("secrets must be >= 0");
        pciPassthrough = List.copyOf(pciPassthrough);
        for (String address : pciPassthrough) {
            if (!PciPassthroughRule.ADDRESS.matcher(address).matches())
                throw new IllegalArgumentException("PCI address '" + address + "' is not of the form 0000:01:00.0");
        }
        Objects.requireNonNull(qemuBinary, "qemuBinary");
        Objects.requireNonNull(accelerator, "accelerator");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(boot, "boot");
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(usbipGuestForward, "usbipGuestForward");
        if (!usbipGuestForward.isEmpty() && !usbipGuestForward.startsWith(",guestfwd="))
            throw new IllegalArgumentException("usbipGuestForward must be empty or ',guestfwd=...'");
        if (accelerator == Accelerator.AUTO) throw new IllegalArgumentException("resolve AUTO before building");
    }

    /** @return the argument vector, starting with the binary */
    public List<String> args() {
        WorkspaceDir d = new WorkspaceDir(dir);
        List<String> a = new ArrayList<>(List.of(qemuBinary.toString(), "-name", "hangar-" + name));
        a.addAll(List.of(
                "-machine",
                "q35" + (fileBackedRam ? ",memory-backend=" + RAM_BACKEND_ID : ""),
                "-accel",
                accelerator.settingValue()));
        if (accelerator == Accelerator.KVM) a.addAll(List.of("-cpu", "host"));
        a.addAll(List.of("-smp", Integer.toString(cpus), "-m", memoryMiB + "M"));
        if (fileBackedRam) {
            // share=on: a MAP_SHARED mapping, so the guest's memory is the file's page cache (what the
            // x-ignore-shared migration capability skips) and outlives the QEMU process that wrote it
            a.addAll(List.of(
                    "-object",
                    "memory-backend-file,id=" + RAM_BACKEND_ID + ",size=" + memoryMiB + "M,mem-path="
                            + escape(d.ramFile()) + ",share=on"));
        }
        a.addAll(List.of("-nodefaults", "-no-user-config", "-display", "none"));
        a.addAll(List.of("-daemonize", "-pidfile", d.pidFile().toString()));
        a.addAll(List.of(
                "-drive", "file=" + escape(d.overlay()) + ",format=qcow2,if=virtio,cache=writeback,discard=unmap",
                "-drive", "file=" + escape(d.seed()) + ",format=raw,if=virtio,readonly=on"));
        if (boot instanceof BaseImage.Boot.Kernel k) {
            a.addAll(List.of(
                    "-kernel", k.kernel().toString(), "-initrd", k.initrd().toString(), "-append", k.cmdline()));
        }
        a.addAll(List.of(
                "-netdev",
                "user,id=net0" + (restrictNetwork ? ",restrict=on" : "") + ",hostfwd=tcp:127.0.0.1:" + sshPort + "-:22"
                        + usbipGuestForward,
                "-device",
                "virtio-net-pci,netdev=net0,mac=" + UPLINK_MAC));
        for (LabSegment lab : labSegments) a.addAll(lab.args());
        a.addAll(List.of(
                "-chardev",
                "socket,id=console,path=" + escape(d.consoleSocket()) + ",server=on,wait=off,logfile="
                        + escape(d.serialLog()) + ",logappend=on",
                "-serial",
                "chardev:console"));
        a.addAll(List.of(
                "-chardev",
                "socket,id=qmp,path=" + escape(d.qmpSocket()) + ",server=on,wait=off",
                "-mon",
                "chardev=qmp,mode=control"));
        a.addAll(List.of("-device", "virtio-rng-pci"));
        for (String address : pciPassthrough) a.addAll(List.of("-device", "vfio-pci,host=" + address));
        a.addAll(GuestSecrets.args(dir, secrets));
        return List.copyOf(a);
    }

    /**
     * The extra arguments that make a VM started with {@link #args()} wait for a migration stream
     * instead of booting: {@code -incoming defer}. The stream's URI comes later over QMP ({@code
     * migrate-incoming}, {@link VmSuspender#loadAndContinue}), once the {@code events} capability is
     * on, so the end of the load is an event rather than something to poll for. QEMU 7.2 has no
     * {@code file:} URI; the load reads {@code exec:cat '<state>'}. The VM ends {@code paused} (the
     * state was saved from a stopped VM) until QMP {@code cont}.
     */
    public static final List<String> INCOMING_DEFER = List.of("-incoming", "defer");

    /**
     * @param state the state file, written by {@code migrate} to {@code exec:cat > '<file>'}
     * @return the {@code migrate-incoming} URI that reads it: {@code exec:cat '<state>'}, the path
     *     single-quoted for the shell ({@code exec:} runs the command with {@code /bin/sh -c})
     */
    static String incomingUri(Path state) {
        return "exec:cat " + shellQuote(state);
    }

    /** @return {@code path} as one single-quoted {@code /bin/sh} word */
    static String shellQuote(Path path) {
        return "'" + path.toString().replace("'", "'\\''") + "'";
    }

    /** QEMU option values separate properties with commas; a literal comma is written twice. */
    private static String escape(Path path) {
        return path.toString().replace(",", ",,");
    }
}
