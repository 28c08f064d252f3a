package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.cli.CliHarness;
import dev.hangar.cli.ExitCodes;
import dev.hangar.testing.console.ConsoleFixture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar console}'s messages through the real CLI and server, as golden output: the log, an
 * empty log, a workspace without a console, and a workspace whose VM is not running (refused
 * with its phase and reason before anything says "Connected").
 */
class CliConsoleGoldenTest {
    @TempDir
    Path home;

    private Golden golden(ConsoleFixture f) {
        CliHarness cli = new CliHarness(home)
                .env("HANGAR_URL", f.cp.baseUri().toString())
                .env("HANGAR_TOKEN", f.alice.token());
        return new Golden(cli).literal(home.toString(), "<home>");
    }

    @Test
    void consoleMessagesSayTheState() throws Exception {
        try (ConsoleFixture f = new ConsoleFixture()) {
            Golden g = golden(f);
            g.run("console", "dev", "--log", "--lines", "2");
            g.run("console", "pod");
            g.run("stop", "dev", "--wait");
            CliHarness.Result r = g.run("console", "dev");
            assertThat(r.code()).isEqualTo(ExitCodes.CONFLICT);
            g.note("the log still works while stopped");
            g.run("console", "dev", "--log", "--lines", "1");
            g.assertMatches("console");
        }
    }

    @Test
    void anEmptyLogIsSaidToBeEmpty() throws Exception {
        try (ConsoleFixture f = new ConsoleFixture(List.of())) {
            Golden g = golden(f);
            g.run("console", "dev", "--log");
            g.assertMatches("console-empty-log");
        }
    }
}
