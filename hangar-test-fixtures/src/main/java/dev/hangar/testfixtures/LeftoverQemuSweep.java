package dev.hangar.testfixtures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Finds and stops QEMU processes left behind by an earlier, killed test run, without ever touching a
 * QEMU that is not a test's own.
 *
 * <p>The marker: every VM integration test {@linkplain #claim claims} its test home (the temp
 * directory under which its VMs' disks, pid files and sockets live) by writing {@value #MARKER} there,
 * holding the test JVM's pid and start time. A QEMU process is a leftover exactly when one of the
 * paths on its command line (its executable, an argument, or a {@code key=/path} part of an option
 * such as {@code -pidfile}, {@code -drive file=...}) lies under a directory with that marker, and the
 * JVM recorded there is gone (no process with that pid, or one that started at another time: the pid
 * was reused). A QEMU outside any marked home, or one whose test JVM still runs (a parallel build), is
 * never stopped. Call {@link #sweep} then {@link #claim} from each VM IT's {@code @BeforeAll}.
 *
 * <p>Stateless apart from the process table; safe to call from several JVMs at once (at worst two
 * sweeps signal the same leftover).
 */
public final class LeftoverQemuSweep {
    /** The marker file's name in a test home. */
    public static final String MARKER = ".hangar-test-run";

    private final Predicate<ProcessHandle> isQemu;
    private final List<Path> scopes;

    /**
     * @param isQemu which processes count as QEMU
     * @param scopes only test homes under these directories are considered (temp directories in practice)
     */
    public LeftoverQemuSweep(Predicate<ProcessHandle> isQemu, List<Path> scopes) {
        this.isQemu = isQemu;
        this.scopes = scopes.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }

    /**
     * The sweep for QEMU ({@code qemu-system-*} executables) with test homes under {@code
     * java.io.tmpdir} or {@code /tmp} (where the VM ITs put short homes for QEMU's socket paths).
     */
    public static LeftoverQemuSweep forTestVms() {
        return new LeftoverQemuSweep(
                h -> h.info()
                        .command()
                        .map(c -> fileName(c).startsWith("qemu-system"))
                        .orElse(false),
                List.of(Path.of(System.getProperty("java.io.tmpdir")), Path.of("/tmp")));
    }

    /**
     * A process that was stopped.
     *
     * @param pid its pid
     * @param commandLine its command line as /proc showed it
     * @param home the test home it belonged to
     */
    public record Swept(long pid, String commandLine, Path home) {}

    /**
     * Marks {@code testHome} as this JVM's (overwrites an earlier marker). Idempotent.
     *
     * @throws IOException when the marker cannot be written
     */
    public static void claim(Path testHome) throws IOException {
        ProcessHandle me = ProcessHandle.current();
        String start = me.info().startInstant().map(Instant::toString).orElse("-");
        Files.writeString(testHome.resolve(MARKER), me.pid() + " " + start + "\n");
    }

    /**
     * Stops (SIGTERM, SIGKILL after 10 s) every leftover QEMU as defined above, and reports each on
     * stderr.
     *
     * @return what was stopped (empty when nothing was left over)
     */
    public List<Swept> sweep() {
        List<Swept> swept = new ArrayList<>();
        for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
            if (!h.isAlive() || h.pid() == ProcessHandle.current().pid() || !isQemu.test(h)) continue;
            List<String> commandLine = new ArrayList<>();
            h.info().command().ifPresent(commandLine::add);
            h.info().arguments().ifPresent(a -> commandLine.addAll(List.of(a)));
            Optional<Path> home = abandonedHome(commandLine);
            if (home.isEmpty()) continue;
            String line = h.info().commandLine().orElse(String.join(" ", commandLine));
            System.err.println(
                    "stopping QEMU " + h.pid() + " left over from an earlier test run in " + home.get() + ": " + line);
            h.destroy();
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
            swept.add(new Swept(h.pid(), line, home.get()));
        }
        return swept;
    }

    /**
     * The decision: the test home that the command line points into, when that home's test JVM is gone.
     *
     * @return the abandoned home, or empty (not in a marked home, or its JVM is alive): leave it alone
     */
    public Optional<Path> abandonedHome(List<String> commandLine) {
        for (Path p : pathsIn(commandLine)) {
            Optional<Path> home = markedHome(p);
            if (home.isPresent()) {
                return ownerAlive(home.get().resolve(MARKER)) ? Optional.empty() : home;
            }
        }
        return Optional.empty();
    }

    /** @return absolute paths named by a command line: whole arguments and {@code ,}/{@code =}-separated parts */
    static Set<Path> pathsIn(List<String> commandLine) {
        Set<Path> paths = new LinkedHashSet<>();
        for (String arg : commandLine) {
            for (String part : arg.split("[,=:]")) {
                if (!part.startsWith("/")) continue;
                try {
                    paths.add(Path.of(part).normalize());
                } catch (InvalidPathException e) {
                    // not a path after all
                }
            }
        }
        return paths;
    }

    private Optional<Path> markedHome(Path path) {
        for (Path scope : scopes) {
            for (Path dir = path; dir != null && dir.startsWith(scope) && !dir.equals(scope); dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve(MARKER))) return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /** @return whether the JVM recorded in {@code marker} still runs; an unreadable marker counts as alive */
    static boolean ownerAlive(Path marker) {
        String[] fields;
        try {
            fields = Files.readString(marker).strip().split(" ");
        } catch (IOException e) {
            return true;
        }
        long pid;
        try {
            pid = Long.parseLong(fields[0]);
        } catch (NumberFormatException e) {
            return true; // not written by claim(): be safe
        }
        Optional<ProcessHandle> owner = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (owner.isEmpty()) return false;
        if (fields.length < 2 || fields[1].equals("-")) return true;
        // the same pid with another start time is a reused pid: the recorded JVM is gone
        return owner.get()
                .info()
                .startInstant()
                .map(s -> s.toString().equals(fields[1]))
                .orElse(true);
    }

    private static String fileName(String command) {
        int slash = command.lastIndexOf('/');
        return slash < 0 ? command : command.substring(slash + 1);
    }
}
