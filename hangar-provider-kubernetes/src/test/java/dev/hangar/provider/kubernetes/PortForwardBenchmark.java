package dev.hangar.provider.kubernetes;

import dev.hangar.provider.kubernetes.bench.BenchNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark and reproduction, not a test (not run by any build): bytes through a Pod port-forward,
 * both ways, against the real cluster named by {@code KUBECONFIG}, through fabric8's {@code
 * LocalPortForward} (what {@link PortForwards} used before, the baseline) and through {@link
 * PortForwards} in the same run. A sink Pod of the workspace image runs a Perl listener on the Pod's
 * loopback port {@value WorkspaceManifests#SSH_PORT}: {@code up N ID} stores the next N bytes in a file
 * of that upload's own (a stalled upload of an earlier forward must not write into a later one's) and
 * answers their SHA-256; {@code down} sends a random file made at Pod start; {@code sum} answers that
 * file's SHA-256; {@code size ID} answers how many bytes upload ID stored (to count losses). Prints per
 * transfer MiB/s and whether the SHA-256 matched, with the load average; reported, not asserted.
 *
 * <pre>
 * ./mvnw -q -pl hangar-provider-kubernetes -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
 * cd hangar-provider-kubernetes
 * KUBECONFIG=/var/tmp/hangar-k8s-dev/kubeconfig $JAVA_HOME/bin/java \
 *     -cp target/test-classes:target/classes:../hangar-provider-spi/target/classes:$(cat target/bench.classpath) \
 *     dev.hangar.provider.kubernetes.PortForwardBenchmark --mib 100
 * </pre>
 *
 * <p>Options: {@code --mib N} (100), {@code --namespace NS} ({@code hangar-portfwd-bench}, created if
 * missing, the Pod deleted at the end), {@code --image IMAGE} ({@code localhost/hangar/workspace:test},
 * must be on the node), {@code --forwards fabric8,hangar}, {@code --rounds R} (1).
 */
public final class PortForwardBenchmark {
    private static final String POD = "portfwd-sink";
    private static final String SERVER = """
            use IO::Socket::INET;
            $SIG{CHLD} = "IGNORE";
            my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 2222, Listen => 8, ReuseAddr => 1)
                or die "listen: $!";
            while (1) {
                my $c = $s->accept or next;
                if (!fork) {
                    my ($l, $b) = ("", "");
                    while (sysread($c, $b, 1) == 1 && $b ne "\\n") { $l .= $b }
                    open(STDIN, "<&", $c) or die;
                    open(STDOUT, ">&", $c) or die;
                    close $c;
                    my ($op, $n, $id) = split / /, $l;
                    exec "sh", "-c", "head -c $n > /tmp/up.$id; sha256sum < /tmp/up.$id; rm /tmp/up.$id" if $op eq "up";
                    exec "cat", "/tmp/blob.sha" if $op eq "sum";
                    exec "stat", "-c", "%s", "/tmp/up.$n" if $op eq "size";
                    exec "cat", "/tmp/blob";
                }
                close $c;
            }
            """;

    private PortForwardBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        String namespace = opts.getOrDefault("namespace", "hangar-portfwd-bench");
        int mib = Integer.parseInt(opts.getOrDefault("mib", "100"));
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "1"));
        List<String> kinds =
                List.of(opts.getOrDefault("forwards", "fabric8,hangar").split(","));
        long bytes = (long) mib << 20;
        try (KubernetesClient client = new KubernetesClientBuilder().build();
                PortForwards forwards = new PortForwards(client)) {
            BenchNamespace.ensure(client, namespace);
            Pod pod = sinkPod(client, namespace, opts.getOrDefault("image", "localhost/hangar/workspace:test"), bytes);
            try {
                byte[] payload = new byte[(int) bytes];
                new SplittableRandom(18).nextBytes(payload);
                String upSha = HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
                System.out.printf(Locale.ROOT, "[portfwd] %d MiB each way, load %s%n", mib, load());
                for (int round = 1; round <= rounds; round++) {
                    for (String kind : kinds) {
                        try (Forward f = forward(kind, client, forwards, namespace, pod)) {
                            up(kind, f, payload, upSha, kind + round);
                            down(kind, f, bytes);
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "[portfwd] load after %s%n", load());
            } finally {
                client.pods()
                        .inNamespace(namespace)
                        .withName(POD)
                        .withGracePeriod(0)
                        .delete();
            }
        }
    }

    private record Forward(String host, int port, AutoCloseable closer) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            closer.close();
        }
    }

    private static Forward forward(
            String kind, KubernetesClient client, PortForwards forwards, String namespace, Pod pod) {
        if (kind.equals("fabric8")) {
            LocalPortForward f = client.pods()
                    .inNamespace(namespace)
                    .withName(POD)
                    .portForward(WorkspaceManifests.SSH_PORT, InetAddress.getLoopbackAddress(), 0);
            return new Forward(f.getLocalAddress().getHostAddress(), f.getLocalPort(), f);
        }
        var endpoint = forwards.open("bench", namespace, POD, pod.getMetadata().getUid());
        return new Forward(endpoint.host(), endpoint.port(), () -> forwards.close("bench"));
    }

    private static void up(String kind, Forward f, byte[] payload, String sha, String id) throws Exception {
        try (Socket s = new Socket(f.host(), f.port())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            long t0 = System.nanoTime();
            out.write(("up " + payload.length + " " + id + "\n").getBytes(StandardCharsets.US_ASCII));
            for (int at = 0; at < payload.length; at += 1 << 16)
                out.write(payload, at, Math.min(1 << 16, payload.length - at));
            out.flush();
            String answer;
            try {
                answer = line(s.getInputStream());
            } catch (SocketTimeoutException e) {
                String stored = ask(f, "size " + id);
                System.out.printf(
                        Locale.ROOT,
                        "[portfwd] %-7s up   LOST: the pod stored %s of %d bytes, nothing more for 30 s%n",
                        kind,
                        stored,
                        payload.length);
                return;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            report(kind, "up", payload.length, seconds, answer.startsWith(sha));
        }
    }

    private static void down(String kind, Forward f, long bytes) throws Exception {
        String sha = ask(f, "sum");
        try (Socket s = new Socket(f.host(), f.port())) {
            s.setSoTimeout(30_000);
            long t0 = System.nanoTime();
            s.getOutputStream().write("down\n".getBytes(StandardCharsets.US_ASCII));
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            try {
                while (total < bytes) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, bytes - total));
                    if (n < 0) break;
                    digest.update(buffer, 0, n);
                    total += n;
                }
            } catch (SocketTimeoutException e) {
                // reported below as a short transfer
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (total < bytes) {
                System.out.printf(
                        Locale.ROOT, "[portfwd] %-7s down LOST: received %d of %d bytes%n", kind, total, bytes);
                return;
            }
            report(kind, "down", bytes, seconds, sha.startsWith(HexFormat.of().formatHex(digest.digest())));
        }
    }

    private static void report(String kind, String way, long bytes, double seconds, boolean ok) throws IOException {
        System.out.printf(
                Locale.ROOT,
                "[portfwd] %-7s %-4s %6.1f MiB/s (%.2f s) sha256 %s  load %s%n",
                kind,
                way,
                bytes / 1048576.0 / seconds,
                seconds,
                ok ? "ok" : "WRONG",
                load());
    }

    private static String ask(Forward f, String op) throws IOException {
        try (Socket s = new Socket(f.host(), f.port())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write((op + "\n").getBytes(StandardCharsets.US_ASCII));
            return line(s.getInputStream());
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) b.write(c);
        return b.toString(StandardCharsets.US_ASCII).strip();
    }

    private static Pod sinkPod(KubernetesClient client, String namespace, String image, long bytes) {
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withName(POD)
                .endMetadata()
                .withNewSpec()
                .withTerminationGracePeriodSeconds(0L)
                .addNewContainer()
                .withName("sink")
                .withImage(image)
                .withImagePullPolicy("Never")
                .withCommand(
                        "sh",
                        "-c",
                        "head -c " + bytes + " /dev/urandom > /tmp/blob && sha256sum < /tmp/blob > /tmp/blob.sha"
                                + " && touch /tmp/ready && exec perl -e \"$SERVER\"")
                .addNewEnv()
                .withName("SERVER")
                .withValue(SERVER)
                .endEnv()
                .withNewReadinessProbe()
                .withNewExec()
                .withCommand("test", "-e", "/tmp/ready")
                .endExec()
                .withPeriodSeconds(1)
                .endReadinessProbe()
                .endContainer()
                .endSpec()
                .build();
        client.pods().inNamespace(namespace).withName(POD).withGracePeriod(0).delete();
        client.pods().inNamespace(namespace).withName(POD).waitUntilCondition(p -> p == null, 2, TimeUnit.MINUTES);
        client.pods().inNamespace(namespace).resource(pod).create();
        return client.pods()
                .inNamespace(namespace)
                .withName(POD)
                .waitUntilCondition(
                        p -> p != null
                                && p.getStatus() != null
                                && p.getStatus().getConditions().stream()
                                        .anyMatch(c -> c.getType().equals("Ready")
                                                && c.getStatus().equals("True")),
                        5,
                        TimeUnit.MINUTES);
    }

    private static String load() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }
}
