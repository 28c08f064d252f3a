package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Talks QMP to a real, daemonised QEMU with no machine ({@code -machine none}), which starts in
 * milliseconds, and checks the process handling the provider relies on.
 */
class QmpClientTest {
    @TempDir
    Path tmp;

    private WorkspaceDir dir;

    private void startQemu() throws IOException {
        dir = new WorkspaceDir(Files.createDirectories(tmp.resolve("ws")));
        List<String> args = List.of(
                Binaries.resolve("qemu-system-x86_64", "qemu-system-x86").toString(),
                "-machine",
                "none",
                "-accel",
                "tcg",
                "-nodefaults",
                "-display",
                "none",
                "-daemonize",
                "-pidfile",
                dir.pidFile().toString(),
                "-chardev",
                "socket,id=qmp,path=" + dir.qmpSocket() + ",server=on,wait=off",
                "-mon",
                "chardev=qmp,mode=control");
        assertThat(QemuProcess.launch(args, dir, Duration.ofSeconds(30))).isZero();
    }

    @AfterEach
    void killLeftovers() {
        if (dir != null) QemuProcess.find(dir).ifPresent(ProcessHandle::destroyForcibly);
    }

    @Test
    void queriesStatusAndQuits() throws Exception {
        startQemu();
        ProcessHandle vm = QemuProcess.find(dir).orElseThrow();
        assertThat(vm.info().command()).hasValueSatisfying(c -> assertThat(c).contains("qemu-system-x86_64"));

        try (QmpClient qmp = QmpClient.connect(dir.qmpSocket(), Duration.ofSeconds(5))) {
            assertThat(qmp.execute("query-status").path("status").asText()).isEqualTo("running");
            assertThatThrownBy(() -> qmp.execute("no-such-command"))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("QMP no-such-command failed");
            qmp.execute("quit");
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> QemuProcess.find(dir).isEmpty());
    }

    @Test
    void anEventCarriesQemusTimestampAndWhenItWasRead() throws Exception {
        startQemu();
        try (QmpClient qmp = QmpClient.connect(dir.qmpSocket(), Duration.ofSeconds(5))) {
            java.time.Instant before = java.time.Instant.now();
            qmp.execute("stop"); // QEMU sends STOP, usually before the command's answer: queued
            QmpClient.Event stop = qmp.awaitEvent("STOP", data -> true, Duration.ofSeconds(5));
            java.time.Instant after = java.time.Instant.now();
            // QEMU's own clock (the event's timestamp, microseconds) lies within the call, give or take
            // its rounding; the delivery is how long the event waited to be read
            assertThat(stop.sent()).isBetween(before.minusMillis(1), after.plusMillis(1));
            assertThat(stop.read()).isBetween(before, after);
            assertThat(stop.delivery()).isLessThan(Duration.ofSeconds(5));
            qmp.execute("quit");
        }
    }

    @Test
    void aPidfileOfAnUnrelatedProcessIsNotTheVm() throws Exception {
        dir = new WorkspaceDir(Files.createDirectories(tmp.resolve("ws")));
        // Our own pid is alive but its command line does not name this pidfile (a recycled pid).
        Files.writeString(dir.pidFile(), ProcessHandle.current().pid() + "\n");

        assertThat(QemuProcess.find(dir)).isEmpty();
    }

    @Test
    void missingSocketFailsFast() {
        assertThatThrownBy(() -> QmpClient.connect(tmp.resolve("absent.sock"), Duration.ofSeconds(1)))
                .isInstanceOf(IOException.class);
    }
}
