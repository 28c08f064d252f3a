package dev.hangar.cli;

import dev.hangar.api.EventView;
import dev.hangar.api.client.HangarClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hangar events NAME}: the workspace's event log, oldest first. */
@Command(
        mixinStandardHelpOptions = true,
        name = "events",
        description = "Show a workspace's events (who did what, when), oldest first.")
final class EventsCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "Workspace name.")
    String name;

    @Option(
            names = "--limit",
            defaultValue = "50",
            paramLabel = "N",
            description = "Show the newest N events (default: ${DEFAULT-VALUE}, at most 10000).")
    int limit;

    @Mixin
    OutputOption output;

    @Mixin
    OwnerOption owner;

    EventsCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (limit < 1 || limit > 10_000) {
            throw new CliException(ExitCodes.USAGE, "--limit must be between 1 and 10000, got " + limit);
        }
        try (HangarClient client = ServerConnection.open(ctx)) {
            List<EventView> events = client.events(name, owner.owner, limit);
            if (output.machineReadable()) output.write(ctx.out(), events);
            else if (events.isEmpty()) ctx.err().println("No events.");
            else Views.events(events).print(ctx.out());
            return ExitCodes.OK;
        }
    }
}
