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
                step,
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
}
