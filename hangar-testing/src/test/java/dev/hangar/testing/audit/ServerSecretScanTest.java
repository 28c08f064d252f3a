package dev.hangar.testing.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import dev.hangar.api.AddSshKeyRequest;
import dev.hangar.api.CreateWorkspaceRequest;
import dev.hangar.api.UsbAttachRequest;
import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.client.ClientSettings;
import dev.hangar.api.client.HangarClient;
import dev.hangar.cli.CliHarness;
import dev.hangar.core.audit.AuditQuery;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.server.SshGatewayHook;
import dev.hangar.testfixtures.OpenSshd;
import dev.hangar.testing.DatabaseFiles;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import dev.hangar.testing.console.Collector;
import dev.hangar.testing.console.ConsoleFixture;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.EdECPrivateKey;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.loader.openssh.OpenSSHKeyPairResourceParser;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue #18, item 7: the real server (HTTP over a socket, SQLite, its SSH gateway) taken through
 * workspace create, SSH key add, token create, a serial console session, a gateway login with the
 * real OpenSSH client and a USB attach; then the server's log (written to a file by a logback file
 * appender at DEBUG), the database's raw bytes (file, WAL, shared memory), every workspace's events,
 * the audit log and {@code /metrics} are scanned for every token, private key (PEM body lines, the
 * whole body, the raw key bytes in base64 and hex), password and secret value the test made: zero
 * hits. A value the test writes on purpose to the log and to the database is found, which shows the
 * scan reads what the server wrote.
 *
 * <p>Stand-ins, where nothing real runs here: the workspaces are the fake provider's (no VM); the
 * workspace's sshd is a real OpenSSH {@code sshd} in a temp dir holding the workspace's pinned host
 * key; the console is {@code ConsoleFakeProvider}'s emulated serial port; the USB attach is the
 * REST call {@code hangar usb attach} makes (the tunnel itself is {@code UsbAttachFlowTest}'s).
 */
class ServerSecretScanTest {
    private static final Duration T = Duration.ofSeconds(60);
    /** Where the secret part of {@code hgr_<16 hex id>_<secret>} starts. */
    private static final int ID_END = "hgr_".length() + 16 + 1;

    private final String me = System.getProperty("user.name");

    @Test
    void noTokenKeyPasswordOrSecretReachesLogsDatabaseEventsAuditOrMetrics() throws Exception {
        assertThat(me).as("OS user name must be a Hangar user name").matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        Path tmp = Files.createTempDirectory("hangar-scan-");
        Path logFile = tmp.resolve("server.log");
        FileAppender<ILoggingEvent> appender = fileAppender(logFile);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger hangar = (Logger) LoggerFactory.getLogger("dev.hangar");
        Level before = hangar.getLevel();
        root.addAppender(appender);
        hangar.setLevel(Level.DEBUG);
        SecretScan scan = new SecretScan();
        String canary = "canary-" + UUID.randomUUID();
        try (ConsoleFixture f = new ConsoleFixture(
                List.of("Debian GNU/Linux 12 dev ttyS0", "dev login:"),
                Map.of("usbfw.yaml", "name: usbfw\nprovider: fake\nimage: test\nusb: {allow: [\"0483:*\"]}\n"),
                b -> b.gateway(new SshGatewayHook()).configure(c -> c.withGateway(Map.of("listen-port", "0"))))) {
            TestControlPlane cp = f.cp;
            scan.add("admin token", cp.adminToken()).add("alice token", f.alice.token());
            scan.add(
                    "secrets key file",
                    Files.readString(cp.home().resolve("secrets.key")).strip());
            TestControlPlane.Credentials mine = cp.createUser(me, false);
            scan.add("user token", mine.token());

            // token create: a named token, used once, then revoked
            HttpResponse<String> t = cp.http().post("/api/v1/users/me/tokens", mine.token(), "{\"name\":\"scan-ci\"}");
            assertThat(t.statusCode()).as(t.body()).isEqualTo(201);
            String named = TestHttp.json(t).get("secret").asText();
            scan.add("named token", named);
            assertThat(cp.http().get("/api/v1/workspaces", named).statusCode()).isEqualTo(200);
            assertThat(cp.http()
                            .delete("/api/v1/users/me/tokens/scan-ci", mine.token())
                            .statusCode())
                    .isEqualTo(204);

            // a user secret, delivered to the workspace on its start
            String secretValue = "ghp_" + UUID.randomUUID().toString().replace("-", "");
            scan.add("user secret value", secretValue);
            assertThat(putSecret(cp, mine.token(), "gh-token", secretValue).statusCode())
                    .isEqualTo(200);
            // a password in a body the server refuses
            String password = "Pw_" + UUID.randomUUID();
            scan.add("password", password);
            assertThat(cp.http()
                            .post(
                                    "/api/v1/users/me/tokens",
                                    mine.token(),
                                    "{\"name\":\"scan-x\",\"password\":\"" + password + "\"}")
                            .statusCode())
                    .isEqualTo(400);

            // key add: the user's own key pair, made by ssh-keygen
            Path home = tmp.resolve("home");
            Files.createDirectories(home.resolve(".ssh"));
            Path key = home.resolve(".ssh/id_ed25519");
            exec(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "scan", "-f", key.toString()));
            String pub = Files.readString(Path.of(key + ".pub")).strip();
            addPrivateKey(scan, "user key", Files.readString(key));
            HangarClient client =
                    new HangarClient(ClientSettings.of(cp.baseUri().toString(), mine.token()));
            client.addKey(new AddSshKeyRequest(pub));

            // create
            int port = OpenSshd.freePort();
            cp.fake().sshEndpoint(new SshEndpoint("127.0.0.1", port));
            client.createWorkspace(new CreateWorkspaceRequest("dev", "usbfw", null, null, null, null, null));
            await().atMost(T).until(() -> client.workspace("dev").phase() == WorkspacePhase.Running);
            var ws = cp.server().store().workspaces().findByName(me, "dev").orElseThrow();
            addPrivateKey(scan, "dev host key", ws.hostKey().privateKeyOpenSsh());
            addPrivateKey(
                    scan,
                    "console host key",
                    cp.server()
                            .store()
                            .workspaces()
                            .findByName("alice", "dev")
                            .orElseThrow()
                            .hostKey()
                            .privateKeyOpenSsh());

            // gateway login with the real ssh client, through the files config-ssh writes
            try (OpenSshd sshd = OpenSshd.builder(tmp.resolve("sshd"))
                    .port(port)
                    .hostKey(ws.hostKey().privateKeyOpenSsh())
                    .hostCertificate(cp.fake().lastSpec("dev").orElseThrow().hostCertificate())
                    .authorizedKeys(List.of(pub))
                    .start()) {
                CliHarness.Result r = new CliHarness(home)
                        .env("HANGAR_URL", cp.baseUri().toString())
                        .env("HANGAR_TOKEN", mine.token())
                        .run("config-ssh");
                assertThat(r.code()).as(r.toString()).isZero();
                String out = exec(List.of(
                        "ssh",
                        "-F",
                        home.resolve(".ssh/config").toString(),
                        "-o",
                        "BatchMode=yes",
                        "dev.hangar",
                        "echo",
                        "hello-from-scan"));
                assertThat(out).contains("hello-from-scan");
            }

            // USB attach and detach, as the CLI records them
            client.usb().attach("dev", "", new UsbAttachRequest("1-3", "0483:3748", "127.0.0.1:3240"));
            assertThat(client.usb().attachments("dev", "")).hasSize(1);
            client.usb().detach("dev", "", "1-3");

            // console: alice's serial console, opened, typed into, closed
            try (HangarClient alice =
                    new HangarClient(ClientSettings.of(cp.baseUri().toString(), f.alice.token()))) {
                Collector console = new Collector();
                WebSocket socket = alice.attachConsole("dev", "", console);
                socket.sendText("\r", true).join();
                await().atMost(T).until(() -> !console.received().isEmpty());
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
                await().atMost(T)
                        .until(() -> alice.events("dev", "", 100).stream()
                                .anyMatch(e -> e.type().equals("console-detach")));
            }
            client.close();

            // the token's secret part alone must not appear either
            for (String token : List.of(cp.adminToken(), f.alice.token(), mine.token(), named))
                scan.add("secret part of a token", token.substring(ID_END));

            // seeded values: written on purpose, so the scan must find them
            LoggerFactory.getLogger("dev.hangar.scan").info("seeded {}", canary);
            assertThat(cp.http()
                            .post("/api/v1/users/me/tokens", mine.token(), "{\"name\":\"" + canary + "\"}")
                            .statusCode())
                    .isEqualTo(201);

            await().atMost(T)
                    .until(() -> cp.server().audit().list(AuditQuery.ALL, 10_000).stream()
                            .anyMatch(e -> e.action().equals("console.close")));
            Map<String, String> sources = new LinkedHashMap<>();
            sources.put("events", events(cp, mine.token(), "dev") + events(cp, f.alice.token(), "dev"));
            sources.put(
                    "audit log",
                    cp.http().get("/api/v1/audit?limit=1000", cp.adminToken()).body()
                            + cp.server().audit().list(AuditQuery.ALL, 10_000));
            sources.put("metrics", cp.http().get("/metrics", "").body());
            appender.stop(); // flushes the file
            sources.put("log file", Files.readString(logFile, StandardCharsets.ISO_8859_1));
            sources.put("database files", DatabaseFiles.text(cp.home()));

            assertThat(sources.get("audit log")).contains("usb.attach").contains("token.create");
            assertThat(sources.get("events")).contains("console-attach");
            assertThat(sources.get("metrics")).contains("hangar_");
            assertThat(scan.size()).isGreaterThan(20);
            assertThat(scan.hits(sources)).as("secrets found (source: what)").isEmpty();
            // the check can fail: the seeded value is found where it was written
            assertThat(new SecretScan().add("seeded", canary).hits(sources))
                    .contains("log file: seeded", "database files: seeded");
        } finally {
            root.detachAppender(appender);
            appender.stop();
            hangar.setLevel(before);
            try (var walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Adds a private key's PEM body lines, the whole body, and its raw key bytes (base64, hex). */
    private static void addPrivateKey(SecretScan scan, String label, String pem) throws Exception {
        List<String> body =
                pem.lines().filter(l -> !l.startsWith("-----") && !l.isBlank()).toList();
        assertThat(body).isNotEmpty();
        for (String line : body) if (line.length() >= 16) scan.add(label + " PEM line", line);
        scan.add(label + " PEM body", String.join("", body));
        KeyPair pair = OpenSSHKeyPairResourceParser.INSTANCE
                .loadKeyPairs(null, NamedResource.ofName(label), null, pem)
                .iterator()
                .next();
        scan.add(
                label + " PKCS#8 base64",
                Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()));
        if (pair.getPrivate() instanceof EdECPrivateKey ed) {
            byte[] raw = ed.getBytes().orElseThrow();
            scan.add(label + " raw base64", Base64.getEncoder().withoutPadding().encodeToString(raw));
            scan.add(label + " raw hex", HexFormat.of().formatHex(raw));
        }
    }

    private static String events(TestControlPlane cp, String token, String ws) {
        HttpResponse<String> r = cp.http().get("/api/v1/workspaces/" + ws + "/events?limit=1000", token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private static HttpResponse<String> putSecret(TestControlPlane cp, String token, String name, String value) {
        return cp.http()
                .send(HttpRequest.newBuilder(cp.baseUri().resolve("/api/v1/secrets/" + name))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(value.getBytes(StandardCharsets.UTF_8)))
                        .build());
    }

    private static FileAppender<ILoggingEvent> fileAppender(Path file) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d %level [%thread] %logger - %msg%n%ex");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("secret-scan");
        appender.setFile(file.toString());
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }

    private static String exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(command + ":\n" + out).isZero();
        return out;
    }
}
