package dev.hangar.cli;

import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.HangarClient;
import picocli.CommandLine.Command;

/** {@code hangar stop NAME}: asks for the workspace to stop, keeping its disk. Idempotent. */
@Command(mixinStandardHelpOptions = true, name = "stop", description = "Stop a workspace; its disk is kept.")
final class StopCommand extends LifecycleCommand {
    StopCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    String verb() {
        return "stop";
    }

    @Override
    WorkspacePhase goal() {
        return WorkspacePhase.Stopped;
    }

    @Override
    WorkspaceView request(HangarClient client) {
        return client.stopWorkspace(name, owner.owner);
    }
}
