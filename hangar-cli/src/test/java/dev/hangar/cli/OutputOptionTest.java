package dev.hangar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code -o/--output} is declared once ({@link OutputOption}) and mixed into every command that has
 * it; its three states (left out, {@code table}, json/yaml) are what commands branch on.
 */
class OutputOptionTest {
    @TempDir
    Path home;

    @Command(name = "probe")
    static final class Probe {
        @Mixin
        OutputOption output;
    }

    private static OutputOption parse(String... args) {
        Probe p = new Probe();
        new CommandLine(p).parseArgs(args);
        return p.output;
    }

    @Test
    void leftOutIsNeitherTableNorMachineReadable() {
        OutputOption o = parse();

        assertThat(o.machineReadable()).isFalse();
        assertThat(o.tableRequested()).isFalse();
        assertThatThrownBy(() -> o.write(new PrintWriter(new StringWriter()), Map.of("a", 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tableIsRequestedButNotMachineReadable() {
        OutputOption o = parse("-o", "table");

        assertThat(o.tableRequested()).isTrue();
        assertThat(o.machineReadable()).isFalse();
        assertThatThrownBy(() -> o.write(new PrintWriter(new StringWriter()), Map.of("a", 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("table");
    }

    @Test
    void jsonAndYamlAreWrittenByTheOneRenderer() {
        OutputOption json = parse("--output", "json");
        OutputOption yaml = parse("-o", "yaml");
        StringWriter j = new StringWriter();
        StringWriter y = new StringWriter();

        json.write(new PrintWriter(j, true), Map.of("name", "dev"));
        yaml.write(new PrintWriter(y, true), Map.of("name", "dev"));

        assertThat(json.machineReadable()).isTrue();
        assertThat(json.tableRequested()).isFalse();
        assertThat(yaml.machineReadable()).isTrue();
        assertThat(j.toString().strip()).isEqualTo("{\n  \"name\" : \"dev\"\n}");
        assertThat(y.toString().strip()).isEqualTo("name: dev");
    }

    @Test
    void everyCommandWithOutputUsesTheMixin() {
        StringWriter sink = new StringWriter();
        ByteArrayInputStream in = new ByteArrayInputStream(new byte[0]);
        PrintWriter err = new PrintWriter(sink, true);
        CliContext ctx = new CliContext(
                new PrintWriter(sink, true),
                err,
                in,
                Terminal.of(in, err, false),
                Map.of("HANGAR_HOME", home.resolve("hangar").toString()),
                home,
                Clock.systemUTC(),
                CliContext.DEFAULT_POLL_INTERVAL);
        List<String> withOption = new ArrayList<>();
        List<String> withMixin = new ArrayList<>();
        collect(HangarCli.commandLine(ctx).getCommandSpec(), withOption, withMixin);

        assertThat(withOption)
                .containsExactlyInAnyOrder(
                        "hangar audit",
                        "hangar create",
                        "hangar events",
                        "hangar image list",
                        "hangar keepalive",
                        "hangar autostop show",
                        "hangar autostop set",
                        "hangar key list",
                        "hangar list",
                        "hangar show",
                        "hangar template list",
                        "hangar template show",
                        "hangar token list",
                        "hangar secret list",
                        "hangar quota show",
                        "hangar lab create",
                        "hangar lab list",
                        "hangar lab show",
                        "hangar usb list",
                        "hangar user list");
        assertThat(withMixin).containsExactlyInAnyOrderElementsOf(withOption);
    }

    private static void collect(CommandSpec spec, List<String> withOption, List<String> withMixin) {
        OptionSpec o = spec.findOption("--output");
        if (o != null) {
            withOption.add(spec.qualifiedName());
            assertThat(o.description()).as(spec.qualifiedName()).containsExactly(OutputOption.DESCRIPTION);
            assertThat(o.names()).as(spec.qualifiedName()).containsExactly("-o", "--output");
        }
        if (spec.mixins().values().stream().anyMatch(m -> m.userObject() instanceof OutputOption)) {
            withMixin.add(spec.qualifiedName());
        }
        // distinct: an alias (ls) maps to the same command as its name (list)
        spec.subcommands().values().stream()
                .distinct()
                .forEach(sub -> collect(sub.getCommandSpec(), withOption, withMixin));
    }
}
