package dev.hangar.cli;

import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.HangarClient;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar delete NAME}: removes a workspace and its disk. Asks for confirmation at a
 * terminal; refuses without one unless {@code --yes}, so a script never deletes by accident.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "delete",
        description = "Delete a workspace and its disk (asks first unless --yes).")
final class DeleteCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "Workspace name.")
    String name;

    @Mixin
    YesOption yes;

    @Mixin
    OwnerOption owner;

    @Mixin
    WaitOptions waitOptions;

    DeleteCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (!Confirmation.confirmed(
                ctx,
                yes.yes,
                "delete workspace " + name,
                "Delete workspace " + name + " and its disk? This cannot be undone. [y/N] ")) {
            ctx.err().println("not deleted");
            return ExitCodes.ERROR;
        }
        try (HangarClient client = ServerConnection.open(ctx)) {
            WorkspaceView w = client.deleteWorkspace(name, owner.owner);
            if (waitOptions.wait) {
                Duration timeout = waitOptions.timeout;
                new Waiter(ctx, client, timeout).untilGone(name, owner.owner);
                ctx.out().println("workspace " + name + " deleted");
            } else {
                ctx.out().println("delete requested for workspace " + name + " (phase " + w.phase() + ")");
            }
            return ExitCodes.OK;
        }
    }
}
