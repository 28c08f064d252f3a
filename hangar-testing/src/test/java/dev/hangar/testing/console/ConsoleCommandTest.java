package dev.hangar.testing.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.client.HangarClient;
import dev.hangar.cli.CliContext;
import dev.hangar.cli.ExitCodes;
import dev.hangar.cli.HangarCli;
import dev.hangar.cli.Terminal;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code hangar console} in this JVM against a real server over real HTTP and WebSocket, bridged
 * to the emulated getty of {@link SerialConsoleEmulator} (a real unix socket; no VM boots in a fast
 * test). Standard input is not a terminal here, so the command pipes bytes unchanged (no raw mode,
 * no escape character) and detaches once the console went quiet after the end of input.
 */
class ConsoleCommandTest {
    private ConsoleFixture f;

    /** One finished command. */
    private record Result(int code, String out, String err) {}

    @BeforeEach
    void start() throws Exception {
        f = new ConsoleFixture();
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    @Test
    void pipesStdinAndStdoutWhenStdinIsNotATerminal() {
        Result r = run(f.alice.token(), "\rroot\r", "console", "dev", "--linger", "300ms");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.err()).startsWith("Connected to dev's serial console\n");
        assertThat(r.out())
                .isEqualTo("\r\n" + SerialConsoleEmulator.PROMPT + "root\r\n" + SerialConsoleEmulator.PROMPT);
        assertThat(f.emulator.received()).isEqualTo("\rroot\r");
    }

    @Test
    void aWorkspaceWithoutARunningVmSaysWhyBeforeConnected() {
        try (HangarClient alice = f.client(f.alice.token())) {
            alice.stopWorkspace("dev", "");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> alice.workspace("dev").phase() == WorkspacePhase.Stopped);
        }
        Result r = run(f.alice.token(), "", "console", "dev");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(r.err())
                .isEqualTo(
                        "error: workspace dev is not running (phase Stopped: fake compute stopped); start it with 'hangar start dev'\n");
        assertThat(r.out()).isEmpty();
        assertThat(f.emulator.connections()).isZero();
    }

    @Test
    void logWithoutALogSaysSo() throws Exception {
        f.close();
        f = new ConsoleFixture(List.of());
        Result r = run(f.alice.token(), "", "console", "dev", "--log");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).isEmpty();
        assertThat(r.err())
                .isEqualTo("workspace dev has no console log yet (phase Running: fake sshd (not listening))\n");
    }

    @Test
    void logPrintsTheTailAndExits() {
        Result r = run(f.alice.token(), "", "console", "dev", "--log", "--lines", "2");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).isEqualTo("Debian GNU/Linux 12 dev ttyS0\ndev login:\n");
        assertThat(f.emulator.connections()).isZero();
    }

    @Test
    void busyConsoleIsAConflictNamingWhoIsAttached() throws Exception {
        try (HangarClient alice = f.client(f.alice.token())) {
            var first = alice.attachConsole("dev", "", new Collector());
            await().atMost(Duration.ofSeconds(10)).until(() -> f.emulator.connections() == 1);
            Result r = run(f.cp.adminToken(), "", "console", "dev", "--owner", "alice");
            assertThat(r.code()).isEqualTo(ExitCodes.CONFLICT);
            assertThat(r.err()).contains("console busy: alice is attached since");
            first.abort();
        }
    }

    @Test
    void providerWithoutConsoleAndOtherUsersAreClearErrors() {
        Result pod = run(f.alice.token(), "", "console", "pod");
        assertThat(pod.code()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(pod.err()).contains("workspace pod (provider fake) has no serial console; use 'hangar ssh pod'");

        Result bob = run(f.bob.token(), "", "console", "dev", "--owner", "alice");
        // Another user's workspace is "not found" (issue #15: names cannot be probed).
        assertThat(bob.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(bob.err()).contains("workspace 'dev' of alice does not exist");

        Result missing = run(f.alice.token(), "", "console", "nope", "--log");
        assertThat(missing.code()).isEqualTo(ExitCodes.NOT_FOUND);
    }

    private Result run(String token, String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter errWriter = new PrintWriter(err, true);
        ByteArrayInputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.ISO_8859_1));
        CliContext ctx = new CliContext(
                new PrintWriter(out, true),
                errWriter,
                in,
                Terminal.of(in, errWriter, false),
                Map.of(
                        "HANGAR_HOME", f.dir.resolve("cli-home").toString(),
                        "HANGAR_URL", f.cp.baseUri().toString(),
                        "HANGAR_TOKEN", token),
                f.dir,
                Clock.systemUTC(),
                Duration.ofMillis(50));
        int code = HangarCli.run(ctx, args);
        return new Result(code, out.toString(), err.toString());
    }
}
