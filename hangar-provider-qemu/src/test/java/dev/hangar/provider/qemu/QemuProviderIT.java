package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.ssh.TestKeys;
import dev.hangar.testfixtures.GuestSsh;
import dev.hangar.testfixtures.LeftoverQemuSweep;
import dev.hangar.testfixtures.TestImage;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole lifecycle with real QEMU under TCG, booting the debootstrap test image from {@code
 * tools/test-image/build.sh}, reached with the real OpenSSH client. The lifecycle: a first boot,
 * {@value #SUSPEND_CYCLES} suspend/resume cycles and a cold boot from a damaged state file, then
 * {@value #STOP_START_CYCLES} stop/start cycles (seven cold boots in all), each checked against 200
 * files' checksums; then a kill -9 for crash detection, a relaunch and a delete while it boots. (The
 * lab, several VMs on one segment, is LabAnsibleIT's in hangar-testing.)
 */
class QemuProviderIT {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(15);
    /** Suspend/resume cycles with the 200 files checked after each (issue #18 item 6). */
    private static final int SUSPEND_CYCLES = 5;
    /** Stop/start (ACPI shutdown, cold boot) cycles with the 200 files checked after each (issue #18 item 6). */
    private static final int STOP_START_CYCLES = 5;

    @TempDir
    static Path tmp;

    private static Path dataDir;
    private static Path keys;
    private static QemuProvider provider;

    @BeforeAll
    static void setUp() throws Exception {
        // QEMU processes that a killed earlier run left behind (never another's), then mark this run's home
        LeftoverQemuSweep.forTestVms().sweep();
        LeftoverQemuSweep.claim(tmp);
        Path image = TestImage.path();
        dataDir = Files.createDirectories(tmp.resolve("qemu"));
        provider = (QemuProvider)
                new QemuProviderFactory().create(new ProviderContext(dataDir, settings(), Clock.systemUTC()));
        Instant t0 = Instant.now();
        provider.imageCache().importImage(image, "debian12-test");
        System.out.println("import of the test image: "
                + Duration.between(t0, Instant.now()).toMillis() + " ms");
        // ssh refuses keys and known_hosts in group/world-accessible places (StrictModes-like checks).
        keys = Files.createDirectory(
                tmp.resolve("keys"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    private static Map<String, String> settings() {
        return Map.of(
                "accelerator", "tcg",
                "restrict-network", "true",
                "ssh-probe-timeout-seconds", "5",
                "shutdown-timeout-seconds", "60");
    }

    @AfterAll
    static void tearDown() {
        // Safety net for a failed run: no VM of this test may outlive it.
        ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").contains(dataDir.toString()))
                .forEach(ProcessHandle::destroyForcibly);
        if (provider != null) provider.close();
    }

    @Test
    void lifecycleWithRealQemuAndRealSsh() throws Exception {
        Path hostKeyFile = TestKeys.generate(keys, "host_ed25519");
        Path clientKey = TestKeys.generate(keys, "client_ed25519");
        SshHostKey hostKey = TestKeys.hostKey(hostKeyFile);
        String id = UUID.randomUUID().toString();
        WorkspaceSpec spec = TestKeys.spec(
                id,
                "it-" + id.substring(0, 8),
                hostKey,
                List.of(Files.readString(keys.resolve("client_ed25519.pub")).strip()),
                new Resources(2, 1024, 4),
                "debian12-test",
                new CloudInitConfig(List.of(), List.of("touch /var/tmp/runcmd-ran"), ""));
        RecordingListener listener = new RecordingListener();
        Path wsDir = dataDir.resolve("workspaces").resolve(id);

        // 1. First boot.
        Instant t0 = Instant.now();
        assertThat(provider.apply(spec, PowerState.RUNNING, listener)).isInstanceOf(Observation.Starting.class);
        // The serial console, while it boots: the getty that systemd starts on the kernel console
        // (console=ttyS0) answers a carriage return with a login prompt through QEMU's unix socket
        // chardev. Checked before sshd is up, so it also covers a guest whose network never comes.
        assertConsoleShowsLoginPrompt(spec);
        Observation.Running running = awaitRunning(spec);
        Duration firstBoot = Duration.between(t0, Instant.now());
        int port = running.ssh().port();
        assertThat(running.ssh().host()).isEqualTo("127.0.0.1");
        Path knownHosts = Files.writeString(
                keys.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + hostKey.publicKey() + "\n");
        // Suspend and resume (issue #18 item 1), then a corrupted state that falls back to a cold boot;
        // right after the first boot, while cloud-init may still be finishing in the guest.
        Resumed resumed = suspendAndResume(spec, clientKey, knownHosts, port, wsDir, listener);
        port = resumed.port();
        String marker = "hangar-" + UUID.randomUUID();
        // runcmd runs in cloud-final, which may finish after sshd is up: wait for it inside the guest.
        String out = ssh(
                spec,
                clientKey,
                knownHosts,
                port,
                "echo " + marker + " > ~/persist.txt && sync"
                        + " && timeout 120 sh -c 'until test -f /var/tmp/runcmd-ran; do sleep 1; done'"
                        + " && sudo -n true && hostname");
        assertThat(out.lines().toList().getLast()).isEqualTo(spec.name());
        // The guest's sshd presents the host certificate cloud-init installed: readiness saw it, and
        // the real ssh trusts the guest with only an @cert-authority line for the test CA.
        assertThat(running.detail()).contains("with a host certificate of CA");
        Path caOnly = Files.writeString(
                keys.resolve("known_hosts_ca"),
                "@cert-authority *.hangar "
                        + Files.readString(Path.of(TestKeys.ca() + ".pub")).strip() + "\n");
        String cert = ssh(
                List.of("-o", "HostKeyAlias=" + spec.name() + ".hangar"),
                spec,
                clientKey,
                caOnly,
                port,
                "sudo -n ssh-keygen -L -f /etc/ssh/ssh_host_ed25519_key-cert.pub");
        assertThat(cert).contains("host certificate").contains(spec.name() + ".hangar");
        await().atMost(Duration.ofSeconds(30)).until(() -> listener.phases().contains("ssh-ready"));
        assertThat(listener.phases()).contains("image", "disk", "seed", "boot", "ssh-ready");
        assertThat(listener.events).contains(Map.entry("accelerator", "tcg: configured"));

        // A pinned key that differs from what sshd presents must not count as Running.
        SshHostKey otherKey = TestKeys.hostKey(TestKeys.generate(keys, "other_ed25519"));
        Observation wrongKey = provider.observe(withHostKey(spec, otherKey));
        assertThat(wrongKey).isInstanceOf(Observation.Starting.class);
        assertThat(wrongKey.detail()).contains("is pinned");

        // A second provider instance (a restarted server) adopts the running VM; closing one leaves it running.
        try (QemuProvider restarted = (QemuProvider)
                new QemuProviderFactory().create(new ProviderContext(dataDir, settings(), Clock.systemUTC()))) {
            assertThat(restarted.observe(spec)).isInstanceOf(Observation.Running.class);
        }
        assertThat(provider.observe(spec)).isInstanceOf(Observation.Running.class);

        // 2.-3. Graceful stop and cold boot, STOP_START_CYCLES times (issue #18 item 6): each stop keeps
        // the disk; after each boot the file written before the first stop, a line written in every
        // earlier cycle and the 200 files of the suspend/resume cycles are all intact.
        List<Duration> stops = new ArrayList<>();
        List<Duration> boots = new ArrayList<>();
        for (int cycle = 1; cycle <= STOP_START_CYCLES; cycle++) {
            // written and synced while running; read back after the next boot
            ssh(spec, clientKey, knownHosts, port, "echo cycle-" + cycle + " >> ~/cycles.txt && sync");
            t0 = Instant.now();
            assertThat(provider.apply(spec, PowerState.STOPPED, listener)).isInstanceOf(Observation.Stopping.class);
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> provider.observe(spec) instanceof Observation.Stopped);
            stops.add(Duration.between(t0, Instant.now()));
            assertThat(qemuProcesses(wsDir)).isEmpty();
            assertThat(wsDir.resolve("overlay.qcow2")).exists();
            assertThat(wsDir.resolve("qmp.sock")).doesNotExist();
            assertThat(wsDir.resolve("console.sock")).doesNotExist();
            // a cold stop frees the RAM file the suspend part's last boot had (ADR 0020)
            assertThat(wsDir.resolve("vm.ram")).doesNotExist();
            if (cycle == 1) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> listener.eventTypes().contains("vm-stopped"));
                assertThat(listener.events.stream()
                                .filter(e -> e.getKey().equals("vm-stopped"))
                                .findFirst()
                                .orElseThrow()
                                .getValue())
                        .contains("ACPI shutdown");
            }

            t0 = Instant.now();
            provider.apply(spec, PowerState.RUNNING, listener);
            Observation.Running again = awaitRunning(spec);
            boots.add(Duration.between(t0, Instant.now()));
            // The forwarded port is kept across stop/start while it is still free; if something took
            // it meanwhile (an ephemeral port), the provider moves ssh and says so in an event.
            if (again.ssh().port() != port) {
                assertThat(listener.eventTypes()).contains("ssh-port-changed");
                port = again.ssh().port();
                Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + hostKey.publicKey() + "\n");
            }
            String expectedCycles =
                    IntStream.rangeClosed(1, cycle).mapToObj(c -> "cycle-" + c).collect(Collectors.joining("\n"));
            assertThat(ssh(spec, clientKey, knownHosts, port, "cat ~/persist.txt ~/cycles.txt"))
                    .as("stop/start cycle %d", cycle)
                    .isEqualTo(marker + "\n" + expectedCycles);
            assertThat(ssh(spec, clientKey, knownHosts, port, "cd ~/files && ls | wc -l && sha256sum f* | sha256sum"))
                    .as("the 200 files after stop/start cycle %d", cycle)
                    .isEqualTo(resumed.sums());
            System.out.printf(
                    "stop/start cycle %d: stop %d ms, boot to ssh %d ms%n",
                    cycle, stops.getLast().toMillis(), boots.getLast().toMillis());
        }

        // 4. A crash: kill -9 QEMU; the workspace is Failed with the serial console's last words.
        ProcessHandle qemu = qemuProcesses(wsDir).getFirst();
        assertThat(qemu.destroyForcibly()).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> provider.observe(spec) instanceof Observation.Failed);
        String reason = ((Observation.Failed) provider.observe(spec)).reason();
        List<String> serialTail = SerialLog.tail(wsDir.resolve("serial.log"), 1);
        assertThat(reason)
                .contains("exited unexpectedly")
                .contains("last serial console lines")
                .contains(serialTail.getFirst());
        assertThat(serialTail.getFirst()).isNotBlank();

        // 5. The reconciler's next apply reports the crash once (Failed: it then waits for a user);
        // the apply that a user's start causes relaunches (not awaited: no third boot), and
        // delete removes everything while it boots.
        assertThat(provider.apply(spec, PowerState.RUNNING, listener))
                .isInstanceOfSatisfying(
                        Observation.Failed.class,
                        f -> assertThat(f.reason())
                                .contains("exited unexpectedly")
                                .contains("hangar start"));
        assertThat(listener.eventTypes()).contains("vm-crashed");
        assertThat(provider.apply(spec, PowerState.RUNNING, listener)).isInstanceOf(Observation.Starting.class);
        assertThat(listener.eventTypes()).contains("vm-restarted");
        assertThat(qemuProcesses(wsDir)).hasSize(1);
        assertThat(provider.delete(spec, listener)).isInstanceOf(Observation.Absent.class);
        assertThat(qemuProcesses(wsDir)).isEmpty();
        assertThat(wsDir).doesNotExist();
        assertThat(provider.observe(spec)).isInstanceOf(Observation.Absent.class);
        assertThat(dataDir.resolve("images/debian12-test/root.raw")).exists();
        assertThat(provider.delete(spec, listener)).isInstanceOf(Observation.Absent.class);

        System.out.printf(
                "first boot to ssh: %d ms, stops: %s, later boots to ssh: %s, timings: %s%n",
                firstBoot.toMillis(),
                stops.stream().map(Duration::toMillis).toList(),
                boots.stream().map(Duration::toMillis).toList(),
                listener.timings);
    }

    /**
     * Boot to ssh under TCG: 47-49 s on an idle 2-core host (MACHINE.md); 3-7 minutes measured on one
     * loaded with parallel builds and other VMs (load average 12-18).
     */
    private static Observation.Running awaitRunning(WorkspaceSpec spec) {
        List<Observation> seen = new ArrayList<>();
        try {
            await().atMost(BOOT_TIMEOUT).pollInterval(Duration.ofSeconds(2)).until(() -> {
                Observation o = provider.observe(spec);
                seen.add(o);
                if (o instanceof Observation.Failed f) throw new AssertionError("VM failed: " + f.reason());
                return o instanceof Observation.Running;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Path log = dataDir.resolve("workspaces").resolve(spec.id()).resolve("serial.log");
            throw new AssertionError(
                    "not Running after " + BOOT_TIMEOUT + "; last observation " + seen.getLast() + "; serial console: "
                            + String.join("\n", SerialLog.tail(log, 30)),
                    e);
        }
        return (Observation.Running) seen.getLast();
    }

    /** Connects to the console socket the provider names, sends CR, awaits "login:" on the socket and in the log. */
    private static void assertConsoleShowsLoginPrompt(WorkspaceSpec spec) throws Exception {
        Path socket = provider.console(spec).orElseThrow().socket();
        StringBuffer seen = new StringBuffer();
        try (SocketChannel console = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            console.connect(UnixDomainSocketAddress.of(socket));
            Thread reader = Thread.ofVirtual().start(() -> {
                ByteBuffer buf = ByteBuffer.allocate(1024);
                try {
                    while (console.read(buf.clear()) > 0) {
                        seen.append(new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1));
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            });
            // The guest is still booting: press Enter every few seconds until getty prompts.
            await().atMost(BOOT_TIMEOUT).pollInterval(Duration.ofSeconds(3)).until(() -> {
                console.write(ByteBuffer.wrap("\r".getBytes(StandardCharsets.US_ASCII)));
                return seen.toString().contains("login:");
            });
            reader.interrupt();
        }
        System.out.println("serial console answered: "
                + seen.toString().strip().lines().reduce((a, b) -> b).orElse(""));
        assertThat(seen.toString()).contains(spec.name() + " login:");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> String.join("\n", provider.consoleLog(spec, 20).orElseThrow())
                        .contains("login:"));
    }

    /**
     * 200 files in the guest, {@value #SUSPEND_CYCLES} cycles of suspend (the state file beside the
     * overlay, QEMU gone) and resume timed to the first working ssh command, checksums after each,
     * the guest's network, and its clock after the first cycle's 22 s suspended; then a state file
     * with a destroyed header: the start boots the disk cold, says so in an event, and the files are
     * still there. Prints the figures (not asserted: TCG on a shared host).
     */
    private static Resumed suspendAndResume(
            WorkspaceSpec running,
            Path clientKey,
            Path knownHosts,
            int firstPort,
            Path wsDir,
            RecordingListener listener)
            throws Exception {
        WorkspaceSpec spec = withSettings(running, Map.of("stop", "suspend"));
        int port = firstPort;
        String sums = ssh(
                spec,
                clientKey,
                knownHosts,
                port,
                "mkdir -p ~/files && cd ~/files && for i in $(seq 1 200); do head -c 8192 /dev/urandom > f$i; done"
                        + " && sync && ls | wc -l && sha256sum f* | sha256sum");
        assertThat(sums.lines().findFirst()).hasValue("200");

        List<ResumeFigures> cycles = new ArrayList<>();
        for (int cycle = 1; cycle <= SUSPEND_CYCLES; cycle++) {
            // The first cycle stays suspended long enough for an uncorrected clock to show.
            Duration suspendedFor = cycle == 1 ? Duration.ofSeconds(22) : Duration.ZERO;
            ResumeFigures f = suspendResumeCycle(spec, clientKey, knownHosts, port, wsDir, listener, suspendedFor);
            port = f.port();
            // every cycle: all 200 files with their contents
            assertThat(ssh(spec, clientKey, knownHosts, port, "cd ~/files && ls | wc -l && sha256sum f* | sha256sum"))
                    .isEqualTo(sums);
            System.out.println("suspend/resume cycle " + cycle + ": " + f);
            cycles.add(f);
        }
        // The guest's network: its NIC keeps its DHCP address (restrict=on gives it no default route),
        // and new connections come in through user networking (each ssh above is one).
        String net = ssh(spec, clientKey, knownHosts, port, "ip -4 -o addr show eth0");
        assertThat(net).contains("10.0.2.15/24");
        // The guest's wall clock after 22 s suspended: corrected by the resume, not by the guest's own
        // time sync (which has no network here).
        assertThat(cycles.getFirst().clockSkewMillis())
                .as("guest clock minus host clock right after resuming from 22 s suspended, ms")
                .isBetween(-2000L, 2000L);
        System.out.printf(
                "suspend/resume medians of %d cycles: suspend %d ms (state %d bytes), resume apply %d ms, resume to"
                        + " working ssh %d ms; first cycle's guest clock skew %d ms%n",
                cycles.size(),
                median(cycles, ResumeFigures::suspendMillis),
                median(cycles, ResumeFigures::stateBytes),
                median(cycles, ResumeFigures::applyMillis),
                median(cycles, ResumeFigures::toSshMillis),
                cycles.getFirst().clockSkewMillis());
        await().atMost(Duration.ofMinutes(5)).until(() -> provider.observe(spec) instanceof Observation.Running);

        // A state file that does not load: cold boot from the kept disk, with an event saying so.
        assertThat(provider.apply(spec, PowerState.STOPPED, listener)).isInstanceOf(Observation.Stopped.class);
        Path state = wsDir.resolve("vm.state");
        try (var f = java.nio.channels.FileChannel.open(state, java.nio.file.StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.wrap(new byte[64 * 1024]), 0);
        }
        assertThat(provider.apply(spec, PowerState.RUNNING, listener)).isInstanceOf(Observation.Starting.class);
        assertThat(listener.eventTypes()).contains("resume-failed");
        assertThat(listener.events.stream()
                        .filter(e -> e.getKey().equals("resume-failed"))
                        .findFirst()
                        .orElseThrow()
                        .getValue())
                .contains("cold boot");
        assertThat(state).doesNotExist();
        assertThat(wsDir.resolve("vm.state.resuming")).doesNotExist();
        Observation.Running cold = awaitRunning(spec);
        port = followPort(wsDir, port, running, knownHosts, listener);
        assertThat(cold.ssh().port()).isEqualTo(port);
        assertThat(ssh(spec, clientKey, knownHosts, port, "cd ~/files && ls | wc -l && sha256sum f* | sha256sum"))
                .isEqualTo(sums);

        // That cold boot was of a template with stop: suspend, so the guest's RAM is now the file vm.ram
        // (ADR 0020; the first boot above had anonymous memory, which the cycles above migrated whole):
        // a suspend saves device state only, the resume maps the file, and the files are intact.
        assertThat(wsDir.resolve("vm.ram")).isNotEmptyFile();
        ResumeFigures fileRam = suspendResumeCycle(spec, clientKey, knownHosts, port, wsDir, listener, Duration.ZERO);
        port = fileRam.port();
        assertThat(fileRam.stateBytes()).as("device state only, bytes").isLessThan(4L << 20);
        assertThat(ssh(spec, clientKey, knownHosts, port, "cd ~/files && ls | wc -l && sha256sum f* | sha256sum"))
                .isEqualTo(sums);
        assertThat(wsDir.resolve("vm.ram")).isNotEmptyFile();
        System.out.println("suspend/resume with the RAM file: " + fileRam);
        System.out.println("suspend/resume events: "
                + listener.events.stream()
                        .filter(e -> e.getKey().startsWith("vm-suspended")
                                || e.getKey().startsWith("vm-resumed")
                                || e.getKey().startsWith("resume-failed"))
                        .toList());
        return new Resumed(port, sums);
    }

    /**
     * @param port the ssh port after the suspend/resume part
     * @param sums the 200 files' count and combined checksum, as {@code ls | wc -l && sha256sum f* |
     *     sha256sum} prints them in {@code ~/files}
     */
    private record Resumed(int port, String sums) {}

    /**
     * One cycle's figures.
     *
     * @param suspendMillis the suspending apply, ms
     * @param stateBytes the state file's size
     * @param applyMillis the resuming apply (QEMU launched, state loaded, VM continued, sshd probed), ms
     * @param runningAfterApply whether that apply returned Running (its probe saw the pinned key)
     * @param toSshMillis from the resuming apply's start to the first working ssh command, ms
     * @param clockSkewMillis the guest's wall clock minus the host's right after that ssh, ms
     * @param phases the provider's phase timings of the resume, ms
     * @param port the ssh port after the resume
     */
    private record ResumeFigures(
            long suspendMillis,
            long stateBytes,
            long applyMillis,
            boolean runningAfterApply,
            long toSshMillis,
            long clockSkewMillis,
            Map<String, Long> phases,
            int port) {}

    /**
     * Suspends the running VM (the state file beside the overlay, QEMU gone), leaves it suspended
     * for {@code suspendedFor}, resumes it and times the first working ssh command.
     */
    private static ResumeFigures suspendResumeCycle(
            WorkspaceSpec spec,
            Path clientKey,
            Path knownHosts,
            int firstPort,
            Path wsDir,
            RecordingListener listener,
            Duration suspendedFor)
            throws Exception {
        int events = listener.events.size();
        int timings = listener.timings.size();
        Instant t0 = Instant.now();
        Observation suspended = provider.apply(spec, PowerState.STOPPED, listener);
        long suspendMillis = Duration.between(t0, Instant.now()).toMillis();
        assertThat(suspended).isInstanceOf(Observation.Stopped.class);
        assertThat(suspended.detail()).startsWith("suspended, ").endsWith(" state");
        assertThat(qemuProcesses(wsDir)).isEmpty();
        assertThat(wsDir.resolve("vm.state")).isNotEmptyFile();
        assertThat(wsDir.resolve("vm.state.partial")).doesNotExist();
        assertThat(provider.observe(spec).detail()).isEqualTo(suspended.detail());
        assertThat(listener.eventTypes().subList(events, listener.events.size()))
                .contains("vm-suspended");
        long stateBytes = Files.size(wsDir.resolve("vm.state"));
        if (!suspendedFor.isZero()) {
            await().pollDelay(suspendedFor).atMost(suspendedFor.plusSeconds(5)).until(() -> true);
        }

        t0 = Instant.now();
        Observation resumed = provider.apply(spec, PowerState.RUNNING, listener);
        long applyMillis = Duration.between(t0, Instant.now()).toMillis();
        // Running when the apply's own probe got the pinned key, Starting when it timed out (busy host)
        assertThat(resumed).isInstanceOfAny(Observation.Running.class, Observation.Starting.class);
        // the resume is synchronous: it loaded the state (or fell back) before apply returned
        List<String> types = listener.eventTypes().subList(events, listener.events.size());
        assertThat(types)
                .withFailMessage(() -> "events: " + listener.events)
                .contains("vm-resumed")
                .doesNotContain("resume-failed");
        int port = followPort(wsDir, firstPort, spec, knownHosts, listener);
        GuestSsh guest = new GuestSsh(port, spec.sshUser(), clientKey, knownHosts);
        try {
            await().atMost(Duration.ofMinutes(2))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> guest.run(List.of("-o", "ConnectTimeout=5"), "true", Duration.ofSeconds(10))
                                    .code()
                            == 0);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            String status;
            try (QmpClient qmp = QmpClient.connect(wsDir.resolve("qmp.sock"), Duration.ofSeconds(5))) {
                status = qmp.execute("query-status").toString();
            } catch (IOException io) {
                status = io.toString();
            }
            throw new AssertionError(
                    "no ssh after the resume; QMP query-status " + status + "; events " + listener.events
                            + "; serial console: " + String.join("\n", SerialLog.tail(wsDir.resolve("serial.log"), 30)),
                    e);
        }
        long toSshMillis = Duration.between(t0, Instant.now()).toMillis();
        assertThat(wsDir.resolve("vm.state")).doesNotExist();
        assertThat(wsDir.resolve("vm.state.resuming")).doesNotExist();
        Instant before = Instant.now();
        long guestMillis = Long.parseLong(ssh(spec, clientKey, knownHosts, port, "date +%s%3N"));
        Instant after = Instant.now();
        // the guest read its clock between before and after: skew is 0 anywhere in that interval
        long skew = guestMillis < before.toEpochMilli()
                ? guestMillis - before.toEpochMilli()
                : Math.max(0, guestMillis - after.toEpochMilli());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> listener.phases()
                        .subList(timings, listener.timings.size())
                        .contains("ssh-ready"));
        Map<String, Long> phases = new java.util.LinkedHashMap<>();
        listener.timings
                .subList(timings, listener.timings.size())
                .forEach(t -> phases.put(t.getKey(), t.getValue().toMillis()));
        return new ResumeFigures(
                suspendMillis,
                stateBytes,
                applyMillis,
                resumed instanceof Observation.Running,
                toSshMillis,
                skew,
                phases,
                port);
    }

    private static long median(List<ResumeFigures> figures, java.util.function.ToLongFunction<ResumeFigures> f) {
        long[] v = figures.stream().mapToLong(f).sorted().toArray();
        return v[v.length / 2];
    }

    /**
     * The ssh port after a launch: kept while free, else moved with an {@code ssh-port-changed} event
     * (then known_hosts follows it).
     */
    private static int followPort(Path wsDir, int port, WorkspaceSpec spec, Path knownHosts, RecordingListener listener)
            throws IOException {
        int now = Integer.parseInt(Files.readString(wsDir.resolve("ssh-port")).strip());
        if (now != port) {
            assertThat(listener.eventTypes()).contains("ssh-port-changed");
            Files.writeString(
                    knownHosts, "[127.0.0.1]:" + now + " " + spec.hostKey().publicKey() + "\n");
        }
        return now;
    }

    private static WorkspaceSpec withSettings(WorkspaceSpec s, Map<String, String> settings) {
        return new WorkspaceSpec(
                s.id(),
                s.name(),
                s.owner(),
                s.template(),
                s.resources(),
                s.image(),
                s.sshUser(),
                s.authorizedKeys(),
                s.hostKey(),
                s.hostCertificate(),
                s.cloudInit(),
                settings);
    }

    private static WorkspaceSpec withHostKey(WorkspaceSpec s, SshHostKey key) {
        return new WorkspaceSpec(
                s.id(),
                s.name(),
                s.owner(),
                s.template(),
                s.resources(),
                s.image(),
                s.sshUser(),
                s.authorizedKeys(),
                key,
                TestKeys.certificate(key, s.name()),
                s.cloudInit(),
                s.settings());
    }

    /** Runs a command in the workspace with the real OpenSSH client, host key checked strictly; must exit 0. */
    private static String ssh(WorkspaceSpec spec, Path key, Path knownHosts, int port, String command)
            throws IOException, InterruptedException {
        return new GuestSsh(port, spec.sshUser(), key, knownHosts)
                .check(command)
                .strip();
    }

    /** Like {@link #ssh(WorkspaceSpec, Path, Path, int, String)}, with more ssh {@code -o} options. */
    private static String ssh(
            List<String> options, WorkspaceSpec spec, Path key, Path knownHosts, int port, String command)
            throws IOException, InterruptedException {
        return new GuestSsh(port, spec.sshUser(), key, knownHosts)
                .run(options, command, Duration.ofMinutes(2))
                .orThrow("ssh " + command)
                .out()
                .strip();
    }

    private static List<ProcessHandle> qemuProcesses(Path wsDir) {
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").contains(wsDir.toString()))
                .filter(h -> h.info().command().orElse("").contains("qemu-system"))
                .filter(ProcessHandle::isAlive)
                .toList();
    }
}
