package dev.hangar.cli;

import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.HangarClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hangar stop NAME [--suspend]}: asks for the workspace to stop, keeping its disk; with {@code
 * --suspend} its memory too (the next start resumes). Idempotent.
 */
@Command(mixinStandardHelpOptions = true, name = "stop", description = "Stop a workspace; its disk is kept.")
final class StopCommand extends LifecycleCommand {
    @Option(
            names = "--suspend",
            description = "Save the running workspace's memory beside its disk; 'hangar start' resumes it"
                    + " (local VMs; other kinds refuse).")
    boolean suspend;

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
        return suspend ? client.suspendWorkspace(name, owner.owner) : client.stopWorkspace(name, owner.owner);
    }
}
