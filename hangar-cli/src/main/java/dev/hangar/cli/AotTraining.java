package dev.hangar.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The training run for the CLI's ahead-of-time cache (JDK 25, JEP 483 and JEP 514): {@code
 * bin/hangar} runs this class once per distribution with {@code -XX:AOTMode=record}, in the
 * background, and then writes the cache that later CLI runs map with {@code -XX:AOTCache}. The
 * cache holds the classes this run loads and links, so it runs what most invocations run: help
 * texts, the common commands' models, reading {@code cli.yaml}, the HTTP client, and the
 * read-only requests {@code list} and {@code template list} against the configured server.
 *
 * <p>Safe to run at any time: it only sends {@code GET} requests (the same ones {@code hangar
 * list} and {@code hangar template list} send, with the user's own configuration), writes
 * nothing, and prints nothing; an unreachable or unconfigured server only makes the error path
 * part of the training. It never throws: a failing command is part of the workload.
 */
public final class AotTraining {
    /** The command lines run, in order; each is read-only. */
    static final List<List<String>> WORKLOAD = List.of(
            List.of("--help"),
            List.of("-V"),
            List.of("list", "--help"),
            List.of("create", "--help"),
            List.of("show", "--help"),
            List.of("list"),
            List.of("list", "-o", "json"),
            List.of("template", "list"));

    private AotTraining() {}

    /**
     * Runs {@link #WORKLOAD} in this JVM with the process's environment and discarded output.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        CliContext system = CliContext.system();
        run(system.env(), system.userHome());
        System.exit(0);
    }

    /**
     * Runs {@link #WORKLOAD} with the given environment, discarding all output.
     *
     * @param env the environment the commands see (the server's URL and token come from it or
     *     from {@code $HANGAR_HOME/cli.yaml})
     * @param userHome the user's home directory
     * @return each command line's exit code ({@link ExitCodes}), in {@link #WORKLOAD} order
     */
    static List<Integer> run(Map<String, String> env, Path userHome) {
        List<Integer> codes = new ArrayList<>();
        for (List<String> line : WORKLOAD) {
            PrintWriter discard = new PrintWriter(Writer.nullWriter());
            CliContext ctx = new CliContext(
                    discard,
                    discard,
                    InputStream.nullInputStream(),
                    Terminal.of(InputStream.nullInputStream(), discard, false),
                    env,
                    userHome,
                    Clock.systemUTC(),
                    CliContext.DEFAULT_POLL_INTERVAL);
            try {
                codes.add(HangarCli.run(ctx, line.toArray(String[]::new)));
            } catch (RuntimeException e) {
                // A command that fails is still training: its classes are what an error run loads.
                codes.add(ExitCodes.ERROR);
            }
        }
        return codes;
    }
}
