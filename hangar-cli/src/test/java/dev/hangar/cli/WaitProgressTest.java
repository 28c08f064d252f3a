package dev.hangar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hangar.api.DesiredState;
import dev.hangar.api.Json;
import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.WorkspaceView;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar start --wait} at an interactive terminal shows each new reason within a phase (a
 * KubeVirt DataVolume import's percentage, as the kubevirt provider reports it) once, and nothing
 * for a poll that brought no change. The server is scripted with the JDK's HTTP server on a real
 * loopback socket, because the real server's reasons depend on a provider's timing; the reasons are
 * the kubevirt provider's own wording.
 */
class WaitProgressTest {
    private static final List<String[]> SCRIPT = List.of(
            new String[] {"Starting", "root disk ws-alice-dev-root: ImportInProgress 12.50%"},
            new String[] {"Starting", "root disk ws-alice-dev-root: ImportInProgress 12.50%"},
            new String[] {"Starting", "root disk ws-alice-dev-root: ImportInProgress 87.00%"},
            new String[] {"Starting", "VM running; waiting for sshd at 127.0.0.1:40022"},
            new String[] {"Running", "sshd answered with the pinned host key"});

    @TempDir
    Path home;

    private HttpServer server;
    private final AtomicInteger polls = new AtomicInteger();
    private final List<String> queries = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** An older server's versions do not matter here: it ignores changedFrom and answers at once. */
    private volatile boolean oneVersion;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/workspaces/dev", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange ex) throws IOException {
        // The start request answers the first state; each poll moves one step, then stays at the last.
        int step = ex.getRequestMethod().equals("POST") ? 0 : Math.min(polls.incrementAndGet(), SCRIPT.size() - 1);
        if (ex.getRequestMethod().equals("GET"))
            queries.add(String.valueOf(ex.getRequestURI().getQuery()));
        String[] s = SCRIPT.get(step);
        Instant t = Instant.parse("2026-12-03T10:00:00Z");
        WorkspaceView view = new WorkspaceView(
                "00000000-0000-0000-0000-000000000001",
                "dev",
                "alice",
                "kubevirt-debian-12",
                "kubevirt",
                2,
                4096,
                16,
                "debian-12",
                DesiredState.RUNNING,
                WorkspacePhase.valueOf(s[0]),
                s[1],
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKey",
                t,
                t,
                oneVersion ? 7 : step,
                null,
                List.of());
        byte[] body = Json.mapper().writeValueAsBytes(view);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(ex.getRequestMethod().equals("POST") ? 202 : 200, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    @Test
    void eachNewReasonIsShownOnceUntilRunning() {
        CliHarness.Result r = new CliHarness(home)
                .env("HANGAR_URL", "http://127.0.0.1:" + server.getAddress().getPort())
                .env("HANGAR_TOKEN", "hgr_test")
                .interactive(true)
                .run("start", "dev", "--wait");

        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err().lines().filter(l -> l.startsWith("phase: ")))
                .containsExactly(
                        "phase: Starting (root disk ws-alice-dev-root: ImportInProgress 12.50%)",
                        "phase: Starting (root disk ws-alice-dev-root: ImportInProgress 87.00%)",
                        "phase: Starting (VM running; waiting for sshd at 127.0.0.1:40022)",
                        "phase: Running (sshd answered with the pinned host key)");
    }

    @Test
    void afterTheFirstGetEachRequestAsksTheServerToHoldItUntilTheVersionSeenLastChanges() {
        CliHarness.Result r = new CliHarness(home)
                .env("HANGAR_URL", "http://127.0.0.1:" + server.getAddress().getPort())
                .env("HANGAR_TOKEN", "hgr_test")
                .run("start", "dev", "--wait");

        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(queries)
                .containsExactly(
                        "null",
                        "changedFrom=1&waitSeconds=10",
                        "changedFrom=2&waitSeconds=10",
                        "changedFrom=3&waitSeconds=10");
    }

    @Test
    void aServerThatAnswersAtOnceWithoutAChangeIsPolledInstead() {
        oneVersion = true; // every answer version 7, at once: a server from before changedFrom

        CliHarness.Result r = new CliHarness(home)
                .env("HANGAR_URL", "http://127.0.0.1:" + server.getAddress().getPort())
                .env("HANGAR_TOKEN", "hgr_test")
                .run("start", "dev", "--wait");

        assertThat(r.code()).as(r.toString()).isZero();
        // one waiting request, answered at once unchanged; then plain polls until Running
        assertThat(queries).startsWith("null", "changedFrom=7&waitSeconds=10");
        assertThat(queries.subList(2, queries.size())).isNotEmpty().allMatch("null"::equals);
    }

    @Test
    void aHeldRequestStaysUnderTheDeadlineAndHalfTheRequestTimeout() {
        java.time.Duration thirty = java.time.Duration.ofSeconds(30);
        assertThat(Waiter.hold(java.time.Duration.ofMinutes(25), thirty)).isEqualTo(Waiter.HOLD);
        assertThat(Waiter.hold(java.time.Duration.ofSeconds(4), thirty)).isEqualTo(java.time.Duration.ofSeconds(4));
        assertThat(Waiter.hold(java.time.Duration.ofMinutes(25), java.time.Duration.ofSeconds(6)))
                .isEqualTo(java.time.Duration.ofSeconds(3));
        // under the server's unit of a second: poll instead
        assertThat(Waiter.hold(java.time.Duration.ofMillis(900), thirty)).isZero();
        assertThat(Waiter.hold(java.time.Duration.ofMinutes(25), java.time.Duration.ofMillis(1500)))
                .isZero();
    }
}
