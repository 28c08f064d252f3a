package dev.hangar.gateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.cli.sshconfig.GatewayHost;
import dev.hangar.cli.sshconfig.SshConfigInput;
import dev.hangar.cli.sshconfig.SshConfigWriter;
import dev.hangar.cli.sshconfig.WorkspaceHostKey;
import dev.hangar.gateway.KeyPairFiles;
import dev.hangar.gateway.LoopbackGateway;
import dev.hangar.gateway.MapDirectory;
import dev.hangar.gateway.Proc;
import dev.hangar.gateway.RecordingAudit;
import dev.hangar.gateway.SshGateway;
import dev.hangar.gateway.WorkspaceTarget;
import dev.hangar.testfixtures.OpenSshd;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (not matched by Surefire's default includes): connection setup time, stream
 * throughput and scp throughput to a real sshd "workspace" through (1) the Hangar gateway, (2) an
 * OpenSSH sshd used as the jump host, and (3) directly (the baseline), all in the same run, with the
 * real OpenSSH client. Prints figures; asserts only that copies are intact and streams complete.
 *
 * <p>The stream part is {@code ssh HOST 'head -c N /dev/zero' | wc -c} (download) and {@code head -c
 * N /dev/zero | ssh HOST 'wc -c'} (upload): no disk on either side, so it measures the SSH path
 * alone; each route {@code bench.stream.rounds} times, interleaved, median reported, with and
 * without that route's median connection setup.
 *
 * <pre>
 * ./mvnw -B -q -pl hangar-gateway -am test -Dtest=GatewayBench -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dbench.size.mib=1024 -Dbench.connects=20 -Dbench.stream.mib=512 -Dbench.stream.rounds=3
 * </pre>
 *
 * {@code -Dbench.size.mib=0} skips scp; {@code -Dbench.stream.mib=0} skips the streams; {@code
 * -Dbench.pingpong.count=0} skips the 4 KiB ping-pong (default 1000 exchanges per route and round,
 * {@code bench.stream.rounds} rounds).
 * {@code bench/gateway/throughput.sh} runs it and prints the output file.
 *
 * Output goes to hangar-gateway/target/surefire-reports/dev.hangar.gateway.bench.GatewayBench-output.txt.
 */
class GatewayBench {
    private static final Duration T = Duration.ofMinutes(10);
    /** One USB/IP-sized read (a 4 KiB block) per exchange. */
    private static final int PING_BYTES = 4096;

    private static final int PING_WARMUP = 500;

    @TempDir
    Path tmp;

    @Test
    void run() throws IOException {
        int sizeMib = Integer.getInteger("bench.size.mib", 256);
        int connects = Integer.getInteger("bench.connects", 20);
        String me = System.getProperty("user.name");
        KeyPairFiles key = KeyPairFiles.generate(tmp, "me");
        try (OpenSshd ws = OpenSshd.start(tmp.resolve("ws"), List.of(key.publicLine()));
                OpenSshd jump = OpenSshd.start(tmp.resolve("jump"), List.of(key.publicLine()));
                SshGateway gw = LoopbackGateway.start(
                        tmp.resolve("gw"),
                        new MapDirectory()
                                .key(me, key.publicLine())
                                .workspace("dev", new WorkspaceTarget.Reachable("id-dev", me, "127.0.0.1", ws.port())),
                        new RecordingAudit())) {
            SshConfigWriter writer = new SshConfigWriter(tmp.resolve("home"));
            writer.apply(new SshConfigInput(
                    new GatewayHost("127.0.0.1", gw.port(), gw.hostKeyLine()),
                    me,
                    key.privateKey(),
                    List.of(new WorkspaceHostKey("dev", ws.hostKeyLine()))));
            String ciphers = System.getProperty("bench.gateway.ciphers", "");
            if (!ciphers.isEmpty()) {
                // experiment: the cipher of the outer (client to gateway) hop only
                Files.writeString(
                        writer.hangarConfig(),
                        Files.readString(writer.hangarConfig())
                                .replace("Host hangar-gateway\n", "Host hangar-gateway\n  Ciphers " + ciphers + "\n"));
            }
            // The comparison routes, appended to the generated config: same key, same known_hosts
            // entry for the workspace (HostKeyAlias), OpenSSH's sshd as jump host, or no jump at all.
            Files.writeString(
                    writer.knownHosts(),
                    "[127.0.0.1]:" + jump.port() + " " + jump.hostKeyLine() + "\n",
                    java.nio.file.StandardOpenOption.APPEND);
            Files.writeString(
                    writer.hangarConfig(),
                    "\nHost openssh-jump\n  HostName 127.0.0.1\n  Port " + jump.port() + "\n  User " + me
                            + "\n  IdentityFile " + key.privateKey() + "\n  IdentitiesOnly yes\n  UserKnownHostsFile "
                            + writer.knownHosts() + "\n  StrictHostKeyChecking yes\n"
                            + "\nHost ws-via-openssh ws-direct\n  HostName 127.0.0.1\n  Port " + ws.port()
                            + "\n  HostKeyAlias dev.hangar\n  User " + me + "\n  IdentityFile " + key.privateKey()
                            + "\n  IdentitiesOnly yes\n  UserKnownHostsFile " + writer.knownHosts()
                            + "\n  StrictHostKeyChecking yes\n"
                            + "\nHost ws-via-openssh\n  ProxyJump openssh-jump\n",
                    java.nio.file.StandardOpenOption.APPEND);
            Path config = writer.userConfig();
            Map<String, String> routes =
                    Map.of("hangar gateway", "dev.hangar", "openssh jump", "ws-via-openssh", "direct", "ws-direct");
            List<String> order = List.of("hangar gateway", "openssh jump", "direct");

            System.out.println("== connection setup: ssh <host> true, " + connects + " runs each, interleaved ==");
            Map<String, List<Long>> times = Map.of(
                    "hangar gateway",
                    new ArrayList<>(),
                    "openssh jump",
                    new ArrayList<>(),
                    "direct",
                    new ArrayList<>());
            for (String r : order) sshTrue(config, routes.get(r)); // warm-up
            for (int i = 0; i < connects; i++) {
                for (String r : order) times.get(r).add(sshTrue(config, routes.get(r)));
            }
            for (String r : order) {
                long[] t = times.get(r).stream()
                        .mapToLong(Long::longValue)
                        .sorted()
                        .toArray();
                System.out.printf(
                        "%-15s median %6.1f ms  mean %6.1f ms  min %6.1f ms  max %6.1f ms%n",
                        r,
                        t[t.length / 2] / 1e6,
                        Arrays.stream(t).average().orElse(0) / 1e6,
                        t[0] / 1e6,
                        t[t.length - 1] / 1e6);
            }
            System.out.printf(
                    "ratio hangar/openssh-jump (median): %.2f%n",
                    (double) median(times.get("hangar gateway")) / median(times.get("openssh jump")));
            System.out.printf(
                    "ratio hangar/direct (median): %.2f; added by the hangar gateway: %.1f ms, by the openssh jump: %.1f ms%n",
                    (double) median(times.get("hangar gateway")) / median(times.get("direct")),
                    (median(times.get("hangar gateway")) - median(times.get("direct"))) / 1e6,
                    (median(times.get("openssh jump")) - median(times.get("direct"))) / 1e6);

            int streamMib = Integer.getInteger("bench.stream.mib", 512);
            int rounds = Integer.getInteger("bench.stream.rounds", 3);
            if (streamMib > 0) {
                streamBench(config, routes, order, times, streamMib, rounds);
            }
            if (sizeMib > 0) scpBench(config, routes, order, ws, ciphers, sizeMib);
            // last, so the gateway's code is as warm as in a long-running server
            int pings = Integer.getInteger("bench.pingpong.count", 1000);
            if (pings > 0) pingPongBench(config, routes, order, pings, rounds);
        }
    }

    /** scp of a random file of {@code sizeMib} MiB up, then down, per route; checks both copies. */
    private void scpBench(
            Path config, Map<String, String> routes, List<String> order, OpenSshd ws, String ciphers, int sizeMib)
            throws IOException {
        System.out.println("== scp of " + sizeMib + " MiB (OpenSSH " + sshVersion() + ", gateway hop ciphers: "
                + (ciphers.isEmpty() ? "client default" : ciphers) + ") ==");
        Path src = tmp.resolve("payload.bin");
        writeRandom(src, sizeMib);
        long bytes = Files.size(src);
        Map<String, double[]> rates = new java.util.HashMap<>();
        for (String r : order) {
            Path remote = ws.dir().resolve("payload-" + routes.get(r) + ".bin");
            Path back = tmp.resolve("back.bin");
            long up = scp(config, src.toString(), routes.get(r) + ":" + remote);
            long down = scp(config, routes.get(r) + ":" + remote, back.toString());
            assertThat(Files.mismatch(src, remote)).isEqualTo(-1L);
            assertThat(Files.mismatch(src, back)).isEqualTo(-1L);
            Files.delete(remote);
            Files.delete(back);
            double upRate = bytes / 1048576.0 / (up / 1e9);
            double downRate = bytes / 1048576.0 / (down / 1e9);
            rates.put(r, new double[] {upRate, downRate});
            System.out.printf(
                    "%-15s upload %7.1f MiB/s (%5.1f s)  download %7.1f MiB/s (%5.1f s)%n",
                    r, upRate, up / 1e9, downRate, down / 1e9);
        }
        System.out.printf(
                "ratio hangar/openssh-jump throughput: upload %.2f  download %.2f%n",
                rates.get("hangar gateway")[0] / rates.get("openssh jump")[0],
                rates.get("hangar gateway")[1] / rates.get("openssh jump")[1]);
    }

    /** Download and upload streams of {@code mib} MiB per route, interleaved, {@code rounds} each. */
    private static void streamBench(
            Path config,
            Map<String, String> routes,
            List<String> order,
            Map<String, List<Long>> setup,
            int mib,
            int rounds) {
        System.out.println("== stream of " + mib + " MiB (ssh HOST 'head -c N /dev/zero' | wc -c, and the reverse; "
                + sshVersion() + "), " + rounds + " rounds, interleaved; median ==");
        long bytes = mib * 1048576L;
        Map<String, List<Long>> down = new java.util.HashMap<>();
        Map<String, List<Long>> up = new java.util.HashMap<>();
        for (String r : order) {
            down.put(r, new ArrayList<>());
            up.put(r, new ArrayList<>());
        }
        for (int i = 0; i < rounds; i++) {
            for (String r : order) {
                down.get(r)
                        .add(stream(
                                bytes,
                                "ssh -F '" + config + "' -o BatchMode=yes " + routes.get(r) + " 'head -c " + bytes
                                        + " /dev/zero' | wc -c"));
                up.get(r)
                        .add(stream(
                                bytes,
                                "head -c " + bytes + " /dev/zero | ssh -F '" + config + "' -o BatchMode=yes "
                                        + routes.get(r) + " 'wc -c'"));
            }
        }
        Map<String, double[]> rate = new java.util.HashMap<>();
        for (String r : order) {
            long s = median(setup.get(r));
            long d = median(down.get(r));
            long u = median(up.get(r));
            double mibs = bytes / 1048576.0;
            rate.put(r, new double[] {mibs / (d / 1e9), mibs / (u / 1e9)});
            System.out.printf(
                    "%-15s download %7.1f MiB/s (%5.2f s; %7.1f MiB/s without setup)  upload %7.1f MiB/s (%5.2f s; %7.1f MiB/s without setup)%n",
                    r,
                    mibs / (d / 1e9),
                    d / 1e9,
                    mibs / (Math.max(1, d - s) / 1e9),
                    mibs / (u / 1e9),
                    u / 1e9,
                    mibs / (Math.max(1, u - s) / 1e9));
        }
        for (String other : List.of("direct", "openssh jump")) {
            System.out.printf(
                    "ratio hangar/%s stream throughput: download %.2f  upload %.2f%n",
                    other,
                    rate.get("hangar gateway")[0] / rate.get(other)[0],
                    rate.get("hangar gateway")[1] / rate.get(other)[1]);
        }
    }

    /**
     * Small-message latency, the figure that matters for USB/IP through the relay (#18 item 8): one
     * {@code ssh HOST cat} per route and round, {@value #PING_BYTES} bytes written to its stdin and
     * the same bytes read back from its stdout, {@code count} times after {@value #PING_WARMUP}
     * warm-up exchanges; rounds interleaved. Prints median and p99 per route and the ratios.
     */
    private static void pingPongBench(
            Path config, Map<String, String> routes, List<String> order, int count, int rounds) throws IOException {
        System.out.println("== ping-pong: " + PING_BYTES + " bytes to 'ssh HOST cat' and back, " + count + " times per"
                + " route and round, " + rounds + " rounds, interleaved ==");
        Map<String, List<Long>> rtts = new java.util.HashMap<>();
        for (String r : order) rtts.put(r, new ArrayList<>());
        byte[] ping = new byte[PING_BYTES];
        new SplittableRandom(11).nextBytes(ping);
        for (int i = 0; i < rounds; i++) {
            for (String r : order) rtts.get(r).addAll(pingPong(config, routes.get(r), ping, count));
        }
        Map<String, long[]> sorted = new java.util.HashMap<>();
        for (String r : order) {
            long[] t = rtts.get(r).stream().mapToLong(Long::longValue).sorted().toArray();
            sorted.put(r, t);
            System.out.printf(
                    "%-15s median %7.3f ms  p99 %7.3f ms  max %7.3f ms  (%d exchanges)%n",
                    r, t[t.length / 2] / 1e6, t[(int) (t.length * 0.99)] / 1e6, t[t.length - 1] / 1e6, t.length);
        }
        for (String other : List.of("openssh jump", "direct")) {
            long[] h = sorted.get("hangar gateway");
            long[] o = sorted.get(other);
            System.out.printf(
                    "ratio hangar/%s ping-pong: median %.2f  p99 %.2f%n",
                    other,
                    (double) h[h.length / 2] / o[o.length / 2],
                    (double) h[(int) (h.length * 0.99)] / o[(int) (o.length * 0.99)]);
        }
    }

    /** One {@code ssh HOST cat}: round-trip times of {@code count} exchanges of {@code ping}, in ns. */
    private static List<Long> pingPong(Path config, String host, byte[] ping, int count) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("ssh", "-F", config.toString(), "-o", "BatchMode=yes", host, "exec cat")
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().remove("SSH_AUTH_SOCK");
        Process p = pb.start();
        List<Long> out = new ArrayList<>(count);
        try (OutputStream in = p.getOutputStream();
                java.io.InputStream echo = p.getInputStream()) {
            for (int i = 0; i < PING_WARMUP + count; i++) {
                long t0 = System.nanoTime();
                in.write(ping);
                in.flush();
                byte[] back = echo.readNBytes(ping.length);
                long t = System.nanoTime() - t0;
                assertThat(back).as("echo from " + host).isEqualTo(ping);
                if (i >= PING_WARMUP) out.add(t);
            }
        } finally {
            p.destroy();
            try {
                p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            p.destroyForcibly();
        }
        return out;
    }

    /** Runs a shell pipeline that prints a byte count; checks the count; returns the wall time. */
    private static long stream(long bytes, String pipeline) {
        long t0 = System.nanoTime();
        Proc.Result r = Proc.ok(T, List.of("bash", "-o", "pipefail", "-c", pipeline));
        long t = System.nanoTime() - t0;
        assertThat(r.stdout().strip()).as(pipeline).isEqualTo(Long.toString(bytes));
        return t;
    }

    private static long median(List<Long> l) {
        return l.stream().sorted().toList().get(l.size() / 2);
    }

    private static long sshTrue(Path config, String host) {
        long t0 = System.nanoTime();
        Proc.ok(T, List.of("ssh", "-F", config.toString(), "-o", "BatchMode=yes", host, "true"));
        return System.nanoTime() - t0;
    }

    private static long scp(Path config, String from, String to) {
        long t0 = System.nanoTime();
        Proc.ok(T, List.of("scp", "-q", "-F", config.toString(), "-o", "BatchMode=yes", from, to));
        return System.nanoTime() - t0;
    }

    private static String sshVersion() {
        return Proc.run(Duration.ofSeconds(10), List.of("ssh", "-V")).stderr().strip();
    }

    /** Incompressible content, so no route gains from compression. */
    private static void writeRandom(Path file, int mib) throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        byte[] buf = new byte[1024 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < mib; i++) {
                for (int j = 0; j < buf.length; j += 8) {
                    long v = random.nextLong();
                    for (int k = 0; k < 8; k++) buf[j + k] = (byte) (v >>> (8 * k));
                }
                out.write(buf);
            }
        }
    }
}
