package dev.hangar.testing.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hangar.api.CreateWorkspaceRequest;
import dev.hangar.api.EventView;
import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.client.ApiException;
import dev.hangar.api.client.ClientSettings;
import dev.hangar.api.client.HangarClient;
import dev.hangar.provider.spi.WorkspaceTerminal;
import dev.hangar.testing.TestControlPlane;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console WebSocket on a kind with a terminal and no serial console (as Pods): the server opens
 * a shell per client through {@link WorkspaceTerminal} and relays it like a serial console, with the
 * size from the URL and from resize messages. Real HTTP and a real WebSocket (JDK client, Jetty
 * server); the shell is {@link TerminalFakeProvider}'s in-memory TTY (the exec itself is checked by
 * PodTerminalTest on the mock API server and by KubernetesWorkspaceIT on a real cluster).
 */
class ConsoleTerminalRoutesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final List<TerminalFakeProvider.Tty> ttys = new CopyOnWriteArrayList<>();
    private TestControlPlane cp;
    private TestControlPlane.Credentials alice;
    private String name;

    @BeforeEach
    void start() throws Exception {
        Path templates = Files.createDirectories(dir.resolve("templates"));
        Files.writeString(templates.resolve("shell.yaml"), """
                name: shell
                description: fake workspaces with a terminal and no serial console
                provider: fake-terminal
                image: fake-image
                defaults: {cpus: 1, memoryMiB: 512, diskGiB: 1}
                limits:
                  cpus: {min: 1, max: 8}
                  memoryMiB: {min: 128, max: 16384}
                  diskGiB: {min: 1, max: 100}
                settings: {}
                """);
        cp = TestControlPlane.builder()
                .configure(c -> c.withTemplates(templates, false))
                .addProviderFactory(TerminalFakeProvider.factory(ttys))
                .start();
        alice = cp.createUser("alice", false);
        name = "t" + UUID.randomUUID().toString().substring(0, 8);
        try (HangarClient c = client()) {
            c.createWorkspace(new CreateWorkspaceRequest(name, "shell", null, null, null, null, null));
            await().atMost(Duration.ofSeconds(30)).until(() -> c.workspace(name).phase() == WorkspacePhase.Running);
        }
    }

    @AfterEach
    void stop() throws Exception {
        cp.close();
    }

    @Test
    void aShellIsOpenedWithTheUrlsSizeBridgedBothWaysResizedAndClosedAtDetach() throws Exception {
        Collector out = new Collector();
        WebSocket ws = open("?columns=132&rows=43", out);
        await().atMost(WAIT).until(() -> ttys.size() == 1);
        TerminalFakeProvider.Tty tty = ttys.getFirst();
        assertThat(tty.workspace).isEqualTo(name);
        assertThat(tty.sizes).containsExactly(new WorkspaceTerminal.Size(132, 43));

        String typed = "id -un\r";
        ws.sendBinary(ByteBuffer.wrap(typed.getBytes(StandardCharsets.US_ASCII)), true)
                .join();
        await().atMost(WAIT).until(() -> out.received().equals(typed));
        // A resize message goes to the TTY and not to the shell's input; other text is input.
        ws.sendText("{\"type\":\"resize\",\"columns\":100,\"rows\":30}", true).join();
        ws.sendText("{\"type\":\"other\"}", true).join();
        await().atMost(WAIT).until(() -> out.received().endsWith("{\"type\":\"other\"}"));
        assertThat(tty.sizes).containsExactly(new WorkspaceTerminal.Size(132, 43), new WorkspaceTerminal.Size(100, 30));
        assertThat(tty.typed()).isEqualTo(typed + "{\"type\":\"other\"}");
        // Out of range: not a size, so input like any text.
        ws.sendText("{\"type\":\"resize\",\"columns\":0,\"rows\":30}", true).join();
        await().atMost(WAIT).until(() -> tty.typed().endsWith("\"rows\":30}"));
        assertThat(tty.sizes).hasSize(2);

        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(tty::closed);
        try (HangarClient c = client()) {
            await().atMost(WAIT).until(() -> types(c.events(name, "", 100)).contains("console-detach"));
            List<EventView> events = c.events(name, "", 100);
            assertThat(events)
                    .extracting(EventView::message)
                    .anySatisfy(m -> assertThat(m).startsWith("terminal attached by alice from "))
                    .anySatisfy(m -> assertThat(m).startsWith("terminal detached (closed by the client) after "));
        }
    }

    @Test
    void withoutSizeTheShellIs80x24AndItsExitClosesTheSocketNormally() throws Exception {
        Collector out = new Collector();
        open("?columns=x&rows=24", out);
        await().atMost(WAIT).until(() -> ttys.size() == 1);
        assertThat(ttys.getFirst().sizes).containsExactly(WorkspaceTerminal.Size.DEFAULT);
        ttys.getFirst().close(); // the shell exits
        Collector.Closed closed = out.closed.get(10, TimeUnit.SECONDS);
        assertThat(closed.code()).isEqualTo(1000);
        assertThat(closed.reason()).isEqualTo("terminal closed: the shell exited");
    }

    @Test
    void aStoppedWorkspaceIsRefusedBeforeTheUpgradeAndNoShellIsOpened() {
        try (HangarClient c = client()) {
            c.stopWorkspace(name, "");
            await().atMost(WAIT).until(() -> c.workspace(name).phase() == WorkspacePhase.Stopped);
            assertThatThrownBy(() -> c.attachConsole(name, "", new Collector()))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(409);
                        assertThat(e.problem().type()).endsWith("/not-running");
                        assertThat(e.detail()).startsWith("workspace " + name + " is not running (phase Stopped");
                    });
        }
        assertThat(ttys).isEmpty();
    }

    private WebSocket open(String query, Collector listener) {
        URI base = cp.baseUri();
        URI uri = URI.create(
                "ws://" + base.getHost() + ":" + base.getPort() + "/api/v1/workspaces/" + name + "/console" + query);
        return HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .header("Authorization", "Bearer " + alice.token())
                .buildAsync(uri, listener)
                .join();
    }

    private HangarClient client() {
        return new HangarClient(ClientSettings.of(cp.baseUri().toString(), alice.token()));
    }

    private static List<String> types(List<EventView> events) {
        return events.stream().map(EventView::type).toList();
    }
}
