package dev.hangar.testfixtures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep's decision without QEMU: fake "QEMU" processes are copies of {@code sleep} named {@code
 * qemu-system-x86_64} inside test homes, so the real predicate and the real process table are used,
 * limited to this test's temp directory.
 */
class LeftoverQemuSweepTest {
    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killFakes() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void stopsOnlyTheQemuOfAHomeWhoseJvmIsGone() throws Exception {
        Path earlier = Files.createDirectories(tmp.resolve("earlier-run"));
        Files.writeString(earlier.resolve(LeftoverQemuSweep.MARKER), deadPid() + " 2026-01-01T00:00:00Z\n");
        Path current = Files.createDirectories(tmp.resolve("current-run"));
        LeftoverQemuSweep.claim(current);
        Path unmarked = Files.createDirectories(tmp.resolve("someone-elses-vm"));

        Process leftover = fakeQemu(earlier.resolve("ws/vm1"));
        Process ours = fakeQemu(current.resolve("ws/vm2"));
        Process notATest = fakeQemu(unmarked);

        List<LeftoverQemuSweep.Swept> swept = sweep().sweep();

        assertThat(swept).extracting(LeftoverQemuSweep.Swept::pid).containsExactly(leftover.pid());
        assertThat(swept.getFirst().home()).isEqualTo(earlier);
        await().atMost(Duration.ofSeconds(15)).until(() -> !leftover.isAlive());
        assertThat(ours.isAlive()).as("a QEMU of a live test JVM").isTrue();
        assertThat(notATest.isAlive()).as("a QEMU outside any marked test home").isTrue();
        assertThat(sweep().sweep()).as("a second sweep finds nothing").isEmpty();
    }

    @Test
    void aReusedPidCountsAsGoneAndGarbageAsAlive() throws IOException {
        Path marker = tmp.resolve("marker");
        ProcessHandle me = ProcessHandle.current();
        Files.writeString(marker, me.pid() + " " + Instant.EPOCH + "\n");
        assertThat(LeftoverQemuSweep.ownerAlive(marker))
                .as("same pid, other start time")
                .isFalse();
        LeftoverQemuSweep.claim(tmp);
        assertThat(LeftoverQemuSweep.ownerAlive(tmp.resolve(LeftoverQemuSweep.MARKER)))
                .isTrue();
        Files.writeString(marker, "not-a-pid\n");
        assertThat(LeftoverQemuSweep.ownerAlive(marker))
                .as("unreadable markers are left alone")
                .isTrue();
        assertThat(LeftoverQemuSweep.ownerAlive(tmp.resolve("missing"))).isTrue();
    }

    @Test
    void findsPathsInOptionsAndHomesOnlyUnderTheScope() throws IOException {
        assertThat(LeftoverQemuSweep.pathsIn(List.of(
                        "/usr/bin/qemu-system-x86_64",
                        "-pidfile",
                        "/tmp/h/ws/qemu.pid",
                        "-drive",
                        "file=/tmp/h/ws/disk.qcow2,if=virtio,format=qcow2",
                        "-qmp",
                        "unix:/tmp/h/ws/qmp.sock,server=on",
                        "-m",
                        "1024")))
                .containsExactly(
                        Path.of("/usr/bin/qemu-system-x86_64"),
                        Path.of("/tmp/h/ws/qemu.pid"),
                        Path.of("/tmp/h/ws/disk.qcow2"),
                        Path.of("/tmp/h/ws/qmp.sock"));

        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(home.resolve(LeftoverQemuSweep.MARKER), deadPid() + "\n");
        LeftoverQemuSweep sweep = sweep();
        assertThat(sweep.abandonedHome(List.of("qemu", "-pidfile", home.resolve("a/b/qemu.pid") + "")))
                .contains(home);
        assertThat(sweep.abandonedHome(List.of("qemu", "-pidfile", "/var/lib/vm/qemu.pid")))
                .isEmpty();
        LeftoverQemuSweep narrower = new LeftoverQemuSweep(h -> true, List.of(tmp.resolve("other")));
        assertThat(narrower.abandonedHome(List.of("qemu", "-pidfile", home.resolve("qemu.pid") + "")))
                .as("a home outside the scope")
                .isEmpty();
    }

    private LeftoverQemuSweep sweep() {
        return new LeftoverQemuSweep(
                h -> h.info()
                        .command()
                        .map(c -> c.endsWith("/qemu-system-x86_64"))
                        .orElse(false),
                List.of(tmp));
    }

    /** A copy of sleep named like QEMU, run from {@code dir}, so its executable path points into the home. */
    private Process fakeQemu(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path exe = dir.resolve("qemu-system-x86_64");
        Files.copy(Path.of("/bin/sleep"), exe, StandardCopyOption.COPY_ATTRIBUTES);
        Process p = new ProcessBuilder(exe.toString(), "300").start();
        started.add(p);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> p.info()
                        .command()
                        .map(c -> c.endsWith("/qemu-system-x86_64"))
                        .orElse(false));
        return p;
    }

    /** The pid of a process that has exited. */
    private static long deadPid() throws IOException {
        try {
            Process p = new ProcessBuilder("true").start();
            p.waitFor();
            return p.pid();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
