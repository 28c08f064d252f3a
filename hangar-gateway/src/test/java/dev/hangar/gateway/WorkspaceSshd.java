package dev.hangar.gateway;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH {@code sshd} playing a workspace's sshd: own config, host key, pid file and
 * authorized_keys in a private directory, listening on 127.0.0.1 on a free port, run in the
 * foreground ({@code -D -e}) as a child of the test JVM and stopped by {@link #close()}.
 *
 * <p>{@code StrictModes no}: JUnit's temp directories live under the world-writable /tmp, which
 * StrictModes rejects for authorized_keys; real workspaces keep StrictModes on.
 */
public final class WorkspaceSshd implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final int port;
    private final String hostKeyLine;

    private WorkspaceSshd(Path dir, Process process, int port, String hostKeyLine) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.hostKeyLine = hostKeyLine;
    }

    /**
     * Starts sshd in {@code dir} (created 0700) accepting {@code authorizedKeys} for the user running
     * the tests. Retries on another port if the chosen free port was taken meanwhile.
     */
    public static WorkspaceSshd start(Path dir, List<String> authorizedKeys, String... extraConfig) {
        try {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            ensurePrivsepDir();
            Path hostKey = dir.resolve("ssh_host_ed25519_key");
            if (!Files.exists(hostKey)) {
                Proc.ok(
                        Duration.ofSeconds(30),
                        List.of(
                                "ssh-keygen",
                                "-q",
                                "-t",
                                "ed25519",
                                "-N",
                                "",
                                "-C",
                                "workspace",
                                "-f",
                                hostKey.toString()));
            }
            String hostKeyLine =
                    Files.readString(dir.resolve("ssh_host_ed25519_key.pub")).strip();
            Files.writeString(dir.resolve("authorized_keys"), String.join("\n", authorizedKeys) + "\n");
            AssertionError last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = freePort();
                Path config = dir.resolve("sshd_config");
                Files.writeString(
                        config,
                        String.join(
                                        "\n",
                                        List.of(
                                                "Port " + port,
                                                "ListenAddress 127.0.0.1",
                                                "HostKey " + hostKey,
                                                "PidFile " + dir.resolve("sshd.pid"),
                                                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                                                "UsePAM no",
                                                "PasswordAuthentication no",
                                                "KbdInteractiveAuthentication no",
                                                "PubkeyAuthentication yes",
                                                "PermitRootLogin prohibit-password",
                                                "StrictModes no",
                                                "AllowTcpForwarding yes",
                                                "Subsystem sftp internal-sftp",
                                                "LogLevel VERBOSE"))
                                + "\n" + String.join("\n", extraConfig) + "\n");
                Path log = dir.resolve("sshd.log");
                Process p = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", config.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
                try {
                    await().atMost(Duration.ofSeconds(15))
                            .pollInterval(Duration.ofMillis(50))
                            .until(() -> !p.isAlive() || answersSsh(port));
                } catch (RuntimeException e) {
                    p.destroyForcibly();
                    throw e;
                }
                if (p.isAlive()) return new WorkspaceSshd(dir, p, port, hostKeyLine);
                last = new AssertionError("sshd exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            throw last;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return its TCP port on 127.0.0.1 */
    public int port() {
        return port;
    }

    /** @return its public host key line, {@code ssh-ed25519 AAAA... workspace} */
    public String hostKeyLine() {
        return hostKeyLine;
    }

    /** @return the directory holding its files (usable as a place the login user can write to) */
    public Path dir() {
        return dir;
    }

    /** @return what sshd logged so far */
    public String log() {
        try {
            return Files.readString(dir.resolve("sshd.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        // per-connection sshd children are our own processes too
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS))
                process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean answersSsh(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(2000);
            InputStream in = s.getInputStream();
            byte[] banner = in.readNBytes(7);
            return new String(banner, StandardCharsets.US_ASCII).equals("SSH-2.0");
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * sshd started as root needs its privilege-separation directory (/run/sshd), which only the
     * init script creates; on a fresh machine without systemd nobody did.
     */
    private static void ensurePrivsepDir() throws IOException {
        Path privsep = Path.of("/run/sshd");
        if ("root".equals(System.getProperty("user.name")) && !Files.isDirectory(privsep)) {
            Files.createDirectories(
                    privsep, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        }
    }
}
