package dev.hangar.testing.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The cached Debian 12 test image for real-QEMU tests: a directory with {@code vmlinuz}, {@code
 * initrd.img}, {@code root.raw} and {@code cmdline}.
 */
public final class TestImage {
    private TestImage() {}

    /**
     * @return {@code $HANGAR_TEST_IMAGE} when set, else the directory {@code tools/test-image/build.sh}
     *     prints (instant when cached; a cold build takes minutes and needs root and debootstrap)
     * @throws IOException if the script fails or does not finish within 30 minutes
     */
    public static Path path() throws IOException, InterruptedException {
        String env = System.getenv("HANGAR_TEST_IMAGE");
        if (env != null && !env.isBlank()) return Path.of(env);
        Path script = Path.of("..", "tools", "test-image", "build.sh")
                .toAbsolutePath()
                .normalize();
        Process p = new ProcessBuilder(script.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(script + " did not finish within 30 minutes");
        }
        if (p.exitValue() != 0) throw new IOException(script + " exited " + p.exitValue() + "; see its log above");
        return Path.of(out.lines().reduce((a, b) -> b).orElseThrow(() -> new IOException(script + " printed nothing")));
    }
}
