package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hangar.api.AddSshKeyRequest;
import dev.hangar.api.CreateWorkspaceRequest;
import dev.hangar.api.EventView;
import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.ClientSettings;
import dev.hangar.api.client.HangarClient;
import dev.hangar.cli.CliHarness;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.server.SshGatewayHook;
import dev.hangar.testfixtures.HostCommands;
import dev.hangar.testfixtures.OpenSshd;
import dev.hangar.testing.TestControlPlane;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The whole SSH path with real parts: the server with its SSH gateway, the CLI's {@code config-ssh}
 * run in-process against it, the real OpenSSH client ({@code ssh}, {@code scp}) using only the
 * files config-ssh wrote, and a real OpenSSH {@code sshd} in a temporary directory playing the
 * workspace. That sshd holds the workspace's own pinned host key (read from the server's store, as
 * a provider would inject it into a VM); the fake provider reports its endpoint, since the fake
 * has no VM to boot (the QEMU integration test covers a real one).
 *
 * <p>The Hangar user is named like the OS user running the tests, because the workspace's sshd
 * logs in that local account.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlPlaneSshTest {
    private static final Duration T = Duration.ofSeconds(60);

    private final String me = System.getProperty("user.name");
    private Path tmp;
    private Path home;
    private Path sshConfig;
    private TestControlPlane cp;
    private HangarClient client;
    private TestControlPlane.Credentials bob;
    private OpenSshd sshd;
    private Path sshdDir;
    private OpenSshd freshSshd;
    private String userPublicKey;

    @BeforeAll
    void start() throws IOException {
        assertThat(me).as("OS user name must be a Hangar user name").matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        tmp = Files.createTempDirectory("hangar-ssh-test-");
        home = tmp.resolve("home");
        Files.createDirectories(home.resolve(".ssh"));
        cp = TestControlPlane.builder()
                .gateway(new SshGatewayHook())
                .configure(c -> c.withGateway(Map.of("listen-port", "0")))
                .start();
        TestControlPlane.Credentials mine = cp.createUser(me, false);
        bob = cp.createUser("bob", false);
        client = new HangarClient(ClientSettings.of(cp.baseUri().toString(), mine.token()));

        // The user's key pair, where ssh-keygen puts it by default; registered through the API.
        Path key = home.resolve(".ssh/id_ed25519");
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", me + "@test", "-f", key.toString()))
                .assertOk();
        String pub = Files.readString(Path.of(key + ".pub")).strip();
        userPublicKey = pub;
        client.addKey(new AddSshKeyRequest(pub));
        new HangarClient(ClientSettings.of(cp.baseUri().toString(), bob.token()))
                .addKey(new AddSshKeyRequest(generatedPublicKey("bob")));

        // Every workspace of the fake provider reports this endpoint; sshd starts on it once "dev"
        // exists, because its host key is dev's pinned key.
        int port = OpenSshd.freePort();
        cp.fake().sshEndpoint(new SshEndpoint("127.0.0.1", port));
        for (String name : List.of("dev", "idle", "moved")) create(client, name);
        new HangarClient(ClientSettings.of(cp.baseUri().toString(), bob.token()))
                .createWorkspace(new CreateWorkspaceRequest("bobs", "fake", null, null, null, null, null));
        awaitPhase(client, "dev", "Running");
        awaitPhase(client, "moved", "Running");
        sshdDir = tmp.resolve("workspace-sshd");
        sshd = startSshd(sshdDir, "dev", port, pub);

        client.stopWorkspace("idle", "");
        awaitPhase(client, "idle", "Stopped");

        CliHarness.Result r = cli().run("config-ssh");
        assertThat(r.code()).as(r.toString()).isZero();
        sshConfig = home.resolve(".ssh/config");
    }

    @AfterAll
    void stop() throws IOException {
        for (OpenSshd d : new OpenSshd[] {sshd, freshSshd}) {
            if (d != null) d.close();
        }
        if (client != null) client.close();
        if (cp != null) cp.close();
        if (tmp != null) {
            try (var walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void configSshWritesThePinnedKeysAndTheIncludeAndIsIdempotent() throws IOException {
        String known = Files.readString(home.resolve(".ssh/hangar/known_hosts"));
        WorkspaceView dev = client.workspace("dev");
        assertThat(known)
                .contains("dev.hangar " + dev.hostKey())
                .contains("[127.0.0.1]:" + cp.server().gateway().port() + " ")
                .doesNotContain("bobs");
        assertThat(Files.readString(sshConfig)).startsWith("Include " + home.resolve(".ssh/hangar/config"));
        assertThat(Files.readString(home.resolve(".ssh/hangar/config")))
                .contains("IdentityFile " + home.resolve(".ssh/id_ed25519"))
                .contains("StrictHostKeyChecking yes");

        CliHarness.Result dry = cli().run("config-ssh", "--dry-run");
        assertThat(dry.code()).isZero();
        assertThat(dry.out()).isEmpty();
        assertThat(dry.err()).contains("up to date");
        CliHarness.Result again = cli().run("config-ssh");
        assertThat(again.code()).isZero();
        assertThat(again.err()).contains("up to date");
    }

    @Test
    void sshRunsACommandInTheWorkspaceAndTheConnectionIsAnEvent() {
        Proc r = run(ssh("dev.hangar", "echo", "hello-from-workspace"));
        r.assertOk();
        assertThat(r.out()).contains("hello-from-workspace");

        await().atMost(T).untilAsserted(() -> {
            List<EventView> events = client.events("dev", "", 100);
            assertThat(events)
                    .filteredOn(e -> e.type().equals("ssh-connection"))
                    .anySatisfy(e -> assertThat(e.message())
                            .contains(me + " from 127.0.0.1")
                            .containsPattern("relayed [1-9]\\d* bytes up, [1-9]\\d* bytes down in PT"));
        });
    }

    @Test
    void scpCopiesAFileIntoTheWorkspace() throws IOException {
        Path local = tmp.resolve("payload.bin");
        byte[] data = new byte[256 * 1024];
        new java.util.Random(42).nextBytes(data);
        Files.write(local, data);
        Path remote = sshdDir.resolve("copied.bin");
        run(List.of("scp", "-q", "-F", sshConfig.toString(), local.toString(), "dev.hangar:" + remote))
                .assertOk();
        assertThat(Files.readAllBytes(remote)).isEqualTo(data);
    }

    @Test
    void remoteForwardReachesAServerOnTheClientSide() throws IOException {
        try (ServerSocket echo = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> echoOnce(echo));
            int remotePort = OpenSshd.freePort();
            // From the workspace side, connect to the forwarded port and read back the echo.
            String probe = "exec 3<>/dev/tcp/127.0.0.1/" + remotePort + " && echo ping-through-R >&3 && head -n1 <&3";
            Proc r = run(ssh(
                    List.of(
                            "-o",
                            "ExitOnForwardFailure=yes",
                            "-R",
                            "127.0.0.1:" + remotePort + ":127.0.0.1:" + echo.getLocalPort()),
                    "dev.hangar",
                    "bash",
                    "-c",
                    "'" + probe + "'"));
            r.assertOk();
            assertThat(r.out()).contains("echo: ping-through-R");
        }
    }

    @Test
    void hangarSshWrapsTheSystemSshAndReturnsItsExitCode() {
        // stdio is inherited (the user's terminal), so only the exit code is observable here; -n
        // keeps ssh off this JVM's stdin, which is Surefire's command channel.
        assertThat(cli().run("ssh", "dev", "--", "-n", "exit", "7").code()).isEqualTo(7);
        assertThat(cli().run("ssh", "dev", "--", "-n", "true").code()).isZero();
    }

    @Test
    void aStartingWorkspaceIsDeniedAsStartingNotAsSomethingToStart() {
        CountDownLatch gate = new CountDownLatch(1);
        cp.fake().holdApplies(gate);
        try {
            create(client, "boot");
            Proc r = run(ssh("boot.hangar", "true"));
            assertThat(r.exit()).isEqualTo(255);
            assertThat(r.err())
                    .contains("administratively prohibited")
                    .containsPattern("workspace 'boot' is starting \\((Pending|Provisioning)[:)]")
                    .contains("try again when it is Running")
                    .doesNotContain("start it with");
        } finally {
            gate.countDown();
        }
        awaitPhase(client, "boot", "Running");
    }

    @Test
    void anotherUsersWorkspaceIsDenied() {
        Proc r = run(ssh("bobs.bob.hangar", "true"));
        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.err()).contains("administratively prohibited");
    }

    @Test
    void aStoppedWorkspaceIsDenied() {
        Proc r = run(ssh("idle.hangar", "true"));
        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.err()).contains("administratively prohibited").contains("Stopped");
        await().atMost(T)
                .untilAsserted(() -> assertThat(client.events("idle", "", 100))
                        .filteredOn(e -> e.type().equals("ssh-connection"))
                        .anySatisfy(e -> assertThat(e.message()).contains("denied")));
    }

    @Test
    void aWorkspaceAnsweringWithAnotherHostKeyIsRefused() {
        // "moved" is reached at dev's sshd, which presents dev's key, not the one pinned for moved.
        Proc r = run(ssh("moved.hangar", "true"));
        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.err()).contains("REMOTE HOST IDENTIFICATION HAS CHANGED").contains("verification failed");
    }

    @Test
    void configSshTrustsTheServersHostCaForEveryWorkspace() throws IOException {
        String ca = client.sshHostCa().publicKey();
        assertThat(ca).startsWith("ssh-ed25519 AAAA");
        assertThat(Files.readAllLines(home.resolve(".ssh/hangar/known_hosts")))
                .containsOnlyOnce("@cert-authority *.hangar " + ca);

        // The core signed dev's stored host key for both names ssh looks up, with that CA.
        String cert = cp.fake().lastSpec("dev").orElseThrow().hostCertificate();
        Path certFile = tmp.resolve("dev-cert.pub");
        Files.writeString(certFile, cert + "\n");
        Proc shown = run(List.of("ssh-keygen", "-L", "-f", certFile.toString())).assertOk();
        assertThat(shown.out())
                .contains("host certificate")
                .contains("Public key: ED25519-CERT "
                        + fingerprint(client.workspace("dev").hostKey()))
                .contains("Signing CA: ED25519 " + fingerprint(ca))
                .containsPattern("Principals: \\n\\s+dev\\.hangar\\n\\s+dev\\." + me + "\\.hangar\\n")
                .contains("Valid: forever");
    }

    @Test
    void aWorkspaceCreatedAfterConfigSshIsReachableAtOnceThroughTheHostCa() throws IOException {
        // "fresh" gets its own sshd (its own key and certificate) and config-ssh is NOT run again.
        int port = OpenSshd.freePort();
        cp.fake().sshEndpoint("fresh", new SshEndpoint("127.0.0.1", port));
        create(client, "fresh");
        awaitPhase(client, "fresh", "Running");
        freshSshd = startSshd(tmp.resolve("fresh-sshd"), "fresh", port, userPublicKey);
        assertThat(Files.readString(home.resolve(".ssh/hangar/known_hosts"))).doesNotContain("fresh.hangar");

        Proc r = run(ssh("fresh.hangar", "echo", "hello-from-fresh"));
        r.assertOk();
        assertThat(r.out()).contains("hello-from-fresh");
        assertThat(r.err()).doesNotContain("Warning: Permanently added");

        // The next config-ssh still pins fresh's key too (for an sshd without a certificate), so the
        // other tests see an up-to-date config again.
        assertThat(cli().run("config-ssh").code()).isZero();
        assertThat(Files.readString(home.resolve(".ssh/hangar/known_hosts")))
                .contains("fresh.hangar " + client.workspace("fresh").hostKey());
    }

    @Test
    void theOwnerFormOfTheNameIsTrustedThroughTheHostCaAsUsbAttachOwnerUsesIt() {
        // `hangar usb attach --owner` connects to <ws>.<owner>.hangar, for which known_hosts has no
        // pinned line: only the certificate's second principal makes it pass.
        assertThat(run(ssh("dev." + me + ".hangar", "echo", "owner-form"))
                        .assertOk()
                        .out())
                .contains("owner-form");
    }

    @Test
    void theCaLineAloneIsEnoughAndACertificateOfAnotherCaIsRefused() throws IOException {
        String gatewayLine = Files.readAllLines(home.resolve(".ssh/hangar/known_hosts")).stream()
                .filter(l -> l.startsWith("[127.0.0.1]:"))
                .findFirst()
                .orElseThrow();
        Path onlyCa = tmp.resolve("known_hosts-only-ca");
        Files.writeString(
                onlyCa,
                gatewayLine + "\n@cert-authority *.hangar " + client.sshHostCa().publicKey() + "\n");
        Proc ok = run(ssh(List.of("-o", "UserKnownHostsFile=" + onlyCa), "dev.hangar", "echo", "trusted-by-ca"));
        ok.assertOk();
        assertThat(ok.out()).contains("trusted-by-ca");

        Path otherCa = tmp.resolve("known_hosts-other-ca");
        Files.writeString(otherCa, gatewayLine + "\n@cert-authority *.hangar " + generatedPublicKey("other-ca") + "\n");
        Proc refused = run(ssh(List.of("-o", "UserKnownHostsFile=" + otherCa), "dev.hangar", "true"));
        assertThat(refused.exit()).as("%s", refused).isEqualTo(255);
        assertThat(refused.err()).contains("Host key verification failed");

        // dev's certificate does not name "moved": the CA line does not make dev's sshd pass for it
        Proc wrongName = run(ssh(List.of("-o", "UserKnownHostsFile=" + onlyCa), "moved.hangar", "true"));
        assertThat(wrongName.exit()).as("%s", wrongName).isEqualTo(255);
        assertThat(wrongName.err()).contains("Host key verification failed");
    }

    // ---- helpers --------------------------------------------------------------------------------

    private String fingerprint(String publicKey) throws IOException {
        Path f = Files.createTempFile(tmp, "key-", ".pub");
        Files.writeString(f, publicKey + "\n");
        return run(List.of("ssh-keygen", "-l", "-f", f.toString()))
                .assertOk()
                .out()
                .split(" ")[1];
    }

    private CliHarness cli() {
        return new CliHarness(home)
                .env("HANGAR_URL", cp.baseUri().toString())
                .env("HANGAR_TOKEN", client.settings().token());
    }

    private List<String> ssh(String host, String... command) {
        return ssh(List.of(), host, command);
    }

    private List<String> ssh(List<String> options, String host, String... command) {
        List<String> cmd = new ArrayList<>(List.of("ssh", "-F", sshConfig.toString(), "-o", "BatchMode=yes"));
        cmd.addAll(options);
        cmd.add(host);
        cmd.addAll(List.of(command));
        return cmd;
    }

    private static void create(HangarClient c, String name) {
        c.createWorkspace(new CreateWorkspaceRequest(name, "fake", null, null, null, null, null));
    }

    private static void awaitPhase(HangarClient c, String name, String phase) {
        await().atMost(T)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> c.workspace(name).phase().name().equals(phase));
    }

    private String generatedPublicKey(String who) throws IOException {
        Path k = tmp.resolve("key-" + who);
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", who, "-f", k.toString()))
                .assertOk();
        return Files.readString(Path.of(k + ".pub")).strip();
    }

    /**
     * Starts sshd with the workspace's pinned host key from the store and the host certificate the
     * core put in the spec the provider got, as a provider installs them.
     */
    private OpenSshd startSshd(Path dir, String workspace, int port, String authorizedKey) {
        var ws = cp.server().store().workspaces().findByName(me, workspace).orElseThrow();
        return OpenSshd.builder(dir)
                .port(port)
                .hostKey(ws.hostKey().privateKeyOpenSsh())
                .hostCertificate(cp.fake().lastSpec(workspace).orElseThrow().hostCertificate())
                .authorizedKeys(List.of(authorizedKey))
                .start();
    }

    private static void echoOnce(ServerSocket server) {
        try (Socket s = server.accept();
                var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                var out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
            out.println("echo: " + in.readLine());
        } catch (IOException e) {
            // the test's assertion on ssh's output reports the failure
        }
    }

    /** A finished process: exit code and both outputs. */
    private record Proc(List<String> command, int exit, String out, String err) {
        Proc assertOk() {
            assertThat(exit).as("%s", this).isZero();
            return this;
        }
    }

    private static Proc run(List<String> command) {
        try {
            HostCommands.Output o = HostCommands.run(new ProcessBuilder(command), T);
            return new Proc(command, o.exitCode(), o.stdout(), o.stderr());
        } catch (HostCommands.TimedOut e) {
            throw new AssertionError("timed out after " + T + ": " + command + "\n" + e.partial());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
