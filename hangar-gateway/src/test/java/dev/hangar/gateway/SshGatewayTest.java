package dev.hangar.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hangar.cli.sshconfig.WorkspaceHostKey;
import dev.hangar.testfixtures.OpenSshd;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway with the real OpenSSH client ({@code ssh}, {@code scp}, {@code sftp}) and a real
 * {@code sshd} as the workspace, configured only by what {@code SshConfigWriter} writes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SshGatewayTest {
    private static final Duration T = Duration.ofSeconds(60);

    /** The Hangar user who owns the workspaces; the workspace sshd can only log in the OS user running the test. */
    private final String me = System.getProperty("user.name");

    @TempDir
    static Path tmp;

    private final MapDirectory directory = new MapDirectory();
    private final RecordingAudit audit = new RecordingAudit();
    private OpenSshd workspace;
    private OpenSshd impostor;
    private SshGateway gateway;
    private Path meConfig;
    private Path bobConfig;
    private Path carolConfig;
    private Path malloryConfig;

    @BeforeAll
    void start() throws IOException {
        KeyPairFiles meKey = KeyPairFiles.generate(tmp, "me");
        KeyPairFiles bobKey = KeyPairFiles.generate(tmp, "bob");
        KeyPairFiles carolKey = KeyPairFiles.generate(tmp, "carol");
        KeyPairFiles malloryKey = KeyPairFiles.generate(tmp, "mallory");
        workspace = OpenSshd.start(tmp.resolve("ws-dev"), List.of(meKey.publicLine(), carolKey.publicLine()));
        // another sshd with its own host key: what a workspace endpoint serving a different key looks like
        impostor = OpenSshd.start(tmp.resolve("ws-impostor"), List.of(meKey.publicLine()));

        directory
                .key(me, meKey.publicLine())
                .key("bob", bobKey.publicLine())
                .key("carol", carolKey.publicLine())
                .admin("carol")
                .workspace("dev", new WorkspaceTarget.Reachable("id-dev", me, "127.0.0.1", workspace.port()))
                .workspace("idle", new WorkspaceTarget.Unreachable("id-idle", me, "Stopped"))
                .workspace("gone", new WorkspaceTarget.Reachable("id-gone", me, "127.0.0.1", closedPort()))
                .workspace("moved", new WorkspaceTarget.Reachable("id-moved", me, "127.0.0.1", impostor.port()))
                .workspace("bobs", new WorkspaceTarget.Reachable("id-bobs", "bob", "127.0.0.1", workspace.port()));
        gateway = LoopbackGateway.start(tmp.resolve("gateway-state"), directory, audit);

        // "moved" is pinned to the real workspace's key but its endpoint now answers with another key
        List<WorkspaceHostKey> mine = List.of(
                new WorkspaceHostKey("dev", workspace.hostKeyLine()),
                new WorkspaceHostKey("moved", workspace.hostKeyLine()),
                new WorkspaceHostKey("nope", workspace.hostKeyLine()),
                new WorkspaceHostKey("idle", workspace.hostKeyLine()));
        List<WorkspaceHostKey> mesDev = List.of(new WorkspaceHostKey("dev." + me, workspace.hostKeyLine()));
        meConfig = userConfig("home-me", me, meKey, mine);
        bobConfig = userConfig("home-bob", "bob", bobKey, mesDev);
        carolConfig = userConfig("home-carol", "carol", carolKey, mesDev);
        malloryConfig = userConfig("home-mallory", me, malloryKey, mine);
    }

    /** @return the ~/.ssh/config that config-ssh produced in a fresh home (it Includes ~/.ssh/hangar/config) */
    private Path userConfig(String home, String user, KeyPairFiles key, List<WorkspaceHostKey> workspaceKeys) {
        return LoopbackGateway.userConfig(gateway, tmp.resolve(home), user, key.privateKey(), workspaceKeys);
    }

    /** @return a loopback port nothing listens on (just released) */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @AfterAll
    void stop() {
        if (gateway != null) gateway.close();
        if (workspace != null) workspace.close();
        if (impostor != null) impostor.close();
    }

    private static List<String> ssh(Path config, String... args) {
        List<String> cmd = new ArrayList<>(
                List.of("ssh", "-F", config.toString(), "-o", "BatchMode=yes", "-o", "ConnectTimeout=20"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private List<ConnectionRecord> recordsFor(String target) {
        return audit.connections.stream().filter(r -> r.target().equals(target)).toList();
    }

    private ConnectionRecord awaitRecord(String target) {
        return await().atMost(Duration.ofSeconds(10))
                .until(() -> recordsFor(target), l -> !l.isEmpty())
                .getLast();
    }

    /** @return the newest record for {@code target}, after checking it was denied for {@code reason} */
    private ConnectionRecord awaitDenied(String target, Denial reason) {
        ConnectionRecord rec = awaitRecord(target);
        assertThat(rec.outcome())
                .isInstanceOfSatisfying(
                        Outcome.Denied.class, d -> assertThat(d.reason()).isEqualTo(reason));
        return rec;
    }

    @Test
    void runsACommandInTheWorkspaceEndToEndAndAuditsIt() {
        int before = recordsFor("dev.hangar:22").size();
        long openedBefore = audit.opened.stream()
                .filter(o -> o.target().equals("dev.hangar:22"))
                .count();
        Proc.Result r = Proc.ok(T, ssh(meConfig, "dev.hangar", "echo hello-$((6*7)) from $(hostname)"));

        assertThat(r.stdout()).startsWith("hello-42 from ");
        ConnectionRecord rec = await().atMost(Duration.ofSeconds(10))
                .until(() -> recordsFor("dev.hangar:22"), l -> l.size() > before)
                .getLast();
        assertThat(rec.user()).isEqualTo(me);
        assertThat(rec.workspaceId()).isEqualTo("id-dev");
        assertThat(rec.outcome()).isEqualTo(new Outcome.Relayed());
        assertThat(rec.source()).startsWith("127.0.0.1:");
        // key exchange, auth and the command's output all went through the relay
        assertThat(rec.bytesToWorkspace()).isGreaterThan(1000);
        assertThat(rec.bytesFromWorkspace()).isGreaterThan(1000);
        assertThat(rec.duration()).isPositive();
        // the relay's opening was reported too, before any byte was counted
        List<ConnectionRecord> opened = audit.opened.stream()
                .filter(o -> o.target().equals("dev.hangar:22"))
                .toList();
        assertThat(opened).hasSizeGreaterThan((int) openedBefore);
        assertThat(opened)
                .filteredOn(
                        o -> o.startedAt().equals(rec.startedAt()) && o.source().equals(rec.source()))
                .singleElement()
                .satisfies(o -> {
                    assertThat(o.user()).isEqualTo(me);
                    assertThat(o.workspaceId()).isEqualTo("id-dev");
                    assertThat(o.outcome()).isEqualTo(new Outcome.Relayed());
                    assertThat(o.duration()).isZero();
                    assertThat(o.bytesToWorkspace()).isZero();
                });
    }

    @Test
    void scpCopiesAFileToTheWorkspaceAndBack() throws IOException {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(data);
        Path local = tmp.resolve("scp-up.bin");
        Files.write(local, data);
        Path remote = workspace.dir().resolve("scp-remote.bin");
        Path back = tmp.resolve("scp-back.bin");

        Proc.ok(
                T,
                List.of(
                        "scp",
                        "-F",
                        meConfig.toString(),
                        "-o",
                        "BatchMode=yes",
                        local.toString(),
                        "dev.hangar:" + remote));
        // the upload's relay is audited with at least the file's size (plus SSH overhead) sent up
        await().atMost(Duration.ofSeconds(10))
                .until(() -> recordsFor("dev.hangar:22").stream()
                        .anyMatch(r -> r.bytesToWorkspace() > data.length && r.bytesFromWorkspace() < data.length));
        Proc.ok(
                T,
                List.of(
                        "scp",
                        "-F",
                        meConfig.toString(),
                        "-o",
                        "BatchMode=yes",
                        "dev.hangar:" + remote,
                        back.toString()));

        assertThat(Files.readAllBytes(remote)).isEqualTo(data);
        assertThat(Files.readAllBytes(back)).isEqualTo(data);
    }

    @Test
    void remoteForwardIsServedByTheWorkspaceSshdThroughTheGateway() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> serveEcho(echo));
            Path errLog = tmp.resolve("ssh-R.err");
            List<String> cmd = ssh(
                    meConfig,
                    "-N",
                    "-o",
                    "ExitOnForwardFailure=yes",
                    "-R",
                    "127.0.0.1:0:127.0.0.1:" + echo.getLocalPort(),
                    "dev.hangar");
            ProcessBuilder pb =
                    new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(errLog.toFile());
            pb.environment().remove("SSH_AUTH_SOCK");
            Process ssh = pb.start();
            try {
                // ssh(1) prints the port the workspace's sshd allocated for "-R 0:..."
                Pattern allocated = Pattern.compile("Allocated port (\\d+) for remote forward");
                String out = await().atMost(Duration.ofSeconds(30))
                        .until(
                                () -> Files.readString(errLog),
                                s -> allocated.matcher(s).find() || !ssh.isAlive());
                Matcher m = allocated.matcher(out);
                assertThat(m.find()).as("ssh -R output: %s", out).isTrue();
                int port = Integer.parseInt(m.group(1));

                // connect on the "workspace" side: the workspace's sshd forwards it back over the session
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write("ping through -R\n".getBytes(StandardCharsets.UTF_8));
                    String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                            .readLine();
                    assertThat(line).isEqualTo("ping through -R");
                }
            } finally {
                ssh.destroy();
                ssh.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void serveEcho(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> {
                    try (s;
                            InputStream in = s.getInputStream();
                            OutputStream out = s.getOutputStream()) {
                        in.transferTo(out);
                    } catch (IOException ignored) {
                        // client went away
                    }
                });
            } catch (IOException closed) {
                return;
            }
        }
    }

    @Test
    void anAdminReachesAnotherUsersWorkspace() {
        Proc.Result r = Proc.ok(T, ssh(carolConfig, "-l", me, "dev." + me + ".hangar", "echo admin-ok"));
        assertThat(r.stdout().strip()).isEqualTo("admin-ok");
        ConnectionRecord rec = awaitRecord("dev." + me + ".hangar:22");
        assertThat(rec.user()).isEqualTo("carol");
        assertThat(rec.workspaceId()).isEqualTo("id-dev");
    }

    @Test
    void theGatewayPresentsTheSameHostKeyAfterARestart() {
        Path state = tmp.resolve("restart-state");
        String first;
        try (SshGateway g = LoopbackGateway.start(state, directory, new RecordingAudit())) {
            first = g.hostKeyLine();
        }
        try (SshGateway g = LoopbackGateway.start(state, directory, new RecordingAudit())) {
            assertThat(g.hostKeyLine()).isEqualTo(first).startsWith("ssh-ed25519 ");
            // and ssh verifies it against a known_hosts entry written from hostKeyLine()
            Path config = LoopbackGateway.userConfig(
                    g,
                    tmp.resolve("home-restart"),
                    me,
                    tmp.resolve("me"),
                    List.of(new WorkspaceHostKey("dev", workspace.hostKeyLine())));
            Proc.Result r = Proc.run(T, ssh(config, "hangar-gateway", "true"));
            // host key accepted (no verification error); the session itself is refused by design
            assertThat(r.stderr())
                    .doesNotContain("Host key verification failed")
                    .contains("Hangar SSH gateway");
        }
    }

    // ---- denials ----

    @Test
    void anUnregisteredKeyIsRejected() {
        int before = audit.rejections.size();
        Proc.Result r = Proc.run(T, ssh(malloryConfig, "dev.hangar", "true"));

        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.stderr()).contains("Permission denied (publickey)");
        LoginRejection rej = await().atMost(Duration.ofSeconds(10))
                .until(() -> audit.rejections, l -> l.size() > before)
                .getLast();
        assertThat(rej.user()).isEqualTo(me);
        assertThat(rej.offeredKeys()).hasSize(1).allMatch(k -> k.startsWith("SHA256:"));
    }

    @Test
    void anotherUsersWorkspaceIsDeniedWithoutRevealingIt() {
        Proc.Result r = Proc.run(T, ssh(bobConfig, "dev." + me + ".hangar", "true"));

        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.stderr())
                .contains("administratively prohibited")
                .contains("no workspace 'dev." + me + "' that you can reach");
        ConnectionRecord rec = awaitRecord("dev." + me + ".hangar:22");
        assertThat(rec.user()).isEqualTo("bob");
        assertThat(rec.workspaceId()).isEqualTo("id-dev");
        assertThat(rec.outcome())
                .isInstanceOfSatisfying(
                        Outcome.Denied.class, d -> assertThat(d.reason()).isEqualTo(Denial.NOT_OWNER));
        assertThat(rec.bytesToWorkspace()).isZero();
    }

    @Test
    void aPortOtherThan22IsDenied() {
        Proc.Result r = Proc.run(T, ssh(meConfig, "-W", "dev.hangar:80", "hangar-gateway"));

        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.stderr()).contains("administratively prohibited").contains("only port 22");
        ConnectionRecord rec = awaitDenied("dev.hangar:80", Denial.WRONG_PORT);
        assertThat(rec.workspaceId()).isEqualTo("id-dev");
    }

    @Test
    void anUnknownWorkspaceIsDenied() {
        Proc.Result r = Proc.run(T, ssh(meConfig, "nope.hangar", "true"));

        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.stderr()).contains("no workspace 'nope' that you can reach");
        ConnectionRecord rec = awaitDenied("nope.hangar:22", Denial.UNKNOWN_WORKSPACE);
        assertThat(rec.workspace()).isEmpty();
    }

    @Test
    void aTargetThatIsNoWorkspaceNameIsDenied() {
        Proc.Result r = Proc.run(T, ssh(meConfig, "-W", "127.0.0.1:" + workspace.port(), "hangar-gateway"));

        assertThat(r.exit()).isEqualTo(255);
        awaitDenied("127.0.0.1:" + workspace.port(), Denial.INVALID_TARGET);
    }

    @Test
    void aStoppedWorkspaceIsDeniedWithItsState() {
        Proc.Result r = Proc.run(T, ssh(meConfig, "idle.hangar", "true"));

        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.stderr()).contains("workspace 'idle' is Stopped");
        awaitDenied("idle.hangar:22", Denial.NOT_RUNNING);
    }

    @Test
    void theGatewayHopNegotiatesAesGcmAndTheGatewayOffersMinasDefaultCipherSet() {
        // the hop to the gateway alone (its session channel is refused after the key exchange)
        Proc.Result r = Proc.run(T, ssh(meConfig, "-v", "hangar-gateway", "true"));
        assertThat(r.stderr())
                .containsPattern("kex: server->client cipher: aes128-gcm@openssh.com MAC: <implicit>")
                .containsPattern("kex: client->server cipher: aes128-gcm@openssh.com MAC: <implicit>");
        List<String> defaults = org.apache.sshd.server.SshServer.setUpDefaultServer().getCipherFactories().stream()
                .map(org.apache.sshd.common.NamedResource::getName)
                .toList();
        List<String> offered =
                SshGateway.aesGcmFirst(org.apache.sshd.server.SshServer.setUpDefaultServer()
                                .getCipherFactories())
                        .stream()
                        .map(org.apache.sshd.common.NamedResource::getName)
                        .toList();
        assertThat(offered).containsExactlyInAnyOrderElementsOf(defaults);
        assertThat(offered.subList(0, 2)).containsExactly("aes128-gcm@openssh.com", "aes256-gcm@openssh.com");
        assertThat(offered.subList(2, offered.size()))
                .containsExactlyElementsOf(
                        defaults.stream().filter(c -> !c.contains("-gcm@")).toList());
    }

    @Test
    void passwordAndKeyboardInteractiveAreNotOffered() {
        Proc.Result r = Proc.run(
                T,
                ssh(
                        meConfig,
                        "-v",
                        "-o",
                        "PubkeyAuthentication=no",
                        "-o",
                        "PreferredAuthentications=password,keyboard-interactive",
                        "hangar-gateway",
                        "true"));

        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.stderr())
                .containsPattern("Authentications that can continue: publickey\\r?\\n")
                .contains("Permission denied (publickey)");
    }

    @Test
    void aSessionExecShellOrSubsystemOnTheGatewayIsRefused() {
        int before = (int) audit.connections.stream()
                .filter(r -> r.target().equals("session"))
                .count();
        Proc.Result exec = Proc.run(T, ssh(meConfig, "hangar-gateway", "id"));
        Proc.Result shell = Proc.run(T, ssh(meConfig, "-tt", "hangar-gateway"));
        Proc.Result sftp =
                Proc.run(T, List.of("sftp", "-F", meConfig.toString(), "-o", "BatchMode=yes", "hangar-gateway"));

        for (Proc.Result r : List.of(exec, shell, sftp)) {
            assertThat(r.exit()).as(r.toString()).isNotZero();
            assertThat(r.stderr()).as(r.toString()).contains("Hangar SSH gateway");
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> audit.connections.stream()
                                .filter(r -> r.target().equals("session")
                                        && r.outcome() instanceof Outcome.Denied d
                                        && d.reason() == Denial.CHANNEL_TYPE_REFUSED)
                                .count()
                        >= before + 3);
    }

    @Test
    void remoteForwardingOnTheGatewayItselfIsRefused() {
        Proc.Result r = Proc.run(
                T,
                ssh(
                        meConfig,
                        "-N",
                        "-o",
                        "ExitOnForwardFailure=yes",
                        "-R",
                        "127.0.0.1:0:127.0.0.1:9",
                        "hangar-gateway"));

        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.stderr()).contains("remote port forwarding failed");
        awaitDenied("tcpip-forward 127.0.0.1:0", Denial.FORWARDING_REFUSED);
    }

    @Test
    void aWorkspaceWhoseSshdDoesNotAnswerIsReportedAsUnreachable() {
        Proc.Result r = Proc.run(T, ssh(meConfig, "gone.hangar", "true"));

        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.stderr()).contains("open failed: connect failed: the workspace's sshd is not reachable");
        ConnectionRecord rec = awaitRecord("gone.hangar:22");
        assertThat(rec.workspaceId()).isEqualTo("id-gone");
        assertThat(rec.outcome())
                .isInstanceOfSatisfying(
                        Outcome.Unreachable.class, u -> assertThat(u.error()).contains("Connection refused"));
    }

    @Test
    void aWorkspaceConnectionResetClosesTheClientsChannel() throws Exception {
        // A "workspace" that sends its banner, then resets the connection (SO_LINGER 0) once the
        // test has seen the banner arrive through the relay: the relay's read fails, it does not end.
        CountDownLatch reset = new CountDownLatch(1);
        try (ServerSocket resetting = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = resetting.accept()) {
                    s.getOutputStream().write("SSH-2.0-resetting\r\n".getBytes(StandardCharsets.US_ASCII));
                    reset.await();
                    s.setSoLinger(true, 0);
                } catch (IOException | InterruptedException e) {
                    // the test failed first
                }
            });
            directory.workspace(
                    "resets", new WorkspaceTarget.Reachable("id-resets", me, "127.0.0.1", resetting.getLocalPort()));

            // What ProxyJump runs, with its stdin held open: only the gateway's SSH_MSG_CHANNEL_CLOSE
            // can end it (its parent's SIGHUP is ignored where SIGHUP is, e.g. under nohup).
            Path out = tmp.resolve("resets.out");
            Path err = tmp.resolve("resets.err");
            ProcessBuilder pb = new ProcessBuilder(ssh(meConfig, "-W", "resets.hangar:22", "hangar-gateway"))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().remove("SSH_AUTH_SOCK");
            Process w = pb.start();
            try {
                await().atMost(T).until(() -> Files.readString(out).contains("SSH-2.0-resetting") || !w.isAlive());
                reset.countDown();
                assertThat(w.waitFor(30, TimeUnit.SECONDS))
                        .as("ssh -W still waits for its channel to close: %s", Files.readString(err))
                        .isTrue();
            } finally {
                reset.countDown();
                w.destroyForcibly();
            }
            assertThat(Files.readString(out)).isEqualTo("SSH-2.0-resetting\r\n");
            ConnectionRecord rec = awaitRecord("resets.hangar:22");
            assertThat(rec.workspaceId()).isEqualTo("id-resets");
        }
    }

    @Test
    void aChangedWorkspaceHostKeyFailsStrictHostKeyChecking() {
        Proc.Result r = Proc.run(T, ssh(meConfig, "moved.hangar", "echo must-not-run"));

        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.stdout()).doesNotContain("must-not-run");
        assertThat(r.stderr())
                .contains("REMOTE HOST IDENTIFICATION HAS CHANGED")
                .contains("Host key verification failed");
    }
}
