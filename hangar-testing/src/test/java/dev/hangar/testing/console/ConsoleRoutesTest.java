package dev.hangar.testing.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hangar.api.EventView;
import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.client.ApiException;
import dev.hangar.api.client.HangarClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console WebSocket and log routes over real HTTP and a real WebSocket (JDK client, Jetty
 * server), bridged to a real unix socket served by {@link SerialConsoleEmulator} (an emulated
 * getty: no VM boots in a fast test; QemuProviderIT checks a real one).
 */
class ConsoleRoutesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private ConsoleFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new ConsoleFixture();
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    @Test
    void bridgesBytesBothWaysAndRecordsAttachAndDetach() throws Exception {
        try (HangarClient alice = f.client(f.alice.token())) {
            Collector out = new Collector();
            WebSocket ws = alice.attachConsole("dev", "", out);
            ws.sendBinary(ByteBuffer.wrap("\r".getBytes(StandardCharsets.US_ASCII)), true)
                    .join();
            await().atMost(WAIT).until(() -> out.received().contains(SerialConsoleEmulator.PROMPT));
            ws.sendBinary(ByteBuffer.wrap("root".getBytes(StandardCharsets.US_ASCII)), true)
                    .join();
            ws.sendText("\u00e9", true).join(); // text frames are passed on as UTF-8
            await().atMost(WAIT).until(() -> out.received().endsWith("root\u00c3\u00a9"));
            assertThat(f.emulator.received()).isEqualTo("\rroot\u00e9");

            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> types(alice.events("dev", "", 100)).contains("console-detach"));
            List<EventView> events = alice.events("dev", "", 100);
            EventView attach = events.stream()
                    .filter(e -> e.type().equals("console-attach"))
                    .findFirst()
                    .orElseThrow();
            assertThat(attach.actor()).isEqualTo("alice");
            assertThat(attach.message()).startsWith("serial console attached by alice from ");
            EventView detach = events.stream()
                    .filter(e -> e.type().equals("console-detach"))
                    .findFirst()
                    .orElseThrow();
            assertThat(detach.message()).contains("7 bytes to the guest");
            // the audit log has the session's open and close (issue #15, item 6)
            await().atMost(WAIT)
                    .until(() -> audit("console.")
                            .containsAll(
                                    List.of("alice console.open alice/dev ok", "alice console.close alice/dev ok")));

            // The console is free again after a detach.
            Collector again = new Collector();
            WebSocket second = alice.attachConsole("dev", "", again);
            second.sendBinary(ByteBuffer.wrap("\r".getBytes(StandardCharsets.US_ASCII)), true)
                    .join();
            await().atMost(WAIT).until(() -> again.received().contains(SerialConsoleEmulator.PROMPT));
            second.abort();
        }
    }

    /** @return the audit entries of {@code action} (or family) as "actor action target outcome" */
    private List<String> audit(String action) {
        return f
                .cp
                .server()
                .audit()
                .list(
                        new dev.hangar.core.audit.AuditQuery(
                                java.time.Instant.EPOCH, "", action, dev.hangar.core.audit.AuditQuery.START),
                        100)
                .stream()
                .map(e -> e.actor() + " " + e.action() + " " + e.target() + " " + e.outcome())
                .toList();
    }

    @Test
    void secondClientIsClosedAsBusyNamingWhoIsAttached() throws Exception {
        try (HangarClient alice = f.client(f.alice.token());
                HangarClient admin = f.client(f.cp.adminToken())) {
            WebSocket first = alice.attachConsole("dev", "", new Collector());
            await().atMost(WAIT).until(() -> f.emulator.connections() == 1);
            Collector second = new Collector();
            admin.attachConsole("dev", "alice", second);
            Collector.Closed closed = second.closed.get(10, TimeUnit.SECONDS);
            assertThat(closed.code()).isEqualTo(1013);
            assertThat(closed.reason()).startsWith("console busy: alice is attached since ");
            assertThat(audit("console.open")).contains("admin console.open alice/dev denied");
            // The first client keeps working.
            Collector firstOut = new Collector();
            first.abort();
            WebSocket third = alice.attachConsole("dev", "", firstOut);
            third.sendBinary(ByteBuffer.wrap("x".getBytes(StandardCharsets.US_ASCII)), true)
                    .join();
            await().atMost(WAIT).until(() -> firstOut.received().contains("x"));
            third.abort();
        }
    }

    @Test
    void guestSideHangUpClosesTheWebSocketNormally() throws Exception {
        try (HangarClient alice = f.client(f.alice.token())) {
            Collector out = new Collector();
            alice.attachConsole("dev", "", out);
            await().atMost(WAIT).until(() -> f.emulator.connections() == 1);
            f.emulator.hangUp();
            Collector.Closed closed = out.closed.get(10, TimeUnit.SECONDS);
            assertThat(closed.code()).isEqualTo(1000);
            assertThat(closed.reason()).contains("the VM stopped");
        }
    }

    @Test
    void missingConsoleSocketMeansNotRunning() throws Exception {
        f.emulator.close();
        try (HangarClient alice = f.client(f.alice.token())) {
            // No socket file at all: refused before the upgrade, so no client says "Connected".
            assertThatThrownBy(() -> alice.attachConsole("dev", "", new Collector()))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(409);
                        assertThat(e.problem().type()).endsWith("/not-running");
                        assertThat(e.detail())
                                .startsWith("workspace dev has no running console")
                                .contains("hangar start dev");
                    });
            // A socket file nobody listens on (a VM killed with SIGKILL leaves one): the upgrade
            // succeeds, the connect fails, and the close frame says the same.
            Files.createFile(f.emulator.socket());
            Collector out = new Collector();
            alice.attachConsole("dev", "", out);
            Collector.Closed closed = out.closed.get(10, TimeUnit.SECONDS);
            assertThat(closed.code()).isEqualTo(4409);
            assertThat(closed.reason())
                    .startsWith("workspace dev has no running console")
                    .contains("hangar start dev");
        }
    }

    @Test
    void aStoppedWorkspaceIsRefusedBeforeTheUpgradeWithItsPhase() {
        try (HangarClient alice = f.client(f.alice.token())) {
            alice.stopWorkspace("dev", "");
            await().atMost(WAIT).until(() -> alice.workspace("dev").phase() == WorkspacePhase.Stopped);
            assertThatThrownBy(() -> alice.attachConsole("dev", "", new Collector()))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(409);
                        assertThat(e.problem().type()).endsWith("/not-running");
                        assertThat(e.detail())
                                .isEqualTo(
                                        "workspace dev is not running (phase Stopped: fake compute stopped); start it with 'hangar start dev'");
                    });
            // The log still works while stopped.
            assertThat(alice.consoleLog("dev", "", 1)).isEqualTo("dev login:\n");
        }
        assertThat(f.emulator.connections()).isZero();
    }

    @Test
    void refusesBeforeTheUpgradeWithProblems() {
        try (HangarClient anonymous = f.client("");
                HangarClient bob = f.client(f.bob.token());
                HangarClient alice = f.client(f.alice.token())) {
            assertThatThrownBy(() -> anonymous.attachConsole("dev", "alice", new Collector()))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.detail()).contains("Authorization: Bearer");
                    });
            // Another user's workspace is "not found", exactly like a missing one (issue #15: names cannot be probed).
            assertThatThrownBy(() -> bob.attachConsole("dev", "alice", new Collector()))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(404);
                        assertThat(e.detail()).isEqualTo("workspace 'dev' of alice does not exist");
                    });
            // bob's own namespace: no such workspace (other users' names do not leak).
            assertThatThrownBy(() -> bob.attachConsole("dev", "", new Collector()))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
            assertThatThrownBy(() -> alice.attachConsole("nope", "", new Collector()))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(404);
                        assertThat(e.detail()).contains("workspace 'nope' of alice does not exist");
                    });
            assertThatThrownBy(() -> alice.attachConsole("pod", "", new Collector()))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(409);
                        assertThat(e.problem().type()).endsWith("/no-console");
                        assertThat(e.detail())
                                .isEqualTo("workspace pod (provider fake) has no serial console; use 'hangar ssh pod'");
                    });
            assertThat(f.emulator.connections()).isZero();
        }
    }

    @Test
    void logRouteAnswersTextWithTheSameChecks() {
        try (HangarClient alice = f.client(f.alice.token());
                HangarClient bob = f.client(f.bob.token());
                HangarClient admin = f.client(f.cp.adminToken())) {
            assertThat(alice.consoleLog("dev", "", 2)).isEqualTo("Debian GNU/Linux 12 dev ttyS0\ndev login:\n");
            assertThat(admin.consoleLog("dev", "alice", 100)).isEqualTo(String.join("\n", ConsoleFixture.LOG) + "\n");
            // another user's workspace is "not found" (issue #15: names cannot be probed)
            assertThatThrownBy(() -> bob.consoleLog("dev", "alice", 5))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(404);
                        assertThat(e.detail()).isEqualTo("workspace 'dev' of alice does not exist");
                    });
            assertThatThrownBy(() -> alice.consoleLog("pod", "", 5))
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.status()).isEqualTo(409));
        }
        var bad = f.cp.http().get("/api/v1/workspaces/dev/console/log?lines=0", f.alice.token());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("lines must be an integer 1..10000");
        var text = f.cp.http().get("/api/v1/workspaces/dev/console/log?lines=1", f.alice.token());
        assertThat(text.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    }

    private static List<String> types(List<EventView> events) {
        return events.stream().map(EventView::type).toList();
    }
}
