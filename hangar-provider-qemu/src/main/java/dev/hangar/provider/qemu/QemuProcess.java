package dev.hangar.provider.qemu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Starts, finds and kills the detached QEMU process of a workspace. */
final class QemuProcess {
    private QemuProcess() {}

    /**
     * Finds the workspace's live QEMU from its pidfile. A pid counts only if the process is not a
     * zombie and its command line names this workspace's pidfile, so a recycled pid of an unrelated
     * process is never mistaken for the VM.
     */
    static Optional<ProcessHandle> find(WorkspaceDir dir) {
        Optional<Long> pid = dir.readLong(dir.pidFile());
        if (pid.isEmpty()) return Optional.empty();
        Optional<ProcessHandle> handle = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive);
        if (handle.isEmpty()) return Optional.empty();
        try {
            Path proc = Path.of("/proc", Long.toString(pid.get()));
            String stat = Files.readString(proc.resolve("stat"));
            // Field 3 of /proc/PID/stat (after the parenthesised command) is the state; Z = zombie.
            String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
            if (state.equals("Z") || state.equals("X")) return Optional.empty();
            String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
            return cmdline.contains(dir.pidFile().toString()) ? handle : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Runs QEMU with {@code -daemonize}: the launcher process exits once the VM is set up (or failed
     * to), leaving the VM in its own session outside the JVM's process tree.
     *
     * @return the launcher's exit status; 0 means the VM is running
     * @throws IOException if QEMU cannot be started or the launcher does not finish in {@code timeout}
     */
    static int launch(List<String> args, WorkspaceDir dir, Duration timeout) throws IOException {
        Process launcher = new ProcessBuilder(args)
                .directory(dir.path().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(dir.startLog().toFile())
                .redirectErrorStream(true)
                .start();
        try {
            if (!launcher.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                launcher.destroyForcibly();
                throw new IOException("QEMU did not finish starting within " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting QEMU", e);
        }
        return launcher.exitValue();
    }

    /**
     * Waits until {@code process} is gone.
     *
     * @return true if it exited within {@code timeout}
     */
    static boolean awaitExit(ProcessHandle process, WorkspaceDir dir, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (find(dir).isEmpty()) return true;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return find(dir).isEmpty();
            }
        }
        return find(dir).isEmpty();
    }
}
