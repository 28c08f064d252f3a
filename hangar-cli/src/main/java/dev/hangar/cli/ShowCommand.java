package dev.hangar.cli;

import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.HangarClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code hangar show NAME}: one workspace in detail. */
@Command(mixinStandardHelpOptions = true, name = "show", description = "Show one workspace.")
final class ShowCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "Workspace name.")
    String name;

    @Mixin
    OutputOption output;

    @Mixin
    OwnerOption owner;

    ShowCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        try (HangarClient client = ServerConnection.open(ctx)) {
            WorkspaceView w = client.workspace(name, owner.owner);
            if (output.machineReadable()) {
                output.write(ctx.out(), w);
            } else if (output.tableRequested()) {
                Views.workspaces(List.of(w), false, ctx.clock().instant()).print(ctx.out());
            } else {
                Views.workspace(ctx.out(), w, ctx.clock().instant());
            }
            return ExitCodes.OK;
        }
    }
}
