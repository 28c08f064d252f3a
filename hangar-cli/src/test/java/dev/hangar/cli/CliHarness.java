package dev.hangar.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Runs the CLI in-process with captured streams, a chosen environment and home directory. */
final class CliHarness {
    /** One finished run. */
    record Result(int code, String out, String err) {}

    private final Path home;
    private final Map<String, String> env = new HashMap<>();
    private String stdin = "";
    private boolean interactive;
    private Clock clock = Clock.systemUTC();

    /** @param home the user's home; $HANGAR_HOME is {@code home/hangar} */
    CliHarness(Path home) {
        this.home = home;
        env.put("HANGAR_HOME", home.resolve("hangar").toString());
    }

    CliHarness env(String key, String value) {
        env.put(key, value);
        return this;
    }

    CliHarness stdin(String text) {
        this.stdin = text;
        return this;
    }

    /** Tests have no real TTY: this makes the terminal claim to be one (a fake, on purpose). */
    CliHarness interactive(boolean interactive) {
        this.interactive = interactive;
        return this;
    }

    CliHarness clock(Clock clock) {
        this.clock = clock;
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
                home,
                clock,
                Duration.ofMillis(50));
        int code = HangarCli.run(ctx, args);
        return new Result(code, out.toString(), err.toString());
    }
}
