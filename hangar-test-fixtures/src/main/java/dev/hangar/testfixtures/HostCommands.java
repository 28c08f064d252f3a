package dev.hangar.testfixtures;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
     * Runs {@code command} to completion (at most 30 s).
     *
     * @throws IOException when it cannot start or does not finish within 30 s (then it is killed)
     */
    public static Result run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("PATH", PATH);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within 30 s");
        }
        return new Result(p.exitValue(), out);
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
