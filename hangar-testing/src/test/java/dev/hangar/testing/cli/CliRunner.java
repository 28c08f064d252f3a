package dev.hangar.testing.cli;

import dev.hangar.cli.CliContext;
import dev.hangar.cli.HangarCli;
import dev.hangar.cli.Terminal;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs the real CLI in this JVM (the same {@link HangarCli#run} that {@code main} uses) with
 * captured streams, its own environment and home. Not thread-safe; one per test.
 */
final class CliRunner {
    /** One finished command. */
    record Result(int code, String out, String err) {}

    private final Path userHome;
    private final Map<String, String> env = new HashMap<>();
    private String stdin = "";
    private boolean interactive;

    /**
     * @param userHome the user's home ({@code ~}); {@code $HANGAR_HOME} is {@code userHome/hangar}
     *     unless set with {@link #env}
     */
    CliRunner(Path userHome) {
        this.userHome = userHome;
        env.put("HANGAR_HOME", userHome.resolve("hangar").toString());
    }

    CliRunner env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /** Standard input of the next commands. */
    CliRunner stdin(String text) {
        this.stdin = text;
        return this;
    }

    /** Tests have no real TTY: this makes the CLI's terminal claim to be one (a fake, on purpose). */
    CliRunner interactive(boolean interactive) {
        this.interactive = interactive;
        return this;
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter errWriter = new PrintWriter(err, true);
        ByteArrayInputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        CliContext ctx = new CliContext(
                new PrintWriter(out, true),
                errWriter,
                in,
                Terminal.of(in, errWriter, interactive),
                env,
                userHome,
                Clock.systemUTC(),
                // The test control plane's reconciler converges in milliseconds; poll accordingly.
                Duration.ofMillis(50));
        int code = HangarCli.run(ctx, args);
        return new Result(code, out.toString(), err.toString());
    }
}
