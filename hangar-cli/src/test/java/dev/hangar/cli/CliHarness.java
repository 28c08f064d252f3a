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
import java.util.concurrent.CompletableFuture;

/**
 * Runs the real CLI in this JVM (the same {@link HangarCli#run} that {@code main} uses) with captured
 * streams, its own environment and home. Shared with hangar-testing through hangar-cli's test-jar.
 * Not thread-safe; one per test.
 */
public final class CliHarness {
    /**
     * One finished command.
     *
     * @param code the exit code
     * @param out what it wrote to stdout
     * @param err what it wrote to stderr
     */
    public record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    /**
     * A command running on its own thread; {@link #out}/{@link #err} are {@link StringWriter}s, which
     * synchronise, so they can be read while it runs.
     *
     * @param exit completes with the exit code (or the exception the command threw)
     * @param out what it has written to stdout so far
     * @param err what it has written to stderr so far
     */
    public record Running(CompletableFuture<Integer> exit, StringWriter out, StringWriter err) {
        /** @return both outputs as they are now */
        public String soFar() {
            return "stdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private final Path home;
    private final Map<String, String> env = new HashMap<>();
    private String stdin = "";
    private boolean interactive;
    private Clock clock = Clock.systemUTC();
    private Duration pollInterval = Duration.ofMillis(50);

    /**
     * @param home the user's home ({@code ~}); {@code $HANGAR_HOME} is {@code home/hangar} unless set
     *     with {@link #env}
     */
    public CliHarness(Path home) {
        this.home = home;
        env.put("HANGAR_HOME", home.resolve("hangar").toString());
    }

    /** Sets an environment variable of the next commands. */
    public CliHarness env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /** Standard input of the next commands. */
    public CliHarness stdin(String text) {
        this.stdin = text;
        return this;
    }

    /** Tests have no real TTY: this makes the terminal claim to be one (a fake, on purpose). */
    public CliHarness interactive(boolean interactive) {
        this.interactive = interactive;
        return this;
    }

    /** The clock the CLI reads (default: the system clock in UTC). */
    public CliHarness clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /**
     * How often waiting commands poll the server (default 50 ms: test control planes converge in
     * milliseconds; real VMs want more).
     */
    public CliHarness pollInterval(Duration interval) {
        this.pollInterval = interval;
        return this;
    }

    /**
     * Runs one command to completion on the calling thread.
     *
     * @return its exit code and captured output
     */
    public Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = HangarCli.run(context(out, err), args);
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * Starts a long-lived command ({@code hangar usb attach} stays up until detached) on its own daemon
     * thread.
     *
     * @return the running command; its output can be read while it runs
     */
    public Running start(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliContext ctx = context(out, err);
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread.ofPlatform().name("hangar " + String.join(" ", args)).daemon().start(() -> {
            try {
                exit.complete(HangarCli.run(ctx, args));
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        });
        return new Running(exit, out, err);
    }

    private CliContext context(StringWriter out, StringWriter err) {
        PrintWriter errWriter = new PrintWriter(err, true);
        ByteArrayInputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        return new CliContext(
                new PrintWriter(out, true),
                errWriter,
                in,
                Terminal.of(in, errWriter, interactive),
                env,
                home,
                clock,
                pollInterval);
    }
}
