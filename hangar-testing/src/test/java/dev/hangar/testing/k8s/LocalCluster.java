package dev.hangar.testing.k8s;

import dev.hangar.testfixtures.HostCommands;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real single-node Kubernetes 1.20.2 cluster in a network namespace, driven by the scripts in
 * {@code tools/k8s/} ({@code build.sh}, {@code workspace-image.sh}, {@code up.sh}, {@code down.sh}).
 *
 * <p>The cluster state lives in one fixed directory ({@value #STATE_DIR}), so a run that was killed
 * is cleaned up by the next one ({@code up.sh} calls {@code down.sh} on the same directory first); a
 * file lock next to it serialises test runs on one machine, which would otherwise share the
 * namespace, the veth addresses and the state. Not thread-safe; one instance per test class.
 */
final class LocalCluster implements AutoCloseable {
    /** Where the cluster's state (etcd, containerd, kubelet, volumes, logs) lives while it runs. */
    static final String STATE_DIR = "/var/tmp/hangar-k8s-it";

    private final Path tools;
    private final Path state;
    private final Map<String, String> info;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Path imageDir;

    private LocalCluster(
            Path tools, Path state, Map<String, String> info, FileChannel lockChannel, FileLock lock, Path imageDir) {
        this.tools = tools;
        this.state = state;
        this.info = info;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.imageDir = imageDir;
    }

    /**
     * Why this host cannot run the cluster, checked without building anything.
     *
     * @return empty when it can; else the reason, naming what to install or change
     */
    static Optional<String> unavailableReason(Path tools) {
        if (!"Linux".equals(System.getProperty("os.name"))) {
            return Optional.of("the cluster needs Linux (network namespaces, overlayfs, containerd)");
        }
        if (!Files.isRegularFile(tools.resolve("up.sh"))) {
            return Optional.of("tools/k8s/up.sh not found at " + tools);
        }
        String uid = run(Duration.ofSeconds(10), List.of("id", "-u")).output().strip();
        if (!"0".equals(uid)) {
            return Optional.of("the cluster needs root (network namespace, mounts, containerd); running as uid " + uid);
        }
        if (!Files.exists(Path.of("/proc/self/ns/net"))) {
            return Optional.of("the kernel has no network namespaces (/proc/self/ns/net is missing)");
        }
        try {
            if (!Files.readString(Path.of("/proc/filesystems")).contains("overlay")) {
                return Optional.of("the kernel has no overlayfs (containerd's snapshotter needs it)");
            }
        } catch (IOException e) {
            return Optional.of("cannot read /proc/filesystems: " + e.getMessage());
        }
        for (String tool : List.of("bash", "ip", "nsenter", "python3", "apt-get")) {
            if (run(Duration.ofSeconds(10), List.of("bash", "-c", "command -v " + tool))
                            .exitCode()
                    != 0) {
                return Optional.of(tool + " is not installed (apt-get install -y iproute2 util-linux python3)");
            }
        }
        return Optional.empty();
    }

    /**
     * Builds (or finds in the cache) the binaries and the workspace image, then brings the cluster up
     * with that image imported.
     *
     * @throws BuildFailedException when build.sh or workspace-image.sh fails (the host cannot build)
     * @throws IllegalStateException when up.sh fails, with the tail of its output
     */
    static LocalCluster start(Path tools) throws IOException {
        Path state = Path.of(STATE_DIR);
        Files.createDirectories(state.getParent());
        FileChannel channel =
                FileChannel.open(Path.of(STATE_DIR + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock();
        boolean ok = false;
        try {
            Result build = run(
                    Duration.ofMinutes(90), List.of(tools.resolve("build.sh").toString()));
            if (build.exitCode() != 0) {
                throw new BuildFailedException(
                        "tools/k8s/build.sh failed (exit " + build.exitCode() + "):\n" + tail(build.output()));
            }
            Result image = run(
                    Duration.ofMinutes(30),
                    List.of(tools.resolve("workspace-image.sh").toString()));
            if (image.exitCode() != 0) {
                throw new BuildFailedException("tools/k8s/workspace-image.sh failed (exit " + image.exitCode() + "):\n"
                        + tail(image.output()));
            }
            Path imageDir = Path.of(lastLine(image.stdout()));
            Path binDir = Path.of(lastLine(build.stdout()));
            Result up = run(
                    Duration.ofMinutes(10),
                    List.of(
                            "env",
                            "HANGAR_K8S_BIN=" + binDir,
                            tools.resolve("up.sh").toString(),
                            state.toString(),
                            imageDir.resolve("image.tar").toString()));
            if (up.exitCode() != 0) {
                throw new IllegalStateException(
                        "tools/k8s/up.sh failed (exit " + up.exitCode() + "):\n" + tail(up.output()));
            }
            Map<String, String> info = new LinkedHashMap<>();
            for (String line : up.stdout().split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) info.put(line.substring(0, eq), line.substring(eq + 1));
            }
            ok = true;
            return new LocalCluster(tools, state, info, channel, lock, imageDir);
        } finally {
            if (!ok) {
                run(Duration.ofMinutes(2), List.of(tools.resolve("down.sh").toString(), state.toString()));
                lock.release();
                channel.close();
            }
        }
    }

    /** @return the admin kubeconfig (bearer token, CA-verified TLS) for the API server on the veth address */
    Path kubeconfig() {
        return Path.of(info.get("kubeconfig"));
    }

    /** @return the kubectl built with the cluster (same version as the server) */
    Path kubectl() {
        return Path.of(info.get("kubectl"));
    }

    /** @return the node's address on the veth, reachable from the host (NodePorts, the API server) */
    String nodeIp() {
        return info.get("node-ip");
    }

    /**
     * Imports a docker-archive or OCI tarball into the node's containerd ({@code k8s.io} namespace), for
     * pods with {@code imagePullPolicy: IfNotPresent} or {@code Never}. The one place images reach the
     * node in the tests; `hangar image load` (issue 17 item 4) will replace it.
     *
     * @throws IllegalStateException when ctr fails, with its output
     */
    void loadImage(Path tarball) {
        Result r = run(
                Duration.ofMinutes(5),
                List.of(
                        "ctr",
                        "--address",
                        info.get("ctr-address"),
                        "-n",
                        "k8s.io",
                        "images",
                        "import",
                        tarball.toString()));
        if (r.exitCode() != 0)
            throw new IllegalStateException(
                    "ctr images import " + tarball + " failed (exit " + r.exitCode() + "):\n" + tail(r.output()));
    }

    /** @return the workspace image reference imported into the node's containerd */
    String workspaceImage() throws IOException {
        return Files.readString(imageDir.resolve("tag")).strip();
    }

    /** @return seconds up.sh took, as it reported */
    String upSeconds() {
        return info.getOrDefault("up-seconds", "?");
    }

    /** @return the workspace image's docker-archive, as imported at start-up */
    Path workspaceImageArchive() {
        return imageDir.resolve("image.tar");
    }

    /**
     * @return the sandbox image's docker-archive that up.sh assembles from the static {@code pause}
     *     binary ({@code STATE_DIR/images/pause.tar}, about 0.7 MiB; already imported on the node)
     */
    Path pauseImageArchive() {
        return state.resolve("images/pause.tar");
    }

    /** @return the node's containerd socket (up.sh's {@code ctr-address}) */
    String containerdSocket() {
        return info.get("ctr-address");
    }

    /** Runs the cluster's kubectl with the admin kubeconfig; never throws on a non-zero exit. */
    Result kubectl(String... args) {
        List<String> command = new ArrayList<>(
                List.of(kubectl().toString(), "--kubeconfig", kubeconfig().toString()));
        command.addAll(List.of(args));
        // Deleting namespaces with --wait can take minutes on a loaded machine.
        return run(Duration.ofMinutes(6), command);
    }

    /**
     * Tears the cluster down with {@code down.sh}, which also verifies that nothing is left.
     *
     * @throws IllegalStateException when down.sh reports leftovers
     */
    @Override
    public void close() throws IOException {
        try {
            Result down =
                    run(Duration.ofMinutes(3), List.of(tools.resolve("down.sh").toString(), state.toString()));
            if (down.exitCode() != 0) {
                throw new IllegalStateException(
                        "tools/k8s/down.sh failed (exit " + down.exitCode() + "):\n" + tail(down.output()));
            }
        } finally {
            lock.release();
            lockChannel.close();
        }
    }

    /** A process's exit code and output; {@code output} is stdout followed by stderr. */
    record Result(int exitCode, String stdout, String stderr) {
        String output() {
            return stdout + stderr;
        }
    }

    /** The binaries or the image could not be built on this host. */
    static final class BuildFailedException extends IllegalStateException {
        BuildFailedException(String message) {
            super(message);
        }
    }

    static Result run(Duration timeout, List<String> command) {
        try {
            HostCommands.Output o = HostCommands.run(new ProcessBuilder(command), timeout);
            return new Result(o.exitCode(), o.stdout(), o.stderr());
        } catch (HostCommands.TimedOut e) {
            return new Result(-1, e.partial().stdout(), e.partial().stderr() + "\n(timed out after " + timeout + ")");
        } catch (IOException e) {
            return new Result(-1, "", "cannot run " + command + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "", "interrupted running " + command);
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    static String tail(String text) {
        String[] lines = text.split("\n");
        int from = Math.max(0, lines.length - 40);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
}
