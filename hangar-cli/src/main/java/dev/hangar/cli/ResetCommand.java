package dev.hangar.cli;

import dev.hangar.api.ResetView;
import dev.hangar.api.client.HangarClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar reset WORKSPACE [--yes] [--wait]}: puts a workspace back to a fresh disk from its
 * base image, keeping its name, lab address and SSH host key (issue #13, item 5). It discards
 * everything written to the disk, so it asks at a terminal and refuses without one unless {@code
 * --yes}. {@code --wait} returns once the reset is done and the workspace is back at its desired
 * state (running again if it was meant to run).
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "reset",
        description = "Reset a workspace to a fresh disk from its base image (asks first unless --yes).")
final class ResetCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "WORKSPACE", description = "Workspace name.")
    String name;

    @Mixin
    YesOption yes;

    @Mixin
    OwnerOption owner;

    @Mixin
    WaitOptions waitOptions;

    ResetCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (!Confirmation.confirmed(
                ctx,
                yes.yes,
                "reset workspace " + name,
                "Reset workspace " + name + " to a fresh disk? Everything written to its disk is lost. [y/N] ")) {
            ctx.err().println("not reset");
            return ExitCodes.ERROR;
        }
        try (HangarClient client = ServerConnection.open(ctx)) {
            ResetView r = client.resetWorkspace(name, owner.owner);
            if (waitOptions.wait) {
                new ResetWaiter(ctx, client, waitOptions.timeout).untilDone(r);
                ctx.out().println("workspace " + name + " reset (generation " + r.generation() + ")");
            } else {
                ctx.out().println("reset requested for workspace " + name + " (generation " + r.generation() + ")");
            }
            return ExitCodes.OK;
        }
    }
}
