package dev.hangar.cli;

import dev.hangar.api.HangarPaths;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a command touches outside itself, injected so that tests run the CLI in-process with
 * their own streams, environment and home directory.
 *
 * @param out standard output (results)
 * @param err standard error (errors, prompts, progress)
 * @param in standard input (key content with {@code key add -}, tokens for {@code login})
 * @param terminal whether a person is at the keyboard, and how to ask them
 * @param env environment variables ({@code HANGAR_URL}, {@code HANGAR_TOKEN}, {@code HANGAR_HOME}, ...)
 * @param userHome the user's home directory ({@code ~}, for {@code ~/.ssh} and the default {@code $HANGAR_HOME})
 * @param clock for ages in tables and deadlines of {@code --wait}
 * @param pollInterval how often {@code --wait} asks the server
 */
public record CliContext(
        PrintWriter out,
        PrintWriter err,
        InputStream in,
        Terminal terminal,
        Map<String, String> env,
        Path userHome,
        Clock clock,
        Duration pollInterval) {

    /**
     * Default interval between polls of {@code --wait}: a quarter of a second, so a wait ends on
     * average 125 ms after the phase changed (was 1 s, 500 ms: part of issue #18's control-plane
     * overhead on a VM start); each poll is one small GET. The first seconds of a wait poll faster
     * ({@link Waiter#pause}).
     */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(250);

    public CliContext {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(terminal, "terminal");
        env = Map.copyOf(env);
        Objects.requireNonNull(userHome, "userHome");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(pollInterval, "pollInterval");
    }

    /** @return this process's streams, environment, home, system clock */
    public static CliContext system() {
        return new CliContext(
                new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
                new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true),
                System.in,
                Terminal.system(),
                System.getenv(),
                Path.of(System.getProperty("user.home")),
                Clock.systemUTC(),
                DEFAULT_POLL_INTERVAL);
    }

    /** @return {@code $HANGAR_HOME} as this context's environment defines it */
    public Path hangarHome() {
        return HangarPaths.home(env, userHome);
    }

    /** @return the CLI config file, {@code $HANGAR_HOME/cli.yaml} */
    public Path cliConfigFile() {
        return HangarPaths.cliConfig(hangarHome());
    }
}
