package dev.hangar.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.core.autostop.AutostopSweep;
import dev.hangar.core.domain.Role;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.server.AutostopSettings;
import dev.hangar.server.SshGatewayHook;
import dev.hangar.testfixtures.TestClock;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Idle auto-stop through the real server over real sockets, with an injected clock (issue #15,
 * item 5): bytes relayed by the real SSH gateway (a MINA client opening {@code direct-tcpip} to a
 * workspace whose stand-in sshd is a TCP echo server) and a lease taken through {@code POST
 * /api/v1/workspaces/{name}/activity} keep their workspaces running, while a silent one gets its
 * warning event and is then stopped by the reconciler with the reason {@code autostop}. The clock
 * only moves when the test moves it; the sweep is run right after each move (the server's own
 * timer is set to an hour, so it does not interfere); Awaitility only waits for the asynchronous
 * relay and reconciler.
 */
class AutostopControlPlaneTest {
    private static final Duration T = Duration.ofSeconds(20);
    private static final TestClock CLOCK = new TestClock();
    private static TestControlPlane cp;
    private static TestHttp http;
    private static SshClient client;
    private static ServerSocket echo;

    @BeforeAll
    static void start() throws Exception {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(AutostopControlPlaneTest::echoForever);
        cp = TestControlPlane.builder()
                .clock(CLOCK)
                .gateway(new SshGatewayHook())
                .configure(c -> c.withAutostop(new AutostopSettings(
                        Duration.ofMinutes(10), Duration.ofHours(4), Duration.ofHours(1), Duration.ofMinutes(1))))
                .start();
        cp.fake().sshEndpoint(new SshEndpoint("127.0.0.1", echo.getLocalPort()));
        http = cp.http();
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.start();
    }

    @AfterAll
    static void stop() throws Exception {
        client.stop();
        cp.close();
        echo.close();
    }

    private static void echoForever() {
        while (!echo.isClosed()) {
            try {
                Socket s = echo.accept();
                Thread.ofVirtual().start(() -> {
                    try (s;
                            InputStream in = s.getInputStream();
                            OutputStream out = s.getOutputStream()) {
                        in.transferTo(out);
                    } catch (java.io.IOException e) {
                        // the relay went away
                    }
                });
            } catch (java.io.IOException e) {
                return; // closed
            }
        }
    }

    private static JsonNode get(String ws, String token) {
        HttpResponse<String> r = http.get("/api/v1/workspaces/" + ws, token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestHttp.json(r);
    }

    private static void create(String ws, String token) {
        HttpResponse<String> r = http.post(
                "/api/v1/workspaces", token, "{\"name\":\"" + ws + "\",\"template\":\"fake\",\"autostop\":\"1h\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        await().atMost(T).until(() -> get(ws, token).get("phase").asText().equals("Running"));
    }

    /** Sends a line through the gateway's relay and reads the echo back. */
    private static void talk(ChannelDirectTcpip channel, String line) throws Exception {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        OutputStream out = channel.getInvertedIn();
        out.write(bytes);
        out.flush();
        byte[] back = channel.getInvertedOut().readNBytes(bytes.length);
        assertThat(new String(back, StandardCharsets.UTF_8)).isEqualTo(line + "\n");
    }

    private static AutostopSweep.Result sweep() {
        return cp.server().autostop().sweep();
    }

    private static String id(String ws, String token) {
        return get(ws, token).get("id").asText();
    }

    @Test
    void gatewayTrafficAndALeaseKeepWorkspacesRunningWhileSilenceStopsOneAfterItsWarning() throws Exception {
        String token = cp.createUser("ivy", Role.MEMBER).token();
        String other = cp.createUser("oscar", Role.MEMBER).token();
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair key = g.generateKeyPair();
        String line = PublicKeyEntry.toString(key.getPublic());
        assertThat(http.post("/api/v1/users/me/keys", token, "{\"key\":\"" + line + "\"}")
                        .statusCode())
                .isEqualTo(201);
        create("talks", token);
        create("leased", token);
        create("silent", token);
        Instant t0 = CLOCK.instant();
        String talks = id("talks", token);
        String silent = id("silent", token);

        // A lease through the API: 3h from now; another member's request is 404, a too long one 422.
        HttpResponse<String> lease = http.post("/api/v1/workspaces/leased/activity", token, "{\"for\":\"3h\"}");
        assertThat(lease.statusCode()).as(lease.body()).isEqualTo(200);
        assertThat(TestHttp.json(lease).get("stopAt").asText())
                .isEqualTo(t0.plus(Duration.ofHours(3)).toString());
        assertThat(http.post("/api/v1/workspaces/leased/activity?owner=ivy", other, "{\"for\":\"3h\"}")
                        .statusCode())
                .isEqualTo(404);
        HttpResponse<String> tooLong = http.post("/api/v1/workspaces/leased/activity", token, "{\"for\":\"5h\"}");
        assertThat(tooLong.statusCode()).isEqualTo(422);
        assertThat(TestHttp.json(tooLong).get("field").asText()).isEqualTo("for");

        try (ClientSession session = client.connect(
                        "ivy", "127.0.0.1", cp.server().gateway().port())
                .verify(T)
                .getSession()) {
            session.addPublicKeyIdentity(key);
            session.auth().verify(T);
            try (ChannelDirectTcpip channel = session.createDirectTcpipChannel(
                    new SshdSocketAddress("127.0.0.1", 0), new SshdSocketAddress("talks.hangar", 22))) {
                channel.open().verify(T);
                for (int minutes : List.of(20, 40, 50, 60, 80, 100, 120, 150, 175, 185)) {
                    CLOCK.advance(Duration.between(CLOCK.instant(), t0.plus(Duration.ofMinutes(minutes))));
                    Instant now = CLOCK.instant();
                    talk(channel, "keystrokes at +" + minutes + "m");
                    await().atMost(T)
                            .until(() -> get("talks", token)
                                    .get("autostop")
                                    .get("lastActivity")
                                    .asText()
                                    .equals(now.toString()));
                    AutostopSweep.Result r = sweep();
                    assertThat(r.stopped()).as("+%dm", minutes).doesNotContain(talks);
                    assertThat(r.warned()).as("+%dm", minutes).doesNotContain(talks);
                    if (minutes == 50) assertThat(r.warned()).containsExactly(silent);
                    if (minutes == 60) assertThat(r.stopped()).containsExactly(silent);
                    if (minutes == 175) assertThat(r.warned()).hasSize(1); // the lease ends in 5m
                    if (minutes < 180)
                        assertThat(get("leased", token).get("desired").asText()).isEqualTo("running");
                    if (minutes == 185) {
                        assertThat(r.stopped()).hasSize(1);
                        assertThat(get("leased", token).get("desired").asText()).isEqualTo("stopped");
                    }
                }
            }
        }

        // The silent one: warned once (10m before), then stopped by the reconciler with reason autostop.
        List<JsonNode> events = events("silent", token);
        List<JsonNode> warnings = events.stream()
                .filter(e -> e.get("type").asText().equals(AutostopSweep.WARNING_EVENT))
                .toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).get("message").asText()).startsWith("will stop in 10m (idle since " + t0 + ",");
        assertThat(events)
                .anySatisfy(e -> assertThat(e.get("message").asText()).startsWith("stop requested by autostop"));
        await().atMost(T).until(() -> get("silent", token).get("phase").asText().equals("Stopped"));
        JsonNode stopped = get("silent", token);
        assertThat(stopped.get("desired").asText()).isEqualTo("stopped");
        assertThat(stopped.get("reason").asText()).startsWith("autostop");
        // The talking one ran throughout; hangar show's data says when it would stop.
        JsonNode running = get("talks", token);
        assertThat(running.get("phase").asText()).isEqualTo("Running");
        assertThat(running.get("autostop").get("autostop").asText()).isEqualTo("1h");
        assertThat(running.get("autostop").get("stopAt").asText())
                .isEqualTo(t0.plus(Duration.ofMinutes(185 + 60)).toString());
    }

    private static List<JsonNode> events(String ws, String token) {
        HttpResponse<String> r = http.get("/api/v1/workspaces/" + ws + "/events", token);
        assertThat(r.statusCode()).isEqualTo(200);
        List<JsonNode> out = new java.util.ArrayList<>();
        TestHttp.json(r).forEach(out::add);
        return out;
    }
}
