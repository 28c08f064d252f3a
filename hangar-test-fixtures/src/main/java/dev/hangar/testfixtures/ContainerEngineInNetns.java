package dev.hangar.testfixtures;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real container engine (Debian's {@code dockerd} from docker.io, or Podman's Docker-compatible API
 * service) started for one test inside a network namespace this fixture creates, with its own data
 * directory and API socket under a fresh directory. The namespace is joined to the host by a veth
 * pair with link-local addresses: containers published on {@link #publishAddress()} are reached from
 * the test at that address, and nothing the engine does (bridges, routes, NAT) touches the host's
 * network.
 *
 * <p>Recipes (shared/MACHINE.md): dockerd with {@code --iptables=false --ip-masq=false
 * --ip-forward=false}, its own {@code --data-root}, {@code --exec-root}, socket and an empty config
 * file; Podman with runc, nofile/nproc ulimits and the CNI backend, started with {@code nsenter
 * --net} plus {@code unshare --mount} (because {@code ip netns exec} remounts /sys and runc then
 * finds no cgroup mount).
 *
 * <p>{@link #close()} kills every process in the namespace (the daemon, containerd, shims, conmon,
 * container processes), unmounts what is left under the directory, deletes the namespace and the
 * veth pair and removes the directory; it is idempotent and also runs when {@link #start} fails.
 * Needs root; a missing tool skips the calling test (JUnit assumption). Not thread-safe; one
 * instance per test class.
 */
public final class ContainerEngineInNetns implements AutoCloseable {

    /** Which engine to start. */
    public enum Engine {
        /** dockerd (Debian package docker.io). */
        DOCKER,
        /** {@code podman system service} (Debian package podman). */
        PODMAN
    }

    private final Engine engine;
    private final String netns;
    private final String hostInterface;
    private final String publishAddress;
    private final Path dir;
    private final Path socket;
    private Process process;

    private ContainerEngineInNetns(
            Engine engine, String netns, String hostInterface, String publishAddress, Path dir, Path socket) {
        this.engine = engine;
        this.netns = netns;
        this.hostInterface = hostInterface;
        this.publishAddress = publishAddress;
        this.dir = dir;
        this.socket = socket;
    }

    /**
     * Creates the namespace and starts the engine; returns once its API answers {@code GET /_ping}.
     *
     * @param parent a directory for the engine's files (a fresh subdirectory is made in it; keep the
     *     path short: unix socket paths are limited to 107 bytes)
     * @throws org.opentest4j.TestAbortedException (skips the test) when root or a tool is missing
     * @throws IOException when the engine does not start (its log is in the message)
     */
    public static ContainerEngineInNetns start(Engine engine, Path parent) throws IOException, InterruptedException {
        String uid = HostCommands.run(List.of("id", "-u")).output().strip();
        Assumptions.assumeTrue(uid.equals("0"), "needs root for a network namespace (uid is " + uid + ")");
        for (String tool : List.of("ip", "nsenter", "unshare", engine == Engine.DOCKER ? "dockerd" : "podman")) {
            Assumptions.assumeTrue(
                    HostCommands.executable(tool).isPresent(),
                    tool + " is not installed; apt-get install -y --no-install-recommends docker.io podman");
        }
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt(), 6);
        String netns = "hgc" + id;
        String hostIf = "hgc" + id + "h";
        String nsIf = "hgc" + id + "n";
        int third = ThreadLocalRandom.current().nextInt(1, 169);
        int base = 4 * ThreadLocalRandom.current().nextInt(0, 63);
        String hostAddr = "169.254." + third + "." + (base + 1);
        String nsAddr = "169.254." + third + "." + (base + 2);
        Path dir = Files.createDirectories(parent).resolve("e" + id);
        Files.createDirectory(dir);
        Path socket = dir.resolve(engine == Engine.DOCKER ? "docker.sock" : "podman.sock");
        ContainerEngineInNetns e = new ContainerEngineInNetns(engine, netns, hostIf, nsAddr, dir, socket);
        try {
            String ns = "/run/netns/" + netns;
            for (List<String> cmd : List.of(
                    List.of("ip", "netns", "add", netns),
                    List.of("ip", "link", "add", hostIf, "type", "veth", "peer", "name", nsIf, "netns", netns),
                    List.of("ip", "addr", "add", hostAddr + "/30", "dev", hostIf),
                    List.of("ip", "link", "set", hostIf, "up"),
                    List.of("nsenter", "--net=" + ns, "ip", "link", "set", "lo", "up"),
                    List.of("nsenter", "--net=" + ns, "ip", "addr", "add", nsAddr + "/30", "dev", nsIf),
                    List.of("nsenter", "--net=" + ns, "ip", "link", "set", nsIf, "up"))) {
                HostCommands.run(cmd).orThrow(String.join(" ", cmd));
            }
            e.process = engine == Engine.DOCKER ? e.startDockerd(ns, third) : e.startPodman(ns);
            await(engine + " API at " + socket)
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!e.process.isAlive()) throw new IOException(engine + " exited: " + e.log());
                        return e.ping();
                    });
            return e;
        } catch (IOException | InterruptedException | RuntimeException ex) {
            e.close();
            throw ex;
        }
    }

    private Process startDockerd(String ns, int third) throws IOException {
        Path config = Files.writeString(dir.resolve("daemon.json"), "{}");
        List<String> cmd = List.of(
                "nsenter",
                "--net=" + ns,
                "dockerd",
                "--data-root",
                dir.resolve("data").toString(),
                "--exec-root",
                dir.resolve("x").toString(),
                "--pidfile",
                dir.resolve("dockerd.pid").toString(),
                "-H",
                "unix://" + socket,
                "--iptables=false",
                "--ip-masq=false",
                "--ip-forward=false",
                "--bip",
                "10.213." + third + ".1/24",
                "--config-file",
                config.toString());
        return launch(cmd, List.of());
    }

    private Process startPodman(String ns) throws IOException {
        Path storage = Files.createDirectories(dir.resolve("storage"));
        Path run = Files.createDirectories(dir.resolve("run"));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path cni = Files.createDirectories(dir.resolve("cni"));
        Path storageConf = Files.writeString(
                dir.resolve("storage.conf"),
                "[storage]\ndriver = \"overlay\"\ngraphroot = \"" + storage + "\"\nrunroot = \"" + run + "\"\n");
        Path containersConf = Files.writeString(
                dir.resolve("containers.conf"),
                "[containers]\ndefault_ulimits = [\"nofile=20000:20000\", \"nproc=20000:20000\"]\n"
                        + "[engine]\nruntime = \"runc\"\ntmp_dir = \"" + tmp + "\"\nimage_copy_tmp_dir = \"" + tmp
                        + "\"\n"
                        + "[network]\nnetwork_backend = \"cni\"\nnetwork_config_dir = \"" + cni + "\"\n");
        String script = "mount -t tmpfs tmpfs /run/netns && exec podman system service --time=0 unix://" + socket;
        List<String> cmd =
                List.of("nsenter", "--net=" + ns, "unshare", "--mount", "--propagation", "slave", "sh", "-c", script);
        // Podman's image load API spools each archive to $TMPDIR (else image_copy_tmp_dir, default
        // /var/tmp) as api_load.tar* and leaves it there: 155 MiB per load in /var/tmp after every
        // test run until 2026-12-05. In this fixture's directory, close() removes it.
        return launch(
                cmd,
                List.of(
                        "CONTAINERS_CONF=" + containersConf,
                        "CONTAINERS_STORAGE_CONF=" + storageConf,
                        "TMPDIR=" + tmp));
    }

    private Process launch(List<String> cmd, List<String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("engine.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("PATH", HostCommands.PATH);
        for (String kv : env) {
            int eq = kv.indexOf('=');
            pb.environment().put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return pb.start();
    }

    /** @return whether {@code GET /_ping} on the socket answers OK */
    private boolean ping() {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(
                    ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: engine\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(4096);
            StringBuilder out = new StringBuilder();
            while (ch.read(buf) > 0) {
                buf.flip();
                out.append(StandardCharsets.US_ASCII.decode(buf));
                buf.clear();
            }
            return out.toString().startsWith("HTTP/1.") && out.toString().contains(" 200 ");
        } catch (IOException e) {
            return false;
        }
    }

    /** @return which engine this is */
    public Engine engine() {
        return engine;
    }

    /** @return the engine's API socket as {@code unix:///PATH} (the docker provider's {@code socket} setting) */
    public String socketUri() {
        return "unix://" + socket;
    }

    /**
     * @return the namespace's address on the veth pair, reachable from the host: the address to
     *     publish container ports on (the docker provider's {@code publish-address} setting)
     */
    public String publishAddress() {
        return publishAddress;
    }

    /** @return the network namespace's name (under /run/netns) */
    public String netns() {
        return netns;
    }

    /** @return what the engine logged so far */
    public String log() {
        try {
            return Files.readString(dir.resolve("engine.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops everything this fixture started and removes its namespace, veth pair and files. Idempotent. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS))
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // whatever still runs in the namespace was started by the engine for this test
        if (Files.exists(Path.of("/run/netns", netns))) {
            await("processes in " + netns + " gone")
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        List<String> pids = pidsInNamespace();
                        if (!pids.isEmpty()) {
                            List<String> kill = new ArrayList<>(List.of("kill", "-9"));
                            kill.addAll(pids);
                            HostCommands.run(kill);
                        }
                        return pids.isEmpty();
                    });
        }
        unmountUnder(dir);
        HostCommands.run(List.of("ip", "netns", "del", netns));
        HostCommands.run(List.of("ip", "link", "del", hostInterface));
        deleteTree(dir);
    }

    private List<String> pidsInNamespace() throws IOException, InterruptedException {
        return HostCommands.run(List.of("ip", "netns", "pids", netns))
                .output()
                .lines()
                .map(String::strip)
                .filter(l -> l.matches("\\d+"))
                .toList();
    }

    private static void unmountUnder(Path dir) throws IOException, InterruptedException {
        String prefix = dir.toString() + "/";
        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(l -> l.split(" ")[4])
                .filter(m -> m.startsWith(prefix))
                .sorted(Comparator.reverseOrder())
                .toList();
        for (String m : mounts) HostCommands.run(List.of("umount", "-l", m));
    }

    private static void deleteTree(Path dir) throws IOException, InterruptedException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a file still held by a dying process; the retry below reports it
                }
            }
        }
        if (Files.exists(dir)) HostCommands.run(List.of("rm", "-rf", dir.toString()));
    }
}
