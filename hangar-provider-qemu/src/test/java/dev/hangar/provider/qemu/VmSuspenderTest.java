package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.ssh.TestKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link VmSuspender#suspend} against a real, daemonised QEMU with no machine ({@code -machine none}:
 * a migration stream of a few kilobytes, in milliseconds): the state file is complete when it
 * exists, QEMU can load it, and the two states a killed suspend leaves are handled. Resuming a real
 * guest is in QemuProviderIT.
 */
class VmSuspenderTest {
    @TempDir
    Path tmp;

    private WorkspaceDir dir;
    private WorkspaceSpec spec;
    private final List<WorkspaceDir> started = new ArrayList<>();
    private final VmSuspender suspender = new VmSuspender(Clock.systemUTC());

    @BeforeEach
    void setUp() throws Exception {
        dir = new WorkspaceDir(Files.createDirectories(tmp.resolve("ws-" + UUID.randomUUID())));
        Path keys = Files.createDirectory(tmp.resolve("keys"));
        spec = TestKeys.spec(
                UUID.randomUUID().toString(),
                "suspend-unit",
                TestKeys.hostKey(TestKeys.generate(keys, "host")),
                List.of(),
                new Resources(1, 512, 3),
                "none",
                CloudInitConfig.EMPTY);
    }

    @AfterEach
    void killLeftovers() {
        for (WorkspaceDir d : started) QemuProcess.find(d).ifPresent(ProcessHandle::destroyForcibly);
    }

    private ProcessHandle startQemu(WorkspaceDir d, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of(
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
                d.pidFile().toString(),
                "-chardev",
                "socket,id=qmp,path=" + d.qmpSocket() + ",server=on,wait=off",
                "-mon",
                "chardev=qmp,mode=control"));
        args.addAll(List.of(extra));
        started.add(d);
        assertThat(QemuProcess.launch(args, d, Duration.ofSeconds(30))).isZero();
        return QemuProcess.find(d).orElseThrow();
    }

    private static String status(WorkspaceDir d) throws IOException {
        try (QmpClient qmp = QmpClient.connect(d.qmpSocket(), Duration.ofSeconds(5))) {
            return qmp.execute("query-status").path("status").asText();
        }
    }

    @Test
    void suspendWritesACompleteStateThatQemuLoadsAndQemuExits() throws Exception {
        ProcessHandle vm = startQemu(dir);
        RecordingListener listener = new RecordingListener();

        assertThat(suspender.suspend(spec, dir, vm, listener)).isTrue();

        assertThat(QemuProcess.find(dir)).isEmpty();
        assertThat(dir.stateFile()).isNotEmptyFile();
        assertThat(dir.statePartialFile()).doesNotExist();
        assertThat(dir.qmpSocket()).doesNotExist();
        assertThat(dir.pidFile()).doesNotExist();
        assertThat(dir.cleanShutdownMarker()).exists();
        assertThat(SavedState.suspended(dir)).isTrue();
        assertThat(SavedState.stateBytes(dir)).hasValue(Files.size(dir.stateFile()));
        assertThat(listener.eventTypes()).containsExactly("vm-suspended");
        assertThat(listener.events.getFirst().getValue()).contains("vm.state").contains("QEMU exited");
        assertThat(listener.phases()).containsExactly("suspend");

        // The file is a migration stream QEMU loads (-incoming defer, then migrate-incoming): the end
        // of the load is QEMU's MIGRATION event, and cont lets the VM run.
        WorkspaceDir target = new WorkspaceDir(Files.createDirectories(tmp.resolve("target")));
        startQemu(target, QemuCommandLine.INCOMING_DEFER.toArray(String[]::new));
        assertThat(status(target)).isEqualTo("inmigrate");
        VmSuspender.Loaded loaded = VmSuspender.loadAndContinue(target, dir.stateFile());
        assertThat(loaded.failure()).isEmpty();
        assertThat(loaded.load()).isPositive();
        assertThat(loaded.greeting()).isPositive().isLessThanOrEqualTo(loaded.qmp());
        // QEMU's own figure (its event timestamps) lies within the load this thread measured, give or
        // take the wall clock's and QEMU's microsecond rounding
        assertThat(loaded.qemuLoad())
                .isPositive()
                .isLessThanOrEqualTo(loaded.load().plusMillis(2));
        assertThat(loaded.delivery()).isLessThan(loaded.load().plusMillis(2));
        assertThat(status(target)).isEqualTo("running");
    }

    @Test
    void aStateWithADamagedHeaderFailsToLoadAndQemuExits() throws Exception {
        ProcessHandle vm = startQemu(dir);
        assertThat(suspender.suspend(spec, dir, vm, new RecordingListener())).isTrue();
        try (var f = java.nio.channels.FileChannel.open(dir.stateFile(), java.nio.file.StandardOpenOption.WRITE)) {
            f.write(java.nio.ByteBuffer.wrap(new byte[64]), 0);
        }
        WorkspaceDir target = new WorkspaceDir(Files.createDirectories(tmp.resolve("target")));
        startQemu(target, QemuCommandLine.INCOMING_DEFER.toArray(String[]::new));

        VmSuspender.Loaded loaded = VmSuspender.loadAndContinue(target, dir.stateFile());

        // QEMU reports the failed load (MIGRATION failed) and exits
        assertThat(loaded.failure()).hasValueSatisfying(why -> assertThat(why).contains("failed"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> QemuProcess.find(target).isEmpty());
    }

    @Test
    void aSuspendKilledAfterTheRenameOnlyQuitsQemuAndKeepsTheState() throws Exception {
        ProcessHandle vm = startQemu(dir);
        migrateByHand(dir, dir.stateFile());
        long bytes = Files.size(dir.stateFile());
        RecordingListener listener = new RecordingListener();

        assertThat(suspender.suspend(spec, dir, vm, listener)).isTrue();

        assertThat(QemuProcess.find(dir)).isEmpty();
        assertThat(dir.stateFile()).hasSize(bytes);
        assertThat(listener.eventTypes()).containsExactly("vm-suspended");
    }

    @Test
    void aSuspendKilledBeforeTheRenameDropsTheHalfStateAndSuspendsAgain() throws Exception {
        ProcessHandle vm = startQemu(dir);
        migrateByHand(dir, dir.statePartialFile());
        Files.write(dir.statePartialFile(), new byte[] {1, 2, 3}); // whole or not: nobody saw it complete
        RecordingListener listener = new RecordingListener();

        assertThat(suspender.suspend(spec, dir, vm, listener)).isTrue();

        assertThat(QemuProcess.find(dir)).isEmpty();
        assertThat(dir.statePartialFile()).doesNotExist();
        assertThat(Files.size(dir.stateFile())).isGreaterThan(3);
        assertThat(listener.eventTypes()).containsExactly("vm-suspended");
        WorkspaceDir target = new WorkspaceDir(Files.createDirectories(tmp.resolve("target")));
        startQemu(target, QemuCommandLine.INCOMING_DEFER.toArray(String[]::new));
        assertThat(VmSuspender.loadAndContinue(target, dir.stateFile()).failure())
                .isEmpty();
        assertThat(status(target)).isEqualTo("running");
    }

    @Test
    void withFileBackedRamTheStateHoldsNoMemoryAndTheResumedGuestSeesTheFilesPages() throws Exception {
        // A real q35 machine (SeaBIOS finds nothing to boot and waits) whose 64 MiB of RAM is the
        // workspace's RAM file, as QemuCommandLine.withFileBackedRam builds it.
        String[] fileRam = {
            "-machine",
            "q35,memory-backend=" + QemuCommandLine.RAM_BACKEND_ID,
            "-m",
            "64M",
            "-object",
            "memory-backend-file,id=ram0,size=64M,mem-path=" + dir.ramFile() + ",share=on"
        };
        // created empty and owner-only first, as VmLauncher does: QEMU opens it and extends it, sparse
        Files.createFile(
                dir.ramFile(),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        ProcessHandle vm = startQemu(dir, fileRam);
        assertThat(dir.ramFile()).hasSize(64L << 20);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.ramFile())))
                .isEqualTo("rw-------");
        // what the guest has in memory at 40 MiB: written through the file, which QEMU maps shared
        byte[] page = new byte[4096];
        new java.util.Random(18).nextBytes(page);
        try (var f = java.nio.channels.FileChannel.open(dir.ramFile(), java.nio.file.StandardOpenOption.WRITE)) {
            f.write(java.nio.ByteBuffer.wrap(page), 40L << 20);
        }
        RecordingListener listener = new RecordingListener();

        assertThat(suspender.suspend(spec, dir, vm, listener)).isTrue();

        assertThat(QemuProcess.find(dir)).isEmpty();
        byte[] state = Files.readAllBytes(dir.stateFile());
        assertThat(state.length).isLessThan(1 << 20); // device state only (x-ignore-shared)
        assertThat(indexOf(state, java.util.Arrays.copyOf(page, 64))).isNegative();
        assertThat(SavedState.stateBytes(dir)).hasValue(state.length + (64L << 20));
        assertThat(listener.events.getFirst().getValue()).contains("memory kept in vm.ram (64.0 MiB)");

        // -machine none's QEMU options would not match: the resume uses the same memory as the suspend
        java.util.List<String> incoming = new ArrayList<>(List.of(fileRam));
        incoming.addAll(QemuCommandLine.INCOMING_DEFER);
        startQemu(dir, incoming.toArray(String[]::new));
        assertThat(VmSuspender.loadAndContinue(dir, dir.stateFile()).failure()).isEmpty();
        assertThat(status(dir)).isEqualTo("running");
        Path dump = tmp.resolve("page");
        try (QmpClient qmp = QmpClient.connect(dir.qmpSocket(), Duration.ofSeconds(5))) {
            qmp.execute("pmemsave", Map.of("val", 40L << 20, "size", 4096, "filename", dump.toString()));
        }
        assertThat(Files.readAllBytes(dump)).isEqualTo(page);

        SavedState.discard(dir);
        assertThat(dir.stateFile()).doesNotExist();
        assertThat(dir.ramFile()).doesNotExist();
        SavedState.discard(dir); // idempotent
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    /** What a suspend does up to the migration's completion, as if the server died right after it. */
    private static void migrateByHand(WorkspaceDir d, Path into) throws IOException {
        try (QmpClient qmp = QmpClient.connect(d.qmpSocket(), Duration.ofSeconds(5))) {
            qmp.execute("stop");
            qmp.execute("migrate", Map.of("uri", "exec:cat > " + QemuCommandLine.shellQuote(into)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> status(d).equals("postmigrate"));
    }
}
