package dev.hangar.cli;

import picocli.CommandLine.ParseResult;

/**
 * Process entry point of the {@code hangar} command. Runs one command and exits with its {@link
 * ExitCodes} code, except after {@code hangar server} started successfully: then the JVM lives on
 * in the server's threads.
 */
public final class Main {
    private Main() {}

    /** @param args the command line, e.g. {@code list -o json} */
    public static void main(String[] args) {
        CliContext ctx = CliContext.system();
        var cl = HangarCli.commandLine(ctx, args);
        int code = cl.execute(args);
        ctx.out().flush();
        ctx.err().flush();
        if (code == ExitCodes.OK && startedServer(cl.getParseResult())) return;
        System.exit(code);
    }

    private static boolean startedServer(ParseResult pr) {
        if (pr == null) return false;
        while (pr.hasSubcommand()) pr = pr.subcommand();
        return pr.commandSpec().userObject() instanceof ServerCommand;
    }
}
