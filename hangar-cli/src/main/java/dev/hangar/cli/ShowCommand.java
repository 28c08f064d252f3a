package dev.hangar.cli;

import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.HangarClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hangar show NAME}: one workspace in detail. */
@Command(mixinStandardHelpOptions = true, name = "show", description = "Show one workspace.")
final class ShowCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "Workspace name.")
    String name;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FORMAT",
            description = "table, json or yaml (default: a description).")
    Output.Format output;

    @Mixin
    OwnerOption owner;

    ShowCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        try (HangarClient client = ServerConnection.open(ctx)) {
            WorkspaceView w = client.workspace(name, owner.owner);
            if (output == null) {
                Views.workspace(ctx.out(), w, ctx.clock().instant());
            } else if (output == Output.Format.table) {
                Views.workspaces(List.of(w), false, ctx.clock().instant()).print(ctx.out());
            } else {
                Output.write(ctx.out(), output, w);
            }
            return ExitCodes.OK;
        }
    }
}
