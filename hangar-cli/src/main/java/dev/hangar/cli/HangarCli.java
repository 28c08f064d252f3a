package dev.hangar.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code hangar} command: the root of the picocli command tree and the one place where the
 * tree is assembled with its injected {@link CliContext}, exit codes and error handling.
 */
@Command(
        name = "hangar",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "Self-hosted development workspaces: local QEMU/KVM VMs and Kubernetes Pods.",
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  HANGAR_URL     server URL (overrides the config file)",
            "  HANGAR_TOKEN   API token (overrides the config file)",
            "  HANGAR_HOME    where Hangar keeps its files (default ~/.local/share/hangar)",
            "                 the CLI config is $HANGAR_HOME/cli.yaml",
            "  HANGAR_CONNECT_TIMEOUT, HANGAR_REQUEST_TIMEOUT   e.g. 5s, 30s"
        })
public final class HangarCli implements Runnable {
    /** The subcommands, in the order help lists them. */
    static final List<Class<?>> COMMANDS = List.of(
            ServerCommand.class,
            CreateCommand.class,
            ListCommand.class,
            ShowCommand.class,
            StartCommand.class,
            StopCommand.class,
            RestartCommand.class,
            ResetCommand.class,
            DeleteCommand.class,
            LabCommand.class,
            EventsCommand.class,
            KeepaliveCommand.class,
            AutostopCommand.class,
            TemplateCommand.class,
            ImageCommand.class,
            KeyCommand.class,
            TokenCommand.class,
            SecretCommand.class,
            UserCommand.class,
            QuotaCommand.class,
            AuditCommand.class,
            ConfigSshCommand.class,
            SshCommand.class,
            ConsoleCommand.class,
            UsbCommand.class,
            BoardCommand.class,
            AutoinstallCommand.class,
            SeedIsoCommand.class,
            LoginCommand.class,
            VersionCommand.class,
            CompletionCommand.class,
            HelpCommand.class);

    /** Commands that need the whole tree: help lists it, completion walks it. */
    private static final Set<Class<?>> NEED_ALL = Set.of(HelpCommand.class, CompletionCommand.class);

    @Spec
    CommandSpec spec;

    HangarCli() {}

    /** Without a subcommand: a usage error that lists the commands. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command");
    }

    /**
     * Builds the whole command tree wired to {@code ctx}: commands are created with the context,
     * help and errors go to its streams, and every command's help lists the {@link ExitCodes}.
     */
    public static CommandLine commandLine(CliContext ctx) {
        return commandLine(ctx, COMMANDS);
    }

    /**
     * Like {@link #commandLine(CliContext)}, but when {@code args} starts with a known command name
     * only that command's model is built: picocli builds each command's model by reflection, and
     * skipping the others saves startup time. Anything else (options, help, a typo that
     * needs suggestions) gets the whole tree.
     */
    public static CommandLine commandLine(CliContext ctx, String... args) {
        if (args.length > 0) {
            for (Class<?> c : COMMANDS) {
                Command a = c.getAnnotation(Command.class);
                boolean named =
                        a.name().equals(args[0]) || Arrays.asList(a.aliases()).contains(args[0]);
                if (named && !NEED_ALL.contains(c)) return commandLine(ctx, List.of(c));
            }
        }
        return commandLine(ctx, COMMANDS);
    }

    private static CommandLine commandLine(CliContext ctx, List<Class<?>> commands) {
        CliFactory factory = new CliFactory(ctx);
        CommandLine cl = new CommandLine(new HangarCli(), factory);
        for (Class<?> c : commands) {
            try {
                cl.addSubcommand(factory.create(c));
            } catch (Exception e) {
                throw new IllegalStateException("cannot create command " + c.getName(), e);
            }
        }
        cl.setOut(ctx.out());
        cl.setErr(ctx.err());
        cl.setExecutionExceptionHandler(new ErrorHandler(ctx));
        cl.setParameterExceptionHandler(new UsageErrorHandler());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        addExitCodes(cl);
        return cl;
    }

    /**
     * Runs one command line to completion.
     *
     * @return the process exit code, one of {@link ExitCodes}
     */
    public static int run(CliContext ctx, String... args) {
        int code = commandLine(ctx, args).execute(args);
        ctx.out().flush();
        ctx.err().flush();
        return code;
    }

    /** Every command lists the exit codes and answers {@code -V} like the root. */
    private static void addExitCodes(CommandLine cl) {
        cl.getCommandSpec()
                .usageMessage()
                .exitCodeListHeading("%nExit codes:%n")
                .exitCodeList(ExitCodes.descriptions());
        cl.getCommandSpec().versionProvider(new VersionCommand.Provider());
        for (CommandLine sub : cl.getSubcommands().values()) addExitCodes(sub);
    }

    /** Prints picocli's usage errors as {@code error: ...} with a hint, exit code {@link ExitCodes#USAGE}. */
    static final class UsageErrorHandler implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(ParameterException ex, String[] args) {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println("error: " + message(ex));
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
            err.flush();
            return ExitCodes.USAGE;
        }

        private static String message(ParameterException ex) {
            // picocli says "Unmatched argument at index 0: 'lst'" for a mistyped command; say what it is.
            if (ex instanceof CommandLine.UnmatchedArgumentException u
                    && !u.isUnknownOption()
                    && !ex.getCommandLine().getSubcommands().isEmpty()
                    && !u.getUnmatched().isEmpty()) {
                return "unknown command '" + u.getUnmatched().getFirst() + "'";
            }
            return ex.getMessage();
        }
    }
}
