package dev.hangar.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real program (ssh, scp, ssh-keygen) to completion with a timeout; test helper. */
public final class Proc {
    private Proc() {}

    /** Exit code and output of a finished process. */
    public record Result(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** Runs {@code cmd} with stdin from /dev/null, no SSH agent, killing it after {@code timeout}. */
    public static Result run(Duration timeout, List<String> cmd) {
        try {
            Path out = Files.createTempFile("proc-out", ".txt");
            Path err = Files.createTempFile("proc-err", ".txt");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd)
                        .redirectInput(ProcessBuilder.Redirect.from(
                                Path.of("/dev/null").toFile()))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
                // keys come only from the generated config, never from a developer's agent
                pb.environment().remove("SSH_AUTH_SOCK");
                Process p = pb.start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor();
                    throw new AssertionError("timed out after " + timeout + ": " + cmd + "\n--- stderr\n"
                            + Files.readString(err, StandardCharsets.UTF_8));
                }
                return new Result(
                        p.exitValue(),
                        Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Runs {@code cmd} and fails the test with its output unless it exits 0. */
    public static Result ok(Duration timeout, List<String> cmd) {
        Result r = run(timeout, cmd);
        if (r.exit() != 0) throw new AssertionError(String.join(" ", cmd) + " failed: " + r);
        return r;
    }
}
