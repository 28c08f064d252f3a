package dev.hangar.testing.chaos;

import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A TEST-ONLY provider (type {@code proc}; never shipped: it lives in hangar-testing's test sources)
 * whose whole state lives outside the server process, as QEMU's does: per workspace a directory
 * {@code <dataDir>/<id>} holding a "disk" file (written to a temporary name and renamed), and, while
 * running, one detached child process {@code sleep infinity} whose {@code argv[0]} is {@link
 * #marker(Path, String)}. The process table is the power state: {@link #observe} scans {@code
 * /proc} for the marker, so a server killed with SIGKILL at any point (between launching and
 * recording, half way through a delete) finds on restart exactly what exists, adopts a running
 * child instead of launching a second, and removes stale temporary files. The SSH endpoint it
 * reports is a placeholder (nothing listens).
 *
 * <p>Thread-safe: the reconciler never runs two calls for one workspace at once, and calls for
 * different workspaces touch different directories and processes.
 */
public final class ChildProcessProvider implements WorkspaceProvider {
    /** The provider type templates name. */
    public static final String TYPE = "proc";

    private static final String DISK = "disk";

    private final Path dataDir;

    /** A provider keeping its workspaces under {@code dataDir} (created when missing). */
    public ChildProcessProvider(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** @return {@code argv[0]} of the child process of workspace {@code id} under {@code dataDir} */
    public static String marker(Path dataDir, String id) {
        return markerPrefix(dataDir) + id;
    }

    /** @return what every child process's {@code argv[0]} under {@code dataDir} starts with */
    public static String markerPrefix(Path dataDir) {
        return "hangar-proc-ws:" + dataDir.toAbsolutePath() + ":";
    }

    /** @return the live processes whose {@code argv[0]} starts with {@code prefix}, read from /proc */
    public static List<ProcessHandle> processes(String prefix) {
        List<ProcessHandle> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path p : entries.toList()) {
                String pid = p.getFileName().toString();
                if (!pid.chars().allMatch(Character::isDigit)) continue;
                byte[] cmdline;
                try {
                    cmdline = Files.readAllBytes(p.resolve("cmdline"));
                } catch (IOException gone) {
                    continue; // exited while scanning
                }
                int end = 0;
                while (end < cmdline.length && cmdline[end] != 0) end++;
                String argv0 = new String(cmdline, 0, end, StandardCharsets.UTF_8);
                if (argv0.startsWith(prefix))
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(found::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Observation observe(WorkspaceSpec spec) {
        Path dir = dataDir.resolve(spec.id());
        if (!Files.exists(dir.resolve(DISK))) return new Observation.Absent();
        return processes(marker(dataDir, spec.id())).isEmpty()
                ? new Observation.Stopped("no child process")
                : running();
    }

    @Override
    public Observation apply(WorkspaceSpec spec, PowerState desired, ProviderListener listener) {
        Path dir = dataDir.resolve(spec.id());
        try {
            Files.createDirectories(dir);
            removeTemporaryFiles(dir);
            if (!Files.exists(dir.resolve(DISK))) {
                Path tmp = dir.resolve(DISK + ".tmp");
                Files.writeString(tmp, spec.name() + "\n");
                Files.move(tmp, dir.resolve(DISK), StandardCopyOption.ATOMIC_MOVE);
                listener.event("proc-disk", "disk file created");
            }
        } catch (IOException e) {
            throw new ProviderException("cannot write " + dir + ": " + e.getMessage(), false, e);
        }
        List<ProcessHandle> children = processes(marker(dataDir, spec.id()));
        if (desired == PowerState.STOPPED) {
            kill(children);
            return new Observation.Stopped("no child process");
        }
        if (children.isEmpty()) {
            launch(spec.id());
            listener.event("proc-started", "child process started");
        } else if (children.size() > 1) {
            // never expected; keep one, like a provider that finds a duplicate VM
            kill(children.subList(1, children.size()));
            listener.event("proc-duplicate", (children.size() - 1) + " duplicate child process(es) stopped");
        }
        return running();
    }

    @Override
    public Observation delete(WorkspaceSpec spec, ProviderListener listener) {
        kill(processes(marker(dataDir, spec.id())));
        Path dir = dataDir.resolve(spec.id());
        if (!Files.exists(dir)) return new Observation.Absent();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (NoSuchFileException gone) {
            // deleted concurrently by nobody else; the next pass sees Absent
        } catch (IOException e) {
            throw new ProviderException("cannot delete " + dir + ": " + e.getMessage(), false, e);
        }
        return new Observation.Absent();
    }

    private void launch(String id) {
        try {
            new ProcessBuilder("bash", "-c", "exec -a \"$0\" sleep infinity", marker(dataDir, id))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new ProviderException("cannot start the child process: " + e.getMessage(), false, e);
        }
    }

    private static void kill(List<ProcessHandle> children) {
        for (ProcessHandle h : children) h.destroyForcibly();
        for (ProcessHandle h : children) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new ProviderException("child process " + h.pid() + " did not exit: " + e, false);
            }
        }
    }

    private static void removeTemporaryFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".tmp"))
                    .toList()) Files.deleteIfExists(p);
        }
    }

    private static Observation running() {
        return new Observation.Running(new SshEndpoint("127.0.0.1", 22), "child process running (no sshd)");
    }
}
