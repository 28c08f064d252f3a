package dev.hangar.cli;

import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.HangarClient;
import picocli.CommandLine.Command;

/** {@code hangar restart NAME}: asks for a stop followed by a start. */
@Command(mixinStandardHelpOptions = true, name = "restart", description = "Restart a running workspace.")
final class RestartCommand extends LifecycleCommand {
    RestartCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    String verb() {
        return "restart";
    }

    @Override
    WorkspacePhase goal() {
        return WorkspacePhase.Running;
    }

    @Override
    WorkspaceView request(HangarClient client) {
        return client.restartWorkspace(name, owner.owner);
    }

    /**
     * The workspace is usually still Running right after the request, so Running alone proves
     * nothing: the restart is done once a poll showed another phase (it went down), or the server
     * recorded a further change (version) and it is Running again (a restart faster than a poll).
     */
    @Override
    boolean reached(WorkspaceView requested, WorkspaceView seen, boolean sawOtherPhase) {
        return seen.phase() == WorkspacePhase.Running && (sawOtherPhase || seen.version() > requested.version());
    }
}
