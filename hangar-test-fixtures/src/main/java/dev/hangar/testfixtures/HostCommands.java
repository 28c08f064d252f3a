package dev.hangar.testfixtures;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs short host commands (ip, ss, ssh-keygen) for fixtures and tests, with sbin directories on the
 * PATH and stdin from /dev/null. Stateless and thread-safe.
 */
public final class HostCommands {
    /** The PATH given to commands: sbin first, where ip and usbipd live on Debian. */
    public static final String PATH = "/usr/sbin:/usr/bin:/sbin:/bin";

    private HostCommands() {}

    /**
     * A finished command.
     *
     * @param exitCode its exit status
     * @param output stdout and stderr merged, UTF-8
     */
    public record Result(int exitCode, String output) {
        /**
         * @return this result when the exit status is 0
         * @throws AssertionError naming the command's output otherwise
         */
        public Result orThrow(String what) {
            if (exitCode != 0) throw new AssertionError(what + " exited " + exitCode + ":\n" + output);
            return this;
        }
    }

    /**
     * A finished command with its streams apart.
     *
     * @param exitCode its exit status
     * @param stdout its standard output, UTF-8
     * @param stderr its standard error, UTF-8
     */
    public record Output(int exitCode, String stdout, String stderr) {}

    /**
     * Thrown when a command did not finish in time. It and its descendants have been killed by then.
     */
    public static final class TimedOut extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient Output partial;

        TimedOut(String message, Output partial) {
            super(message);
            this.partial = partial;
        }

        /** @return what the command wrote before it was killed (exit code -1) */
        public Output partial() {
            return partial;
        }
    }

    /**
     * Runs {@code command} to completion (at most 30 s), stdout and stderr merged, with {@link
     * #PATH}.
     *
     * @throws TimedOut when it does not finish within 30 s
     * @throws IOException when it cannot start
     */
    public static Result run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PATH", PATH);
        Output o = run(pb, Duration.ofSeconds(30), true);
        return new Result(o.exitCode(), o.stdout());
    }

    /**
     * Runs {@code command} to completion (at most {@code timeout}), stdout and stderr apart, with
     * {@link #PATH}.
     *
     * @throws TimedOut when it does not finish in time
     * @throws IOException when it cannot start
     */
    public static Output runSeparately(List<String> command, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PATH", PATH);
        return run(pb, timeout, false);
    }

    /**
     * Runs the command {@code pb} describes to completion (at most {@code timeout}), stdout and
     * stderr apart, stdin from /dev/null. The builder's command, environment and directory are used
     * as the caller set them; its redirects are replaced.
     *
     * @throws TimedOut when it does not finish in time (then it and its descendants are killed)
     * @throws IOException when it cannot start
     */
    public static Output run(ProcessBuilder pb, Duration timeout) throws IOException, InterruptedException {
        return run(pb, timeout, false);
    }

    // The streams go to files, not pipes: a child that leaves a process behind holding its stdout or
    // stderr (ssh's ProxyJump helper does when SIGHUP is ignored, e.g. under nohup) would keep a pipe
    // open, and reading it to EOF would block past the command's own exit and past any timeout.
    private static Output run(ProcessBuilder pb, Duration timeout, boolean merged)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("hangar-cmd-", ".out");
        Path err = Files.createTempFile("hangar-cmd-", ".err");
        try {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectErrorStream(merged);
            if (!merged) pb.redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                Output partial = new Output(
                        -1,
                        Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
                throw new TimedOut(
                        String.join(" ", pb.command()) + " did not finish within " + timeout.toSeconds()
                                + " s; its output so far:\n" + partial.stdout() + partial.stderr(),
                        partial);
            }
            return new Output(
                    p.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** @return the first executable named {@code name} on the PATH or in the sbin/bin directories */
    public static Optional<Path> executable(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":" + PATH;
        return Stream.of(path.split(":"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
