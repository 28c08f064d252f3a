package dev.hangar.usbip;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The real {@code usbipd} from Debian's {@code usbip} package, in the foreground as a child process,
 * inside a private network namespace reached over a veth pair.
 *
 * <p>Why a namespace: {@code usbipd} (usbip-utils 2.0) has no bind-address option; {@code -4} still
 * listens on {@code 0.0.0.0}. Hangar's rule is to listen on loopback only, so the daemon gets a network
 * namespace of its own ({@code unshare --net}), whose only interfaces are its loopback and one end of a
 * veth pair; the test talks to the other end from the host namespace. The namespace lives exactly as
 * long as the daemon, so the veth pair disappears with it and nothing is left behind.
 *
 * <p>Needs root (network namespaces, veth), {@code unshare}, {@code ip}, {@code nsenter} and {@code
 * usbipd}; when something is missing the calling test is skipped with the reason. The host kernel has
 * no usbip modules, so this daemon can never export a device: it answers with an empty list.
 */
final class UsbipdInNetns implements AutoCloseable {
    private final Process process;
    private final String hostInterface;
    private final String daemonAddress;
    private final Path log;

    private UsbipdInNetns(Process process, String hostInterface, String daemonAddress, Path log) {
        this.process = process;
        this.hostInterface = hostInterface;
        this.daemonAddress = daemonAddress;
        this.log = log;
    }

    /** Starts usbipd on port 3240 inside a fresh namespace, or skips the test saying what is missing. */
    static UsbipdInNetns start(Path workDir) throws IOException, InterruptedException {
        Path usbipd = executable("usbipd")
                .orElseThrow(() -> skip("usbipd is not installed; apt-get install -y --no-install-recommends usbip"));
        Path unshare = executable("unshare").orElseThrow(() -> skip("unshare (util-linux) is not installed"));
        Path ip = executable("ip").orElseThrow(() -> skip("ip (iproute2) is not installed"));
        executable("nsenter").orElseThrow(() -> skip("nsenter (util-linux) is not installed"));
        String uid = run(List.of("id", "-u")).output().strip();
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
                + " && ip link set \"$HG_IF\" up && exec \"$HG_USBIPD\" -4 --tcp-port 3240 -d";
        ProcessBuilder pb = new ProcessBuilder(unshare.toString(), "--net", "--", "sh", "-c", script)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("HG_ADDR", nsAddr);
        pb.environment().put("HG_IF", nsIf);
        pb.environment().put("HG_USBIPD", usbipd.toString());
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        Process process = pb.start();
        UsbipdInNetns daemon = new UsbipdInNetns(process, hostIf, nsAddr, log);
        try {
            String pid = Long.toString(process.pid());
            // unshare has created the namespace before it execs sh; wait until /proc shows it differs
            // the links read "net:[inode]"; they differ once the child is in a new namespace
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
                Result r = run(cmd);
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

    /** Address of usbipd as seen from the host namespace (port 3240). */
    UsbipdAddress address() {
        return new UsbipdAddress(daemonAddress, UsbipProtocol.DEFAULT_PORT);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    String hostInterface() {
        return hostInterface;
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Listening TCP sockets inside the daemon's namespace, as {@code ss -ltnH} prints them. */
    String listeningSocketsInNamespace() throws IOException, InterruptedException {
        return run(List.of("nsenter", "--net=/proc/" + process.pid() + "/ns/net", "ss", "-ltnH"))
                .output();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy(); // SIGTERM: usbipd shuts down cleanly
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // the veth pair vanishes with the namespace; delete explicitly in case the kernel is slow
        run(List.of("ip", "link", "del", hostInterface));
    }

    record Result(int exitCode, String output) {}

    static Result run(List<String> command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish within 30 s");
        }
        return new Result(p.exitValue(), out);
    }

    static Optional<Path> executable(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        return Stream.of(path.split(":"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static RuntimeException skip(String reason) {
        Assumptions.abort(reason);
        return new IllegalStateException("unreachable");
    }
}
