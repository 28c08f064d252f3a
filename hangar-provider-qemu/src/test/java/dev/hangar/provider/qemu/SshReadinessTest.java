package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.ssh.TestKeys;
import dev.hangar.testfixtures.OpenSshd;
import dev.hangar.testfixtures.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SshReadiness#observe} probes a QEMU process (pid) until it answered with the pinned key,
 * and then no more: a verified process is Running without a key exchange; another process (a
 * restart) or one whose verification is gone is probed again. Against a real sshd serving the workspace's pinned host key and certificate; the probes
 * are counted in sshd's own log (each probe's "[preauth]" line, LogLevel VERBOSE). No QEMU runs: the pid file
 * names a process that does not exist, which only its identity matters for here (the background
 * watcher is not started).
 */
class SshReadinessTest {
    @TempDir
    Path tmp;

    @Test
    void aVerifiedVmIsNotProbedAgainAnotherVmOrAnUnverifiedOneIs() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        Path hostKeyFile = TestKeys.generate(keys, "host_ed25519");
        SshHostKey hostKey = TestKeys.hostKey(hostKeyFile);
        WorkspaceSpec spec = TestKeys.spec(
                UUID.randomUUID().toString(),
                "ready",
                hostKey,
                List.of(),
                new Resources(1, 512, 1),
                "debian12-test",
                new CloudInitConfig(List.of(), List.of(), ""));
        try (OpenSshd sshd = OpenSshd.builder(tmp.resolve("sshd"))
                        .hostKey(Files.readString(hostKeyFile))
                        .hostCertificate(spec.hostCertificate())
                        .start();
                ExecutorService background = Executors.newVirtualThreadPerTaskExecutor()) {
            WorkspaceDir d = new WorkspaceDir(Files.createDirectories(tmp.resolve("ws")));
            d.write(d.sshPortFile(), Integer.toString(sshd.port()));
            d.write(d.pidFile(), "999999001");
            TestClock clock = new TestClock();
            SshReadiness readiness = new SshReadiness(
                    QemuSettings.parse(Map.of()),
                    clock,
                    new AcceleratorChoice(Accelerator.TCG, "tcg: configured"),
                    background);

            assertThat(readiness.observe(spec, d)).isInstanceOf(Observation.Running.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> connections(sshd) == 1);

            // The reconciler's arrival pass observes again right after: the match is reused.
            clock.advance(SshReadiness.MATCH_REUSE.minusMillis(1));
            assertThat(readiness.observe(spec, d)).isInstanceOf(Observation.Running.class);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> connections(sshd) == 1);

            // Once the match is old, still no probe: this QEMU process is verified (ssh-verified), and
            // a pass that observes before stopping it must not pay a key exchange with the guest.
            clock.advance(Duration.ofMillis(1));
            assertThat(d.read(d.sshVerifiedFile())).contains(SshReadiness.verification(999999001L, spec));
            assertThat(readiness.observe(spec, d))
                    .isInstanceOf(Observation.Running.class)
                    .extracting(Observation::detail)
                    .asString()
                    .contains("verified for this boot");
            clock.advance(Duration.ofMinutes(5));
            assertThat(readiness.observe(spec, d)).isInstanceOf(Observation.Running.class);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> connections(sshd) == 1);

            // Another QEMU process (a restart): its own probe, although the last match is fresh.
            d.write(d.pidFile(), "999999002");
            assertThat(readiness.observe(spec, d)).isInstanceOf(Observation.Running.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> connections(sshd) == 2);
            assertThat(d.read(d.sshVerifiedFile())).contains(SshReadiness.verification(999999002L, spec));

            // A pin that changed is checked again, although this process is verified for the old one:
            // sshd still presents the old key, so the workspace is not Running under the new pin.
            clock.advance(Duration.ofMinutes(5));
            WorkspaceSpec repinned = TestKeys.spec(
                    spec.id(),
                    "ready",
                    TestKeys.hostKey(TestKeys.generate(keys, "other_ed25519")),
                    List.of(),
                    new Resources(1, 512, 1),
                    "debian12-test",
                    new CloudInitConfig(List.of(), List.of(), ""));
            assertThat(readiness.observe(repinned, d)).isInstanceOf(Observation.Starting.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> connections(sshd) == 3);
            assertThat(d.read(d.sshVerifiedFile())).contains(SshReadiness.verification(999999002L, spec));

            // After cancel (a stop) and without the verification (a reset deletes it), the next
            // observe probes.
            readiness.cancel(spec);
            Files.delete(d.sshVerifiedFile());
            assertThat(readiness.observe(spec, d)).isInstanceOf(Observation.Running.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> connections(sshd) == 4);
            readiness.close();
        }
    }

    @Test
    void aResumedVmIsRunningOnOneAnsweredConnectionWithoutAKeyExchange() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        Path hostKeyFile = TestKeys.generate(keys, "host_ed25519");
        WorkspaceSpec spec = TestKeys.spec(
                UUID.randomUUID().toString(),
                "resumed",
                TestKeys.hostKey(hostKeyFile),
                List.of(),
                new Resources(1, 512, 1),
                "debian12-test",
                new CloudInitConfig(List.of(), List.of(), ""));
        try (OpenSshd sshd = OpenSshd.builder(tmp.resolve("sshd"))
                        .hostKey(Files.readString(hostKeyFile))
                        .hostCertificate(spec.hostCertificate())
                        .start();
                ExecutorService background = Executors.newVirtualThreadPerTaskExecutor()) {
            WorkspaceDir d = new WorkspaceDir(Files.createDirectories(tmp.resolve("ws")));
            d.write(d.pidFile(), "999999003");
            TestClock clock = new TestClock();
            SshReadiness readiness = new SshReadiness(
                    QemuSettings.parse(Map.of()),
                    clock,
                    new AcceleratorChoice(Accelerator.TCG, "tcg: configured"),
                    background);
            RecordingListener listener = new RecordingListener();

            // Nothing answers on the port (a resumed guest whose network is not back): not Running.
            try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
                d.write(d.sshPortFile(), Integer.toString(closed.getLocalPort()));
            }
            assertThat(readiness.probeResumed(spec, d, listener)).isInstanceOf(Observation.Starting.class);
            assertThat(listener.eventTypes()).doesNotContain("ssh-ready");
            readiness.cancel(spec);

            d.write(d.sshPortFile(), Integer.toString(sshd.port()));
            long before = clientPorts(sshd);
            Observation resumed = readiness.probeResumed(spec, d, listener);
            assertThat(resumed).isInstanceOf(Observation.Running.class);
            assertThat(resumed.detail()).contains("SSH-2.0-OpenSSH");
            assertThat(listener.eventTypes()).containsOnlyOnce("ssh-ready");
            // one connection, closed after sshd's identification line: no key exchange
            await().atMost(Duration.ofSeconds(10)).until(() -> clientPorts(sshd) == before + 1);
            assertThat(connections(sshd)).isZero();
            // The reconciler's pass right after the resuming apply reuses the answer.
            assertThat(readiness.observe(spec, d)).isInstanceOf(Observation.Running.class);
            await().during(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(2))
                    .until(() -> clientPorts(sshd) == before + 1);
            readiness.close();
        }
    }

    private static final Pattern CONNECTION_PORT = Pattern.compile("Connection from 127\\.0\\.0\\.1 port (\\d+)");

    /** @return how many connections sshd accepted: the client ports of its "Connection from" lines */
    private static long clientPorts(OpenSshd sshd) {
        return sshd.log()
                .lines()
                .map(CONNECTION_PORT::matcher)
                .filter(Matcher::find)
                .map(m -> m.group(1))
                .distinct()
                .count();
    }

    private static final Pattern PREAUTH_PORT = Pattern.compile("127\\.0\\.0\\.1 port (\\d+) \\[preauth]");

    /**
     * @return how many connections got as far as a key exchange (a probe): their client ports in
     *     sshd's "[preauth]" lines; the fixture's own start-up connects close before the SSH
     *     identification and do not count
     */
    private static long connections(OpenSshd sshd) {
        return sshd.log()
                .lines()
                .map(PREAUTH_PORT::matcher)
                .filter(Matcher::find)
                .map(m -> m.group(1))
                .distinct()
                .count();
    }
}
