package dev.hangar.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code hangar server [ARGS...]}: runs the control plane in this JVM by calling {@code
 * dev.hangar.server.Main.main(ARGS)} reflectively, so the CLI has no compile-time dependency on
 * the server and can be installed alone. Every argument (e.g. {@code --listen 127.0.0.1:7080},
 * {@code --help}) goes to the server unchanged.
 */
@Command(
        name = "server",
        description = {
            "Run the Hangar server (control plane) in the foreground.",
            "All arguments go to the server, e.g. --listen HOST:PORT; see 'hangar server --help'."
        })
final class ServerCommand implements Callable<Integer> {
    /** The server's entry point; present only in a full installation. */
    static final String SERVER_MAIN = "dev.hangar.server.Main";

    @Unmatched
    List<String> args = new ArrayList<>();

    ServerCommand(CliContext ctx) {
        // The server reads its own environment and streams; nothing to inject.
    }

    @Override
    public Integer call() throws Exception {
        Method main;
        try {
            Class<?> c = Class.forName(SERVER_MAIN, true, ServerCommand.class.getClassLoader());
            main = c.getMethod("main", String[].class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            throw new CliException(
                    ExitCodes.ERROR,
                    "this installation has no server (" + SERVER_MAIN + " is not on the class path);"
                            + " install the full Hangar distribution and run its bin/hangar server");
        }
        try {
            main.invoke(null, (Object) args.toArray(String[]::new));
        } catch (InvocationTargetException e) {
            // Let the server's own failure (bad flag, port in use) reach the error handler.
            if (e.getCause() instanceof Exception ex) throw ex;
            throw e;
        }
        return ExitCodes.OK;
    }
}
