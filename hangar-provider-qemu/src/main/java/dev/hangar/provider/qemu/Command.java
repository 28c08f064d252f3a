package dev.hangar.provider.qemu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short-lived external command and captures its output. */
final class Command {
    private Command() {}

    /**
     * The outcome of a finished command.
     *
     * @param exitCode the process exit status
     * @param stdout standard output, UTF-8
     * @param stderr standard error, UTF-8
     */
    record Result(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }

        /** @return stderr, else stdout, stripped; for error messages */
        String message() {
            return (stderr.isBlank() ? stdout : stderr).strip();
        }
    }

    /**
     * Runs {@code command} with stdin closed, waits at most {@code timeout}, and kills it after.
     *
     * @throws IOException if it cannot start or does not finish in time
     */
    static Result run(List<String> command, Duration timeout) throws IOException {
        Path out = Files.createTempFile("hangar-cmd", ".out");
        Path err = Files.createTempFile("hangar-cmd", ".err");
        try {
            Process p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(command.getFirst() + " did not finish within " + timeout.toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + command.getFirst(), e);
            }
            return new Result(
                    p.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
