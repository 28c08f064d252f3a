package dev.hangar.cli;

import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.HangarClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * Shared shape of {@code start}, {@code stop} and {@code restart}: send the request (which only
 * records desired state), then optionally {@code --wait} for the reconciler to reach the goal.
 */
abstract class LifecycleCommand implements Callable<Integer> {
    final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "Workspace name.")
    String name;

    @Mixin
    OwnerOption owner;

    @Mixin
    WaitOptions waitOptions;

    LifecycleCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    /** @return the verb for messages, e.g. {@code start} */
    abstract String verb();

    /** @return the phase {@code --wait} waits for */
    abstract WorkspacePhase goal();

    /** Sends the request. */
    abstract WorkspaceView request(HangarClient client);

    /**
     * @param requested the answer to the request
     * @return true when {@code seen} (a later poll) shows the action completed
     */
    boolean reached(WorkspaceView requested, WorkspaceView seen, boolean sawOtherPhase) {
        return seen.phase() == goal();
    }

    @Override
    public Integer call() {
        try (HangarClient client = ServerConnection.open(ctx)) {
            WorkspaceView requested = request(client);
            if (!waitOptions.wait) {
                ctx.out().println(verb() + " requested for workspace " + name + " (phase " + requested.phase() + ")");
                return ExitCodes.OK;
            }
            boolean[] sawOther = {requested.phase() != goal()};
            new Waiter(ctx, client, waitOptions.timeout).until(name, owner.owner, goal().name(), w -> {
                if (w.phase() != goal()) sawOther[0] = true;
                return reached(requested, w, sawOther[0]);
            });
            ctx.out().println("workspace " + name + " is " + goal());
            return ExitCodes.OK;
        }
    }
}
