package dev.hangar.testing.vm.usb;

import dev.hangar.cli.CliContext;
import dev.hangar.cli.HangarCli;
import dev.hangar.cli.Terminal;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The real CLI ({@link HangarCli#run}, what {@code main} calls) in this JVM with its own environment,
 * home directory and captured output; {@link #start} runs a long-lived command ({@code hangar usb
 * attach} stays up until detached) on its own thread. Output buffers are {@link StringWriter}s, which
 * synchronise, so they can be read while the command runs.
 */
final class InProcessCli {
    /** A finished command. */
    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    /** A command running on its own thread; {@link #out}/{@link #err} show what it printed so far. */
    record Running(CompletableFuture<Integer> exit, StringWriter out, StringWriter err) {
        String soFar() {
            return "stdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private final Path userHome;
    private final Map<String, String> env = new HashMap<>();

    /** @param userHome {@code ~} of the CLI's user ({@code ~/.ssh}); {@code $HANGAR_HOME} is {@code ~/hangar} */
    InProcessCli(Path userHome) {
        this.userHome = userHome;
        env.put("HANGAR_HOME", userHome.resolve("hangar").toString());
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    }

    InProcessCli env(String key, String value) {
        env.put(key, value);
        return this;
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = HangarCli.run(context(out, err), args);
        return new Result(code, out.toString(), err.toString());
    }

    Running start(String... args) {
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
        ByteArrayInputStream in = new ByteArrayInputStream(new byte[0]);
        return new CliContext(
                new PrintWriter(out, true),
                errWriter,
                in,
                Terminal.of(in, errWriter, false),
                env,
                userHome,
                Clock.systemUTC(),
                Duration.ofMillis(200));
    }
}
