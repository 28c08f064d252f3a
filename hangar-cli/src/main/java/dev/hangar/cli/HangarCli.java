package dev.hangar.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
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
     * Like {@link #commandLine(CliContext)}, but builds only what {@code args} can reach: picocli
     * builds each command's model by reflection over its fields and mixins (about 10 ms a command
     * on this project's 2-core machine, most of {@code hangar --help}'s start), so
     *
     * <ul>
     *   <li>when {@code args} starts with a command's name, only that command's model is built;
     *   <li>when no argument names a command ({@code --help}, {@code -V}, nothing, a typo), the
     *       subcommands are name-and-description entries read from their {@code @Command}
     *       annotation: enough for the root's usage text, usage errors and typo suggestions, which
     *       read nothing else of a subcommand;
     *   <li>anything else ({@code help COMMAND}, {@code completion}, options before the command)
     *       gets the whole tree.
     * </ul>
     */
    public static CommandLine commandLine(CliContext ctx, String... args) {
        boolean namesCommand = false;
        for (Class<?> c : COMMANDS) {
            Command a = c.getAnnotation(Command.class);
            if (args.length > 0 && names(a, args[0]) && !NEED_ALL.contains(c)) return commandLine(ctx, List.of(c));
            for (String arg : args) namesCommand |= names(a, arg);
        }
        return namesCommand ? commandLine(ctx, COMMANDS) : rootOnly(ctx);
    }

    private static boolean names(Command a, String arg) {
        return a.name().equals(arg) || Arrays.asList(a.aliases()).contains(arg);
    }

    private static CommandLine commandLine(CliContext ctx, List<Class<?>> commands) {
        CliFactory factory = new CliFactory(ctx);
        List<Object> subcommands = new ArrayList<>();
        for (Class<?> c : commands) {
            try {
                subcommands.add(factory.create(c));
            } catch (Exception e) {
                throw new IllegalStateException("cannot create command " + c.getName(), e);
            }
        }
        return assemble(ctx, factory, subcommands);
    }

    /**
     * The root with every subcommand as a summary: its names, and the texts the root's command
     * list shows (header, description, hidden), taken from the annotation without building the
     * command's model. Such a tree cannot run a subcommand; {@link #commandLine(CliContext,
     * String...)} uses it only when no argument names one.
     */
    private static CommandLine rootOnly(CliContext ctx) {
        List<Object> summaries = new ArrayList<>();
        for (Class<?> c : COMMANDS) {
            Command a = c.getAnnotation(Command.class);
            CommandSpec spec = CommandSpec.create().name(a.name()).aliases(a.aliases());
            spec.usageMessage().header(a.header()).description(a.description()).hidden(a.hidden());
            summaries.add(spec);
        }
        return assemble(ctx, new CliFactory(ctx), summaries);
    }

    private static CommandLine assemble(CliContext ctx, CliFactory factory, List<Object> subcommands) {
        CommandLine cl = new CommandLine(new HangarCli(), factory);
        for (Object sub : subcommands) cl.addSubcommand(sub);
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
