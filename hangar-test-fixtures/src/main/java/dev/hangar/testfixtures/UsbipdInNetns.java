package dev.hangar.testfixtures;

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
 * The real {@code usbipd} from Debian's {@code usbip} package, in the foreground as a child process,
 * inside a private network namespace reached over a veth pair with link-local addresses.
 *
 * <p>Why a namespace: {@code usbipd} (usbip-utils 2.0) has a {@code --tcp-port} option but no
 * bind-address option; {@code -4} still listens on {@code 0.0.0.0}. Hangar's rule is to listen on
 * loopback only, so the daemon gets a network namespace of its own ({@code unshare --net}), whose only
 * interfaces are its loopback and one end of a veth pair; the test talks to the other end from the host
 * namespace. The daemon is the namespace's only process, so the namespace and the veth pair disappear
 * with it and nothing is left behind.
 *
 * <p>Needs root (network namespaces, veth), {@code unshare}, {@code ip}, {@code nsenter} and {@code
 * usbipd}; when something is missing the calling test is skipped (JUnit assumption) with the reason.
 * The host kernel has no usbip modules, so this daemon can never export a device: it answers the device
 * list with zero devices. Not thread-safe; one instance per test.
 */
public final class UsbipdInNetns implements AutoCloseable {
    /** usbipd's default TCP port (usbip_network.h). */
    public static final int DEFAULT_PORT = 3240;

    private final Process process;
    private final String hostInterface;
    private final String daemonAddress;
    private final int port;
    private final Path log;

    private UsbipdInNetns(Process process, String hostInterface, String daemonAddress, int port, Path log) {
        this.process = process;
        this.hostInterface = hostInterface;
        this.daemonAddress = daemonAddress;
        this.port = port;
        this.log = log;
    }

    /** {@link #start(Path, int)} on the default port 3240. */
    public static UsbipdInNetns start(Path workDir) throws IOException, InterruptedException {
        return start(workDir, DEFAULT_PORT);
    }

    /**
     * Starts {@code usbipd -4 --tcp-port PORT -d} inside a fresh namespace, logging to {@code
     * workDir/usbipd.log}. Returns once the veth pair is configured and the daemon was told to start;
     * callers await its answer themselves.
     *
     * @param port the TCP port inside the namespace (1-65535; the namespace is private, so any port is free)
     * @throws org.opentest4j.TestAbortedException (skips the test) when a tool, root or veth support is missing
     */
    public static UsbipdInNetns start(Path workDir, int port) throws IOException, InterruptedException {
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        Path usbipd = HostCommands.executable("usbipd")
                .orElseThrow(() -> skip("usbipd is not installed; apt-get install -y --no-install-recommends usbip"));
        Path unshare =
                HostCommands.executable("unshare").orElseThrow(() -> skip("unshare (util-linux) is not installed"));
        Path ip = HostCommands.executable("ip").orElseThrow(() -> skip("ip (iproute2) is not installed"));
        HostCommands.executable("nsenter").orElseThrow(() -> skip("nsenter (util-linux) is not installed"));
        String uid = HostCommands.run(List.of("id", "-u")).output().strip();
        Assumptions.assumeTrue(
                uid.equals("0"), "needs root to create a network namespace and a veth pair (uid is " + uid + ")");

        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt(), 6);
        String hostIf = "hgu" + id + "h";
        String nsIf = "hgu" + id + "n";
        // link-local /30 (RFC 3927), avoiding 169.254.169.x where cloud metadata services live
        int third = ThreadLocalRandom.current().nextInt(1, 169);
        int base = 4 * ThreadLocalRandom.current().nextInt(0, 63);
        String hostAddr = "169.254." + third + "." + (base + 1);
        String nsAddr = "169.254." + third + "." + (base + 2);

        Path log = workDir.resolve("usbipd.log");
        // The script waits for one line on stdin, i.e. until the test has moved the veth end into the
        // namespace, then configures it and replaces itself with usbipd (same pid, so the namespace
        // dies with the daemon).
        String script = "read go && ip link set lo up && ip addr add \"$HG_ADDR\"/30 dev \"$HG_IF\""
                + " && ip link set \"$HG_IF\" up && exec \"$HG_USBIPD\" -4 --tcp-port \"$HG_PORT\" -d";
        ProcessBuilder pb = new ProcessBuilder(unshare.toString(), "--net", "--", "sh", "-c", script)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("HG_ADDR", nsAddr);
        pb.environment().put("HG_IF", nsIf);
        pb.environment().put("HG_PORT", Integer.toString(port));
        pb.environment().put("HG_USBIPD", usbipd.toString());
        pb.environment().put("PATH", HostCommands.PATH);
        Process process = pb.start();
        UsbipdInNetns daemon = new UsbipdInNetns(process, hostIf, nsAddr, port, log);
        try {
            String pid = Long.toString(process.pid());
            // unshare has created the namespace before it execs sh; the links read "net:[inode]" and
            // differ once the child is in a new namespace
            Path ownNs = Files.readSymbolicLink(Path.of("/proc/self/ns/net"));
            await("network namespace of pid " + pid)
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> !Files.readSymbolicLink(Path.of("/proc", pid, "ns", "net"))
                            .equals(ownNs));
            for (List<String> cmd : List.of(
                    List.of(ip.toString(), "link", "add", hostIf, "type", "veth", "peer", "name", nsIf, "netns", pid),
                    List.of(ip.toString(), "addr", "add", hostAddr + "/30", "dev", hostIf),
                    List.of(ip.toString(), "link", "set", hostIf, "up"))) {
                HostCommands.Result r = HostCommands.run(cmd);
                if (r.exitCode() != 0) {
                    throw skip(String.join(" ", cmd) + " failed (" + r.output().strip() + "); this machine cannot"
                            + " create veth pairs");
                }
            }
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write("go\n".getBytes(StandardCharsets.US_ASCII));
            }
            return daemon;
        } catch (RuntimeException | IOException | InterruptedException e) {
            daemon.close();
            throw e;
        }
    }

    /** @return the daemon's address as seen from the host namespace (a link-local IPv4 address) */
    public String host() {
        return daemonAddress;
    }

    /** @return the daemon's TCP port */
    public int port() {
        return port;
    }

    /** @return {@code HOST:PORT}, as {@code hangar usb list --usbipd} takes it */
    public String hostPort() {
        return daemonAddress + ":" + port;
    }

    /** @return whether the daemon process still runs */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** @return the daemon's pid (also the namespace's only process) */
    public long pid() {
        return process.pid();
    }

    /** @return the host-side veth interface's name */
    public String hostInterface() {
        return hostInterface;
    }

    /** @return what the daemon logged so far, read now */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** @return listening TCP sockets inside the daemon's namespace, as {@code ss -ltnH} prints them */
    public String listeningSocketsInNamespace() throws IOException, InterruptedException {
        return HostCommands.run(List.of("nsenter", "--net=/proc/" + process.pid() + "/ns/net", "ss", "-ltnH"))
                .output();
    }

    /** Stops usbipd (SIGTERM, then SIGKILL) and removes the veth pair if the kernel has not yet. Idempotent. */
    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy(); // SIGTERM: usbipd shuts down cleanly
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // the veth pair vanishes with the namespace; delete explicitly in case the kernel is slow
        HostCommands.run(List.of("ip", "link", "del", hostInterface));
    }

    private static RuntimeException skip(String reason) {
        Assumptions.abort(reason);
        return new IllegalStateException("unreachable");
    }
}
