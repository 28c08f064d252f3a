package dev.hangar.cli;

import dev.hangar.api.UserAutostopView;
import dev.hangar.api.client.ApiException;
import dev.hangar.api.client.HangarClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar autostop show [USER]} and {@code hangar autostop set VALUE [--user USER]}: a user's
 * own idle auto-stop default ({@code /api/v1/users/{name}/autostop}), which applies to their
 * workspaces created without {@code --autostop}, in place of the template's setting.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "autostop",
        description = "Show or set your idle auto-stop default (it replaces the templates' setting for your"
                + " workspaces created without --autostop).",
        subcommands = {AutostopCommand.Show.class, AutostopCommand.Set.class})
final class AutostopCommand {

    /** {@code hangar autostop show [USER]}. */
    @Command(mixinStandardHelpOptions = true, name = "show", description = "Show a user's auto-stop default.")
    static final class Show implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", arity = "0..1", paramLabel = "USER", description = "Default: yourself.")
        String user = "me";

        @Mixin
        OutputOption output;

        Show(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                print(ctx, output, client.admin().autostop(user));
                return ExitCodes.OK;
            }
        }
    }

    /** {@code hangar autostop set VALUE [--user USER]}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "set",
            description = "Set your auto-stop default (admins: anyone's). Running workspaces without their own"
                    + " setting follow it from the next sweep.")
    static final class Set implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(
                index = "0",
                paramLabel = "VALUE",
                description = "off, an idle time such as 30m, 2h or 1d, or 'template' to use each template's setting"
                        + " again.")
        String value;

        @Option(names = "--user", paramLabel = "USER", description = "Whose default (admins). Default: yourself.")
        String user = "me";

        @Mixin
        OutputOption output;

        Set(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                UserAutostopView v;
                try {
                    v = client.admin().setAutostop(user, value);
                } catch (ApiException e) {
                    if (e.field().equals("autostop")) throw new CliException(ExitCodes.BAD_INPUT, e.detail());
                    throw e;
                }
                print(ctx, output, v);
                return ExitCodes.OK;
            }
        }
    }

    private static void print(CliContext ctx, OutputOption output, UserAutostopView v) {
        if (output.machineReadable()) {
            output.write(ctx.out(), v);
        } else if (v.autostop().equals("template")) {
            ctx.out().println("auto-stop of " + v.user() + ": each template's setting");
        } else if (v.autostop().equals("off")) {
            ctx.out().println("auto-stop of " + v.user() + ": off (unless a workspace was created with --autostop)");
        } else {
            ctx.out()
                    .println("auto-stop of " + v.user() + ": after " + v.autostop()
                            + " idle (unless a workspace was created with --autostop)");
        }
    }
}
