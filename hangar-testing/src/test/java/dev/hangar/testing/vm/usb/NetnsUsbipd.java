package dev.hangar.testing.vm.usb;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * This host's real {@code usbipd} (Debian package {@code usbip}) in a network namespace the test
 * creates, reached from the host namespace over a veth pair with link-local addresses.
 *
 * <p>Why a namespace and not 127.0.0.1: usbip-utils' usbipd has a {@code --tcp-port} option but no
 * bind address ({@code -4} listens on {@code 0.0.0.0}), and tests must not listen beyond loopback.
 * In its own namespace the daemon's 0.0.0.0 is that namespace's loopback plus one veth end, which only
 * this host can reach. The daemon is the namespace's only process ({@code unshare --net} then {@code
 * exec usbipd}), so the namespace and the veth pair disappear with it.
 *
 * <p>The host kernel has no usbip modules, so this usbipd never exports anything: it answers the
 * device list with zero devices, which is exactly what the test checks. Needs root, {@code unshare},
 * {@code ip} and {@code usbipd}; without them {@link #start} skips the test saying what is missing.
 */
final class NetnsUsbipd implements AutoCloseable {
    private final Process process;
    private final String hostInterface;
    private final String address;
    private final int port;
    private final Path log;

    private NetnsUsbipd(Process process, String hostInterface, String address, int port, Path log) {
        this.process = process;
        this.hostInterface = hostInterface;
        this.address = address;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@code usbipd -4 --tcp-port PORT} in a new namespace, with a non-default port to show
     * the option works. Returns once the veth pair is configured; the caller awaits the daemon.
     */
    static NetnsUsbipd start(Path workDir, int port) throws IOException, InterruptedException {
        for (String tool : List.of("usbipd", "unshare", "ip")) {
            Assumptions.assumeTrue(
                    onPath(tool), tool + " is not installed (apt-get install usbip util-linux iproute2)");
        }
        Assumptions.assumeTrue(
                "root".equals(System.getProperty("user.name")), "needs root for a network namespace and veth pair");
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt(), 6);
        String hostIf = "hgt" + id + "h";
        String nsIf = "hgt" + id + "n";
        // link-local (RFC 3927) /30, clear of 169.254.169.x where cloud metadata services live
        int third = ThreadLocalRandom.current().nextInt(1, 169);
        int base = 4 * ThreadLocalRandom.current().nextInt(0, 63);
        String hostAddr = "169.254." + third + "." + (base + 1);
        String nsAddr = "169.254." + third + "." + (base + 2);
        Path log = workDir.resolve("usbipd.log");
        // waits for a line on stdin (the veth end has been moved in), configures it, becomes usbipd
        String script = "read go && ip link set lo up && ip addr add " + nsAddr + "/30 dev " + nsIf + " && ip link set "
                + nsIf + " up && exec usbipd -4 --tcp-port " + port + " --debug";
        Process p = new ProcessBuilder("unshare", "--net", "--", "sh", "-c", script)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        NetnsUsbipd d = new NetnsUsbipd(p, hostIf, nsAddr, port, log);
        try {
            Path own = Files.readSymbolicLink(Path.of("/proc/self/ns/net"));
            Path child = Path.of("/proc", Long.toString(p.pid()), "ns", "net");
            await("network namespace of pid " + p.pid())
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> !Files.readSymbolicLink(child).equals(own));
            PcVm.exec(List.of(
                    "ip",
                    "link",
                    "add",
                    hostIf,
                    "type",
                    "veth",
                    "peer",
                    "name",
                    nsIf,
                    "netns",
                    Long.toString(p.pid())));
            PcVm.exec(List.of("ip", "addr", "add", hostAddr + "/30", "dev", hostIf));
            PcVm.exec(List.of("ip", "link", "set", hostIf, "up"));
            try (OutputStream in = p.getOutputStream()) {
                in.write("go\n".getBytes(StandardCharsets.US_ASCII));
            }
            return d;
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** @return {@code HOST:PORT} for {@code hangar usb list --usbipd} */
    String hostPort() {
        return address + ":" + port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops usbipd (SIGTERM, then SIGKILL) and removes the veth pair if the kernel has not yet. */
    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        new ProcessBuilder("ip", "link", "del", hostInterface)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor(10, TimeUnit.SECONDS);
    }

    private static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }
}
