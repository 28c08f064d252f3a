package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.cli.CliHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A transcript of CLI runs compared with a golden file under {@code
 * src/test/resources/golden/NAME.txt}. Each run is written as
 *
 * <pre>
 * $ hangar ARGS
 * stdout lines
 * stderr: each stderr line
 * exit: CODE
 * </pre>
 *
 * Values that differ between runs are masked first: UUIDs, ISO-8601 times, ages ({@code 3s}),
 * host keys, the optimistic-concurrency {@code version}, durations in timing events, ports and
 * temporary paths. Everything else must match byte for byte.
 *
 * <p>To (re)write the golden files after an intended change: {@code ./mvnw -pl hangar-testing -am
 * verify -Dtest='Cli*GoldenTest' -Dgolden.update=true}, then review the diff.
 */
final class Golden {
    private static final Path DIR = Path.of("src/test/resources/golden");

    private CliHarness cli;
    private final StringBuilder transcript = new StringBuilder();
    private final Map<String, String> literals = new LinkedHashMap<>();
    private final List<Map.Entry<Pattern, String>> masks = new ArrayList<>();

    Golden(CliHarness cli) {
        this.cli = cli;
        mask("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>");
        mask("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z", "<time>");
        mask("(ssh-ed25519|ecdsa-sha2-nistp256) AAAA[A-Za-z0-9+/=]{40,}", "$1 <host-key>");
        mask("\\(\\d+[smhdy](\\d+[smhdy])? ago\\)", "(<age> ago)");
        // The AGE column is the last one of workspace and key tables.
        mask("(?m)(   )\\d+[smhdy](\\d+[smhdy])?$", "$1<age>");
        mask("(\"version\" : )\\d+", "$1<n>");
        mask("(?m)^(\\s*-?\\s*version: )\\d+", "$1<n>");
        mask("took \\d+\\.\\d s", "took <n> s");
        mask("http://127\\.0\\.0\\.1:\\d+", "http://127.0.0.1:<port>");
        mask("(hangar|server) \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?", "$1 <version>");
        mask("(\"seq\" : )\\d+", "$1<n>");
        // Timing events carry measured durations and their count depends on the reconciler's
        // passes; they are left out of event tables.
        mask("(?m)^<time> +system +timing +.*\n", "");
    }

    /** @return the runner, e.g. to set standard input for the next runs */
    CliHarness cli() {
        return cli;
    }

    /** Runs the next commands with another runner (e.g. as another user), in the same transcript. */
    Golden as(CliHarness other) {
        this.cli = other;
        return this;
    }

    /** Replaces every occurrence of {@code literal} (e.g. a temp dir) with {@code placeholder}. */
    Golden literal(String literal, String placeholder) {
        literals.put(literal, placeholder);
        return this;
    }

    /** Adds a regex mask applied to every run's output. */
    Golden mask(String regex, String replacement) {
        masks.add(Map.entry(Pattern.compile(regex), replacement));
        return this;
    }

    /** Runs the CLI, appends the masked run to the transcript, and returns the raw result. */
    CliHarness.Result run(String... args) {
        CliHarness.Result r = cli.run(args);
        transcript.append(mask("$ hangar " + String.join(" ", args))).append('\n');
        transcript.append(mask(r.out()));
        for (String line : mask(r.err()).lines().toList())
            transcript.append("stderr: ").append(line).append('\n');
        transcript.append("exit: ").append(r.code()).append("\n\n");
        return r;
    }

    /** Adds a comment line to the transcript (e.g. what the next runs show). */
    void note(String text) {
        transcript.append("# ").append(text).append('\n');
    }

    String mask(String s) {
        for (Map.Entry<String, String> e : literals.entrySet()) s = s.replace(e.getKey(), e.getValue());
        for (Map.Entry<Pattern, String> m : masks) s = m.getKey().matcher(s).replaceAll(m.getValue());
        return s;
    }

    /** Compares the transcript with {@code golden/NAME.txt}, or writes it with {@code -Dgolden.update=true}. */
    void assertMatches(String name) {
        Path file = DIR.resolve(name + ".txt");
        String actual = transcript.toString();
        try {
            if (Boolean.getBoolean("golden.update")) {
                Files.createDirectories(DIR);
                Files.writeString(file, actual, StandardCharsets.UTF_8);
                return;
            }
            assertThat(file)
                    .as("golden file %s is missing; create it with -Dgolden.update=true and review it", file)
                    .exists();
            String expected = Files.readString(file, StandardCharsets.UTF_8);
            assertThat(actual)
                    .as("CLI transcript vs %s (see Golden's Javadoc to update)", file)
                    .isEqualTo(expected);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
