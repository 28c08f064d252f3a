package dev.hangar.testing.vm.usb;

import dev.hangar.core.service.HostCertificateAuthority;
import dev.hangar.nocloud.NoCloudSeed;
import dev.hangar.provider.qemu.Accelerator;
import dev.hangar.provider.qemu.BaseImage;
import dev.hangar.provider.qemu.QemuCommandLine;
import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.vm.CloudInitUserData;
import dev.hangar.testfixtures.GuestSsh;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The developer's "PC" of the USB/IP end-to-end test and benchmark: a real QEMU guest (the cached
 * Debian 12 test image, direct kernel boot, {@code -accel tcg}) with an emulated USB mass-storage
 * device ({@code -device qemu-xhci -device usb-storage}, which QEMU announces as VID:PID {@value
 * #VID_PID}) backed by a raw file the test fills, so reads on the importing side can be checked
 * byte for byte. The guest kernel has {@code usbip-host}; the image has usbipd.
 *
 * <p>Built from the qemu provider's own pieces: {@link CloudInitUserData} renders the seed (user
 * {@code pc} with the test's key and passwordless sudo, a pinned ed25519 host key, {@code modprobe
 * usbip-host} in runcmd), {@link NoCloudSeed} writes it, {@link QemuCommandLine} gives the VM's
 * command line (daemonized, pidfile, serial log, user networking with {@code restrict=on}), to which
 * this class adds a second {@code hostfwd} from 127.0.0.1 to the guest's usbipd port 3240 and the USB
 * devices. Both forwards listen on the host's loopback only; usbipd binds 0.0.0.0 inside the guest,
 * whose only inbound path is that forward.
 *
 * <p>Lifecycle: {@link #launch} returns once QEMU has daemonized (the guest still boots), so two VMs
 * can boot in parallel; {@link #awaitReady} waits for ssh and the module; {@link #export} starts
 * usbipd and binds the device; {@link #close} kills QEMU (idempotent). Not thread-safe.
 */
final class PcVm implements AutoCloseable {
    /** QEMU's usb-storage device: vendor 0x46f4 (QEMU), product 0x0001 (QEMU USB HARDDRIVE). */
    static final String VID_PID = "46f4:0001";

    /** The usbipd port inside the guest (IANA "usbip"). */
    static final int USBIPD_PORT = 3240;

    private static final Pattern BUSID = Pattern.compile("^ - busid (\\S+) \\(46f4:0001\\)", Pattern.MULTILINE);

    private final Path dir;
    private final GuestSsh ssh;
    private final int usbipPort;

    private PcVm(Path dir, GuestSsh ssh, int usbipPort) {
        this.dir = dir;
        this.ssh = ssh;
        this.usbipPort = usbipPort;
    }

    /**
     * Starts the VM and returns at once (the guest boots in the background).
     *
     * @param image a test image directory ({@code vmlinuz}, {@code initrd.img}, {@code root.raw},
     *     {@code cmdline}) from {@code tools/test-image/build.sh}
     * @param dir an empty directory for the VM's files; its path must be short (QEMU's unix socket
     *     paths under it are limited to 108 bytes)
     * @param clientKey the test's private key; {@code clientKey + ".pub"} is authorised for user pc
     * @param usbDisk the raw file behind the emulated USB disk (its size is the device's size)
     * @throws IOException if a file cannot be written or QEMU does not start (its output is in the
     *     message)
     */
    static PcVm launch(Path image, Path dir, Path clientKey, Path usbDisk) throws IOException, InterruptedException {
        Path hostKey = dir.resolve("host_ed25519");
        exec(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "usb-pc", "-f", hostKey.toString()));
        String hostPublic = publicKeyWithoutComment(Path.of(hostKey + ".pub"));
        WorkspaceSpec spec = new WorkspaceSpec(
                UUID.randomUUID().toString(),
                "usb-pc",
                "pc",
                "usb-pc",
                new Resources(1, 1024, 4),
                "test-debian",
                "pc",
                List.of(Files.readString(Path.of(clientKey + ".pub")).strip()),
                new SshHostKey("ssh-ed25519", Files.readString(hostKey), hostPublic),
                HostCertificateAuthority.generate()
                        .certify(hostPublic, HostCertificateAuthority.principals("pc", "usb-pc"), "usb-pc"),
                new CloudInitConfig(List.of(), List.of("modprobe usbip-host"), ""),
                Map.of());
        NoCloudSeed.write(dir.resolve("seed.iso"), CloudInitUserData.metaData(spec), CloudInitUserData.render(spec));
        dev.hangar.testing.QcowOverlays.create(image.resolve("root.raw"), "raw", dir.resolve("overlay.qcow2"));

        int sshPort = freeLoopbackPort();
        int usbipPort = freeLoopbackPort();
        BaseImage.Boot boot = new BaseImage.Boot.Kernel(
                image.resolve("vmlinuz"),
                image.resolve("initrd.img"),
                Files.readString(image.resolve("cmdline")).strip());
        List<String> args = new ArrayList<>();
        for (String a : new QemuCommandLine(
                        Path.of("qemu-system-x86_64"), Accelerator.TCG, "usb-pc", 1, 1024, boot, dir, sshPort, true)
                .args()) {
            // the provider forwards only ssh; the PC also forwards usbipd, to loopback as well
            args.add(a.startsWith("user,id=net0") ? a + ",hostfwd=tcp:127.0.0.1:" + usbipPort + "-:" + USBIPD_PORT : a);
        }
        args.addAll(List.of(
                "-device",
                "qemu-xhci,id=xhci",
                "-drive",
                "if=none,id=usbdisk,format=raw,file=" + usbDisk.toString().replace(",", ",,"),
                "-device",
                "usb-storage,bus=xhci.0,drive=usbdisk"));
        exec(args); // -daemonize: returns once the VM runs, with the pid in qemu.pid
        GuestSsh ssh = GuestSsh.pinned(sshPort, "pc", clientKey, dir.resolve("known_hosts"), hostPublic);
        return new PcVm(dir, ssh, usbipPort);
    }

    /** Waits until the user can log in and {@code usbip-host} is loaded (cloud-init's runcmd ran). */
    void awaitReady(Duration atMost) {
        ssh.awaitSuccess("test -d /sys/module/usbip_host", atMost, this::isAlive);
    }

    /**
     * Starts usbipd in the guest and binds the QEMU usb-storage device to usbip-host.
     *
     * @return the device's bus id as {@code usbip list -l} shows it, e.g. {@code 1-1}
     */
    String export() throws IOException, InterruptedException {
        String local = ssh.check("sudo usbip list -l");
        Matcher m = BUSID.matcher(local);
        if (!m.find()) throw new AssertionError("no " + VID_PID + " device in the PC VM; usbip list -l:\n" + local);
        String busId = m.group(1);
        ssh.check("sudo usbipd -D && sudo usbip bind -b " + busId);
        return busId;
    }

    /** @return the host's 127.0.0.1 port forwarded to the guest's usbipd (3240) */
    int usbipPort() {
        return usbipPort;
    }

    GuestSsh ssh() {
        return ssh;
    }

    /** @return the last lines of the guest's serial console, for failure messages */
    String serialTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("serial.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no serial log: " + e.getMessage() + ")";
        }
    }

    boolean isAlive() {
        return qemu().map(ProcessHandle::isAlive).orElse(false);
    }

    /** Kills QEMU (SIGKILL: the PC's disk is throw-away) and waits until it is gone. Idempotent. */
    @Override
    public void close() {
        qemu().ifPresent(h -> {
            h.destroyForcibly();
            h.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> h).join();
        });
    }

    private Optional<ProcessHandle> qemu() {
        try {
            long pid = Long.parseLong(Files.readString(dir.resolve("qemu.pid")).strip());
            // the pid file may outlive the process and the pid be reused: check it is this VM's QEMU
            return ProcessHandle.of(pid)
                    .filter(h -> h.info().commandLine().orElse("").contains(dir.toString()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    static String publicKeyWithoutComment(Path pub) throws IOException {
        String[] parts = Files.readString(pub).strip().split("\\s+");
        return parts[0] + " " + parts[1];
    }

    /** Runs a local command, fails with its output unless it exits 0 within a minute. */
    static void exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(cmd.getFirst() + " did not finish within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out.strip());
        }
    }
}
