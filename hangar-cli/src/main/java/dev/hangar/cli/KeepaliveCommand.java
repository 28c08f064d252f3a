package dev.hangar.cli;

import dev.hangar.api.ActivityView;
import dev.hangar.api.client.ApiException;
import dev.hangar.api.client.HangarClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar keepalive NAME --for 3h}: leases the workspace against idle auto-stop ({@code POST
 * /api/v1/workspaces/{name}/activity}). Test runners and long jobs renew it; renewing is harmless.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "keepalive",
        description = "Keep a workspace from being auto-stopped for a while (and count as activity now).")
final class KeepaliveCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "Workspace name.")
    String name;

    @Option(
            names = "--for",
            paramLabel = "D",
            required = true,
            description = "How long: 30m, 3h, 1d (at most the server's autostop.max-lease, default 24h).")
    String forDuration;

    @Mixin
    OutputOption output;

    @Mixin
    OwnerOption owner;

    KeepaliveCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        try (HangarClient client = ServerConnection.open(ctx)) {
            ActivityView a;
            try {
                a = client.keepalive(name, owner.owner, forDuration);
            } catch (ApiException e) {
                if (e.field().equals("for")) throw new CliException(ExitCodes.BAD_INPUT, "--" + e.detail());
                throw e;
            }
            if (output.machineReadable()) {
                output.write(ctx.out(), a);
            } else {
                ctx.out()
                        .println("workspace " + name + " kept alive until " + Views.time(a.leaseUntil())
                                + (a.autostop().equals("off") ? " (auto-stop is off for it)" : ""));
            }
            return ExitCodes.OK;
        }
    }
}
