package dev.hangar.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway reports relayed bytes as workspace activity, both directions, throttled per channel:
 * one report at the first bytes, then at most one per {@link GatewayActivity#REPORT_INTERVAL} of
 * the gateway's clock, however many packets pass. A MINA client relays through the gateway to a TCP
 * echo server standing in for the workspace's sshd; the clock moves only when the test moves it.
 */
class GatewayActivityTest {
    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    record Report(String workspaceId, long bytes) {}

    @Test
    void relayedBytesAreReportedOncePerIntervalWithTheirCount() throws Exception {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-03T10:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public Instant instant() {
                return now.get();
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }
        };
        List<Report> reports = new CopyOnWriteArrayList<>();
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair key = g.generateKeyPair();
        try (ServerSocket echo = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> echoOnce(echo));
            MapDirectory directory = new MapDirectory()
                    .key("ann", PublicKeyEntry.toString(key.getPublic()))
                    .workspace("dev", new WorkspaceTarget.Reachable("id-dev", "ann", "127.0.0.1", echo.getLocalPort()));
            try (SshGateway gateway = SshGateway.start(
                            LoopbackGateway.config(tmp.resolve("state")),
                            directory,
                            new RecordingAudit(),
                            (id, bytes) -> reports.add(new Report(id, bytes)),
                            clock);
                    SshClient client = SshClient.setUpDefaultClient()) {
                client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
                client.start();
                try (ClientSession s = client.connect("ann", "127.0.0.1", gateway.port())
                                .verify(T)
                                .getSession();
                        ChannelDirectTcpip ch = openTo(s, key)) {
                    int lines = 0;
                    for (int i = 0; i < 50; i++) lines += roundTrip(ch, "line " + i);
                    // many packets, one instant: one report (at the first bytes)
                    await().atMost(T).until(() -> !reports.isEmpty());
                    assertThat(reports).hasSize(1);
                    assertThat(reports.get(0).workspaceId()).isEqualTo("id-dev");

                    now.updateAndGet(t -> t.plus(GatewayActivity.REPORT_INTERVAL));
                    lines += roundTrip(ch, "after the interval");
                    await().atMost(T).until(() -> reports.size() == 2);
                    long total = 2L * lines; // each byte went up and came back down
                    // the second report carries what moved since the first; together at most all of it
                    assertThat(reports.get(0).bytes() + reports.get(1).bytes())
                            .isPositive()
                            .isLessThanOrEqualTo(total);
                    assertThat(reports.get(1).bytes()).isGreaterThanOrEqualTo(("after the interval\n").length());
                    // no further time: no further reports, however much is relayed
                    for (int i = 0; i < 20; i++) roundTrip(ch, "more " + i);
                    assertThat(reports).hasSize(2);
                }
            }
        }
    }

    private static ChannelDirectTcpip openTo(ClientSession s, KeyPair key) throws Exception {
        s.addPublicKeyIdentity(key);
        s.auth().verify(T);
        ChannelDirectTcpip ch = s.createDirectTcpipChannel(
                new SshdSocketAddress("127.0.0.1", 0), new SshdSocketAddress("dev.hangar", 22));
        ch.open().verify(T);
        return ch;
    }

    /** @return the bytes sent (and echoed back) */
    private static int roundTrip(ChannelDirectTcpip ch, String line) throws Exception {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        OutputStream out = ch.getInvertedIn();
        out.write(bytes);
        out.flush();
        assertThat(ch.getInvertedOut().readNBytes(bytes.length)).isEqualTo(bytes);
        return bytes.length;
    }

    private static void echoOnce(ServerSocket server) {
        try (Socket s = server.accept();
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream()) {
            in.transferTo(out);
        } catch (java.io.IOException e) {
            // the relay went away
        }
    }
}
