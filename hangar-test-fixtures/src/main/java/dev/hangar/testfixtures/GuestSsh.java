package dev.hangar.testfixtures;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Runs shell commands in a test VM with the real OpenSSH client, straight to the VM's loopback port
 * forward, with the VM's pinned host key as the only entry of a private known_hosts file (strict
 * checking, no agent, no user config). Immutable; each call starts one {@code ssh} process, so it is
 * safe from several threads.
 *
 * @param port the host's 127.0.0.1 port that QEMU forwards to the guest's port 22
 * @param user the login user (has passwordless sudo in the test images)
 * @param key the client's private key file (in a 0700 directory: ssh refuses group-readable keys)
 * @param knownHosts a known_hosts file that pins the guest's host key for {@code [127.0.0.1]:port}
 */
public record GuestSsh(int port, String user, Path key, Path knownHosts) {
    /**
     * One finished command.
     *
     * @param code ssh's exit status (the remote command's, or 255 for an ssh error)
     * @param out stdout, UTF-8
     * @param err stderr, UTF-8
     */
    public record Result(int code, String out, String err) {
        /**
         * @return this result when the exit status is 0
         * @throws AssertionError with both outputs otherwise
         */
        public Result orThrow(String what) {
            if (code != 0) throw new AssertionError(what + " exited " + code + "\nstdout: " + out + "\nstderr: " + err);
            return this;
        }
    }

    /**
     * Writes {@code knownHosts} with the single line {@code [127.0.0.1]:port hostKey} (replacing it).
     *
     * @param hostKey the guest's public host key, {@code ssh-ed25519 AAAA...}
     */
    public static GuestSsh pinned(int port, String user, Path key, Path knownHosts, String hostKey) throws IOException {
        Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + hostKey.strip() + "\n");
        return new GuestSsh(port, user, key, knownHosts);
    }

    /** @return the {@code ssh} argument vector up to and including the destination; callers append a command */
    public List<String> baseCommand() {
        return List.of(
                "ssh",
                "-F",
                "/dev/null",
                "-i",
                key.toString(),
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "UserKnownHostsFile=" + knownHosts,
                "-o",
                "GlobalKnownHostsFile=/dev/null",
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "BatchMode=yes",
                "-o",
                "ConnectTimeout=20",
                "-p",
                Integer.toString(port),
                user + "@127.0.0.1");
    }

    /**
     * Runs {@code command} (a remote shell command line) with stdin from /dev/null.
     *
     * @return its result
     * @throws AssertionError when it takes longer than {@code timeout} (ssh is killed)
     */
    public Result run(String command, Duration timeout) throws IOException, InterruptedException {
        return run(List.of(), command, timeout);
    }

    /**
     * {@link #run(String, Duration)} with more {@code ssh} arguments placed before the fixed ones
     * (ssh keeps the first value of an option, so {@code -o UserKnownHostsFile=...} here wins).
     *
     * @param sshOptions e.g. {@code List.of("-o", "HostKeyAlias=dev.hangar")}
     */
    public Result run(List<String> sshOptions, String command, Duration timeout)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(baseCommand());
        cmd.addAll(1, sshOptions);
        cmd.add(command);
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        // read both pipes concurrently so a chatty command cannot block on a full pipe
        AtomicReference<String> errText = new AtomicReference<>("");
        Thread err = Thread.ofVirtual().start(() -> {
            try {
                errText.set(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                errText.set(e.toString());
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ssh " + command + " did not finish within " + timeout);
        }
        err.join();
        return new Result(p.exitValue(), out, errText.get());
    }

    /**
     * {@link #run} with a 2-minute limit that must exit 0.
     *
     * @return stdout
     * @throws AssertionError on another exit status, with both outputs
     */
    public String check(String command) throws IOException, InterruptedException {
        return run(command, Duration.ofMinutes(2)).orThrow("ssh " + command).out();
    }

    /**
     * Waits until {@code command} exits 0 (sshd up, cloud-init done with the user, ...), polling every
     * 2 s; fails fast if {@code alive} turns false (the VM died).
     *
     * @return the successful run's stdout
     * @throws org.awaitility.core.ConditionTimeoutException after {@code atMost}, naming the last result
     */
    public String awaitSuccess(String command, Duration atMost, BooleanSupplier alive) {
        AtomicReference<Result> last = new AtomicReference<>();
        await("`" + command + "` succeeds in the VM on port " + port)
                .atMost(atMost)
                .pollInterval(Duration.ofSeconds(2))
                .failFast("the VM's QEMU process exited", () -> !alive.getAsBoolean())
                .until(() -> {
                    Result r = run(command, Duration.ofSeconds(90));
                    last.set(r);
                    return r.code() == 0;
                });
        return last.get().out();
    }

    /** {@link #awaitSuccess(String, Duration, BooleanSupplier)} without a liveness check. */
    public String awaitSuccess(String command, Duration atMost) {
        return awaitSuccess(command, atMost, () -> true);
    }
}
