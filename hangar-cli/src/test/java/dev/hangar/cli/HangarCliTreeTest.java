package dev.hangar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command tree {@link HangarCli#commandLine(CliContext, String...)} builds for a command line
 * that names no command (summaries of the subcommands, for a fast {@code hangar --help}) behaves
 * exactly like the whole tree for what such a command line can reach: the usage text, usage
 * errors, typo suggestions.
 */
class HangarCliTreeTest {
    @TempDir
    Path home;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CliContext ctx() {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return new CliContext(
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                InputStream.nullInputStream(),
                Terminal.of(InputStream.nullInputStream(), new PrintWriter(err), false),
                Map.of("HANGAR_TOKEN", "hgr_test"),
                home,
                Clock.systemUTC(),
                CliContext.DEFAULT_POLL_INTERVAL);
    }

    @Test
    void rootHelpFromSummariesIsTheWholeTreesHelp() {
        CommandLine summaries = HangarCli.commandLine(ctx(), "--help");
        CommandLine whole = HangarCli.commandLine(ctx());
        // The summaries really are summaries: no subcommand model (options) was built.
        assertThat(summaries.getSubcommands().get("list").getCommandSpec().options())
                .isEmpty();
        assertThat(whole.getSubcommands().get("list").getCommandSpec().findOption("--phase"))
                .isNotNull();
        assertThat(summaries.getUsageMessage())
                .isEqualTo(whole.getUsageMessage())
                .contains("list, ls", "template, templates", "Exit codes:");
    }

    @Test
    void usageErrorsAndSuggestionsAreTheWholeTreesToo() {
        for (String[] args : new String[][] {{"lst"}, {}, {"--nope"}, {"-V"}, {"--help"}, {"templat", "list"}}) {
            int lightCode = HangarCli.commandLine(ctx(), args).execute(args);
            String lightOut = out.toString(), lightErr = err.toString();
            int wholeCode = HangarCli.commandLine(ctx()).execute(args);
            assertThat(lightCode).as(String.join(" ", args)).isEqualTo(wholeCode);
            assertThat(lightOut).as(String.join(" ", args)).isEqualTo(out.toString());
            assertThat(lightErr).as(String.join(" ", args)).isEqualTo(err.toString());
        }
        HangarCli.commandLine(ctx(), "lst").execute("lst");
        assertThat(err.toString()).contains("unknown command 'lst'", "Did you mean: hangar ls");
    }

    @Test
    void aCommandNamedAnywhereGetsItsRealModel() {
        // `hangar --help list` prints the root's help, yet picocli parses "list" as the subcommand.
        CommandLine cl = HangarCli.commandLine(ctx(), "--help", "list");
        assertThat(cl.getSubcommands().get("list").getCommandSpec().findOption("--phase"))
                .isNotNull();
        assertThat(HangarCli.commandLine(ctx(), "ls").getSubcommands()).containsOnlyKeys("list", "ls");
    }
}
