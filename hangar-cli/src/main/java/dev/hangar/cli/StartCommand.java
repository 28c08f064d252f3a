package dev.hangar.cli;

import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.HangarClient;
import picocli.CommandLine.Command;

/** {@code hangar start NAME}: asks for the workspace to run. Idempotent. */
@Command(
        mixinStandardHelpOptions = true,
        name = "start",
        description = "Start a workspace (also retries a Failed one).")
final class StartCommand extends LifecycleCommand {
    StartCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    String verb() {
        return "start";
    }

    @Override
    WorkspacePhase goal() {
        return WorkspacePhase.Running;
    }

    @Override
    WorkspaceView request(HangarClient client) {
        return client.startWorkspace(name, owner.owner);
    }
}
