package dev.hangar.testfixtures;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH {@code sshd} playing a workspace's sshd: own config, host key, pid file and
 * authorized_keys in a private directory, listening on 127.0.0.1, run in the foreground ({@code -D
 * -e}) as a child of the test JVM, logging to {@code DIR/sshd.log}, and stopped by {@link #close()}.
 *
 * <p>{@code StrictModes no}: temp directories live under the world-writable /tmp, which StrictModes
 * rejects for authorized_keys; real workspaces keep StrictModes on. Extra config lines come after the
 * fixed ones; sshd takes the first value of a keyword, so extras add settings and cannot override
 * the fixed ones. Not thread-safe to start; {@link #close()} is idempotent.
 */
public final class OpenSshd implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Path dir;
    private final Process process;
    private final int port;
    private final String hostKeyLine;

    private OpenSshd(Path dir, Process process, int port, String hostKeyLine) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.hostKeyLine = hostKeyLine;
    }

    /**
     * Starts sshd in {@code dir} on a free port with a generated ed25519 host key.
     *
     * @param authorizedKeys public key lines accepted for the user running the tests
     * @param extraConfig sshd_config lines appended after the fixed ones
     * @throws AssertionError when sshd exits instead of answering within 15 s (with its log)
     */
    public static OpenSshd start(Path dir, List<String> authorizedKeys, String... extraConfig) {
        return builder(dir).authorizedKeys(authorizedKeys).config(extraConfig).start();
    }

    /** @return a builder for an sshd whose files go to {@code dir} (created 0700 if missing) */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** Options of one sshd; not thread-safe. */
    public static final class Builder {
        private final Path dir;
        private final List<String> authorizedKeys = new ArrayList<>();
        private final List<String> config = new ArrayList<>();
        private OptionalInt port = OptionalInt.empty();
        private Optional<String> hostKeyOpenSsh = Optional.empty();
        private Optional<String> hostCertificate = Optional.empty();

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** Public key lines accepted for the user running the tests (added to earlier ones). */
        public Builder authorizedKeys(List<String> keys) {
            authorizedKeys.addAll(keys);
            return this;
        }

        /**
         * A fixed port on 127.0.0.1, for a test that had to announce the endpoint before sshd could
         * start (pick it with {@link #freePort()}). Without it sshd gets a free port and retries on
         * another if that one was taken meanwhile.
         */
        public Builder port(int port) {
            this.port = OptionalInt.of(port);
            return this;
        }

        /** The host's private key in OpenSSH PEM form (for example a workspace's pinned key); else generated. */
        public Builder hostKey(String privateKeyOpenSsh) {
            this.hostKeyOpenSsh = Optional.of(privateKeyOpenSsh);
            return this;
        }

        /**
         * An OpenSSH host certificate for the host key ({@code ssh-ed25519-cert-v01@openssh.com
         * AAAA...}), presented through sshd's {@code HostCertificate}; else none.
         */
        public Builder hostCertificate(String certificateLine) {
            this.hostCertificate = Optional.of(certificateLine);
            return this;
        }

        /** sshd_config lines appended after the fixed ones (added to earlier ones). */
        public Builder config(String... lines) {
            config.addAll(List.of(lines));
            return this;
        }

        /**
         * Starts sshd and waits until it sends its SSH banner.
         *
         * @throws AssertionError when sshd exits instead (with its log)
         * @throws UncheckedIOException when its files cannot be written or ssh-keygen fails
         */
        public OpenSshd start() {
            try {
                return launch(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while starting sshd", e);
            }
        }
    }

    private static OpenSshd launch(Builder b) throws IOException, InterruptedException {
        Path dir = b.dir;
        Files.createDirectories(
                dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ensurePrivsepDir();
        Path hostKey = dir.resolve("ssh_host_key");
        if (b.hostKeyOpenSsh.isPresent()) {
            Files.writeString(hostKey, b.hostKeyOpenSsh.get(), StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(hostKey, PosixFilePermissions.fromString("rw-------"));
            Files.deleteIfExists(Path.of(hostKey + ".pub"));
            String pub = HostCommands.run(List.of("ssh-keygen", "-y", "-f", hostKey.toString()))
                    .orThrow("ssh-keygen -y")
                    .output();
            Files.writeString(Path.of(hostKey + ".pub"), pub);
        } else if (!Files.exists(hostKey)) {
            HostCommands.run(List.of(
                            "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "workspace", "-f", hostKey.toString()))
                    .orThrow("ssh-keygen");
        }
        String hostKeyLine = Files.readString(Path.of(hostKey + ".pub")).strip();
        Files.writeString(dir.resolve("authorized_keys"), String.join("\n", b.authorizedKeys) + "\n");
        Path certificate = Path.of(hostKey + "-cert.pub");
        Files.deleteIfExists(certificate);
        if (b.hostCertificate.isPresent()) {
            Files.writeString(certificate, b.hostCertificate.get().strip() + "\n", StandardCharsets.US_ASCII);
        }
        Path log = dir.resolve("sshd.log");
        AssertionError last = null;
        int attempts = b.port.isPresent() ? 1 : 3;
        for (int attempt = 0; attempt < attempts; attempt++) {
            int port = b.port.isPresent() ? b.port.getAsInt() : freePort();
            Path config = dir.resolve("sshd_config");
            List<String> lines = new ArrayList<>(List.of(
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
                    "LogLevel VERBOSE"));
            if (b.hostCertificate.isPresent()) lines.add("HostCertificate " + certificate);
            lines.addAll(b.config);
            Files.writeString(config, String.join("\n", lines) + "\n");
            Process p = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            try {
                await("sshd answers on 127.0.0.1:" + port)
                        .atMost(START_TIMEOUT)
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> !p.isAlive() || answersSsh(port));
            } catch (RuntimeException e) {
                p.destroyForcibly();
                throw e;
            }
            if (p.isAlive()) return new OpenSshd(dir, p, port, hostKeyLine);
            last = new AssertionError("sshd exited with " + p.exitValue() + ":\n" + Files.readString(log));
        }
        throw last;
    }

    /** @return its TCP port on 127.0.0.1 */
    public int port() {
        return port;
    }

    /** @return its public host key line, {@code ssh-ed25519 AAAA... comment} */
    public String hostKeyLine() {
        return hostKeyLine;
    }

    /** @return the directory holding its files (usable as a place the login user can write to) */
    public Path dir() {
        return dir;
    }

    /** @return whether sshd still runs */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** @return what sshd logged so far, read now */
    public String log() {
        try {
            return Files.readString(dir.resolve("sshd.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops sshd and its per-connection children (SIGTERM, SIGKILL after 10 s). Idempotent. */
    @Override
    public void close() {
        // per-connection sshd children are our own processes too
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return a TCP port on 127.0.0.1 that was free a moment ago (the caller binds it soon; a race
     *     with another process is possible, so callers that can should let the server bind port 0)
     */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean answersSsh(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(2000);
            byte[] banner = s.getInputStream().readNBytes(7);
            return new String(banner, StandardCharsets.US_ASCII).equals("SSH-2.0");
        } catch (IOException e) {
            return false;
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
