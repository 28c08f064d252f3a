package dev.hangar.testfixtures;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The cached Debian 12 test image for real-QEMU tests: a directory with {@code vmlinuz}, {@code
 * initrd.img}, {@code root.raw} and {@code cmdline}. Run from a module directory (one level below
 * the repository's root), as Surefire and Failsafe do.
 */
public final class TestImage {
    private TestImage() {}

    /**
     * @return {@code $HANGAR_TEST_IMAGE} when set, else the directory {@code tools/test-image/build.sh}
     *     prints last (instant when cached; a cold build takes minutes and needs root and debootstrap;
     *     its progress goes to this process's stderr)
     * @throws IOException if the script fails, prints nothing or does not finish within 30 minutes
     *     (then it and its descendants are killed)
     */
    public static Path path() throws IOException, InterruptedException {
        String env = System.getenv("HANGAR_TEST_IMAGE");
        if (env != null && !env.isBlank()) return Path.of(env);
        Path script = Path.of("..", "tools", "test-image", "build.sh")
                .toAbsolutePath()
                .normalize();
        // stdout to a file, not a pipe: reading a pipe to EOF would wait for any process the script
        // left behind, past the timeout.
        Path out = Files.createTempFile("hangar-test-image-", ".out");
        try {
            Process p = new ProcessBuilder(script.toString())
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                throw new IOException(script + " did not finish within 30 minutes");
            }
            if (p.exitValue() != 0) throw new IOException(script + " exited " + p.exitValue() + "; see its log above");
            return Path.of(Files.readString(out, StandardCharsets.UTF_8)
                    .strip()
                    .lines()
                    .reduce((a, b) -> b)
                    .orElseThrow(() -> new IOException(script + " printed nothing")));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
