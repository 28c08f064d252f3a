package dev.hangar.gateway.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.OperatingSystemMXBean;
import dev.hangar.gateway.KeyPairFiles;
import dev.hangar.gateway.LoopbackGateway;
import dev.hangar.gateway.MapDirectory;
import dev.hangar.gateway.RecordingAudit;
import dev.hangar.gateway.SshGateway;
import dev.hangar.gateway.WorkspaceTarget;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (not matched by Surefire's default includes): the host side of the USB/IP
 * gateway tunnel (ADR 0019) without VMs. A "guest" TCP connection whose other end python3 passes
 * to the gateway over the VM's socket ({@code SCM_RIGHTS}, as the guest forward does), the gateway's
 * {@code forwarded-tcpip} channel on the real OpenSSH client's {@code ssh -N -R dev.usbip:3240:...}
 * session, and a usbipd stand-in that answers each request with a reply of USB/IP's sizes for one
 * 4 KiB usb-storage read (CBW 48+31 -> 48, data 48 -> 48+4096, CSW 48 -> 48+13 bytes). The same
 * exchanges straight to the stand-in are the baseline, interleaved in rounds. Prints the median, p90
 * and p99 round trip per message, the ratio, and the CPU each message costs the gateway's JVM (this
 * process, minus the baseline's) and the ssh process. Asserts only that replies arrive whole.
 *
 * <pre>
 * ./mvnw -B -o -q -pl hangar-gateway -am test -Dtest=UsbipForwardBench -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dbench.messages=20000 -Dbench.rounds=3 -Dbench.burn=2
 * </pre>
 *
 * {@code bench.burn} starts that many busy-looping processes for the timed part, standing in for the
 * two TCG vCPUs that keep both cores busy in bench/usb (each hop then waits for a core). Output:
 * hangar-gateway/target/surefire-reports/dev.hangar.gateway.bench.UsbipForwardBench-output.txt.
 */
class UsbipForwardBench {
    private static final Duration T = Duration.ofSeconds(60);
    /** Request and reply sizes of the three USB/IP exchanges of one 4 KiB usb-storage read. */
    private static final int[][] EXCHANGES = {{48 + 31, 48}, {48, 48 + 4096}, {48, 48 + 13}};

    @TempDir
    Path tmp;

    @Test
    void run() throws Exception {
        int messages = Integer.getInteger("bench.messages", 20_000);
        int rounds = Integer.getInteger("bench.rounds", 3);
        int burn = Integer.getInteger("bench.burn", 0);
        String me = System.getProperty("user.name");
        KeyPairFiles key = KeyPairFiles.generate(tmp, "me");
        Path vm = Files.createDirectories(tmp.resolve("vm"));
        Files.setPosixFilePermissions(vm, PosixFilePermissions.fromString("rwx------"));
        Path socket = vm.resolve("usbip.sock");
        try (ServerSocket usbipd = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
                SshGateway gw = LoopbackGateway.start(
                        tmp.resolve("gw"),
                        new MapDirectory()
                                .key(me, key.publicLine())
                                .workspace("dev", new WorkspaceTarget.Reachable("id-dev", me, "127.0.0.1", 22))
                                .usbipSocket("id-dev", socket),
                        new RecordingAudit())) {
            Thread.ofPlatform().daemon().start(() -> serveUsbipd(usbipd));
            Path config = LoopbackGateway.userConfig(gw, tmp.resolve("home"), me, key.privateKey(), List.of());
            ProcessBuilder pb = new ProcessBuilder(
                            LoopbackGateway.usbipForward(config, "dev.usbip:3240", usbipd.getLocalPort()))
                    .redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("ssh.log").toFile());
            pb.environment().remove("SSH_AUTH_SOCK");
            Process ssh = pb.start();
            List<Process> burners = new ArrayList<>();
            try {
                await().atMost(T).until(() -> Files.exists(socket));
                System.out.println("== USB/IP exchanges (one 4 KiB read = 3 messages), " + messages
                        + " messages per path and round, " + rounds + " rounds, " + burn + " busy processes, "
                        + sshVersion() + " ==");
                try (Socket direct = new Socket(InetAddress.getLoopbackAddress(), usbipd.getLocalPort());
                        Socket tunnel = passedToGateway(socket)) {
                    direct.setTcpNoDelay(true);
                    tunnel.setTcpNoDelay(true);
                    exchange(direct, 2_000); // warm-up: the JIT and both paths' buffers
                    exchange(tunnel, 20_000);
                    for (int i = 0; i < burn; i++)
                        burners.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
                    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                    List<Long> d = new ArrayList<>();
                    List<Long> g = new ArrayList<>();
                    long jvmDirect = 0, jvmTunnel = 0, sshTunnel = 0;
                    for (int r = 0; r < rounds; r++) {
                        long c0 = os.getProcessCpuTime();
                        d.addAll(exchange(direct, messages));
                        long c1 = os.getProcessCpuTime();
                        long s0 = cpuNanos(ssh.pid());
                        g.addAll(exchange(tunnel, messages));
                        jvmTunnel += os.getProcessCpuTime() - c1;
                        sshTunnel += cpuNanos(ssh.pid()) - s0;
                        jvmDirect += c1 - c0;
                    }
                    long n = d.size();
                    print("direct", d);
                    print("gateway tunnel", g);
                    System.out.printf(
                            "ratio gateway/direct: median %.2f  p90 %.2f  p99 %.2f; added per message (median): %.1f us%n",
                            pct(g, 50) / pct(d, 50),
                            pct(g, 90) / pct(d, 90),
                            pct(g, 99) / pct(d, 99),
                            (pct(g, 50) - pct(d, 50)) / 1e3);
                    System.out.printf(
                            "CPU per message: this JVM direct %.1f us, tunnel %.1f us (gateway's share %.1f us); ssh %.1f us%n",
                            jvmDirect / 1e3 / n,
                            jvmTunnel / 1e3 / n,
                            (jvmTunnel - jvmDirect) / 1e3 / n,
                            sshTunnel / 1e3 / n);
                }
            } finally {
                burners.forEach(Process::destroyForcibly);
                ssh.destroy();
                ssh.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A guest connection as the python3 guest forward brings it: its peer end passed, the sender gone. */
    private static Socket passedToGateway(Path socket) throws Exception {
        try (ServerSocket slirp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process pass = new ProcessBuilder(
                            "python3",
                            "-I",
                            "-S",
                            "-c",
                            "import socket,sys;s=socket.create_connection(('127.0.0.1',int(sys.argv[2])));"
                                    + "u=socket.socket(socket.AF_UNIX);u.connect(sys.argv[1]);"
                                    + "socket.send_fds(u,[b'F'],[s.fileno()])",
                            socket.toString(),
                            Integer.toString(slirp.getLocalPort()))
                    .redirectErrorStream(true)
                    .start();
            Socket guest = slirp.accept();
            assertThat(pass.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(pass.exitValue()).isZero();
            return guest;
        }
    }

    /**
     * {@code n} request/reply exchanges in USB/IP's pattern, rounded up to whole reads (the stand-in
     * keeps the pattern per connection); the round trip of each in ns.
     */
    private static List<Long> exchange(Socket s, int n) throws IOException {
        n = (n + EXCHANGES.length - 1) / EXCHANGES.length * EXCHANGES.length;
        OutputStream out = s.getOutputStream();
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] buf = new byte[8192];
        List<Long> times = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int[] x = EXCHANGES[i % EXCHANGES.length];
            long t0 = System.nanoTime();
            out.write(buf, 0, x[0]);
            in.readFully(buf, 0, x[1]);
            times.add(System.nanoTime() - t0);
        }
        return times;
    }

    /** The usbipd stand-in: per connection, reads each request whole and answers it in one write. */
    private static void serveUsbipd(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                Thread.ofPlatform().daemon().start(() -> {
                    try (s;
                            InputStream in0 = s.getInputStream();
                            OutputStream out = s.getOutputStream()) {
                        DataInputStream in = new DataInputStream(in0);
                        byte[] buf = new byte[8192];
                        for (long i = 0; ; i++) {
                            int[] x = EXCHANGES[(int) (i % EXCHANGES.length)];
                            in.readFully(buf, 0, x[0]);
                            out.write(buf, 0, x[1]);
                        }
                    } catch (IOException ended) {
                        // the connection closed
                    }
                });
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** utime + stime of a process from /proc (clock ticks of 10 ms), in ns. */
    private static long cpuNanos(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    }

    private static double pct(List<Long> t, int p) {
        long[] s = t.stream().mapToLong(Long::longValue).sorted().toArray();
        return s[Math.min(s.length - 1, (int) ((long) s.length * p / 100))];
    }

    private static void print(String name, List<Long> t) {
        System.out.printf(
                "%-15s median %7.1f us  p90 %7.1f us  p99 %7.1f us  mean %7.1f us%n",
                name,
                pct(t, 50) / 1e3,
                pct(t, 90) / 1e3,
                pct(t, 99) / 1e3,
                Arrays.stream(t.stream().mapToLong(Long::longValue).toArray())
                                .average()
                                .orElse(0)
                        / 1e3);
    }

    private static String sshVersion() {
        try {
            Process p =
                    new ProcessBuilder("ssh", "-V").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            return v;
        } catch (IOException | InterruptedException e) {
            return "ssh -V failed: " + e;
        }
    }
}
