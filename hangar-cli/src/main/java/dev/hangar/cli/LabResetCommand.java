package dev.hangar.cli;

import dev.hangar.api.LabView;
import dev.hangar.api.ResetView;
import dev.hangar.api.client.HangarClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar lab reset NAME [--group G]... [--member M]... [--yes] [--wait]}: resets the members
 * of the named groups and the named members (every member when neither is given) to a fresh disk
 * from their base image; names, lab addresses and SSH host keys stay, so the inventory and {@code
 * known_hosts} stay valid. Asks first unless {@code --yes}.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "reset",
        description = "Reset every member of a lab (or those of --group G and --member M) to a fresh disk"
                + " (asks first unless --yes).")
final class LabResetCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "Lab name.")
    String name;

    @Option(
            names = "--group",
            paramLabel = "G",
            description = "Reset the members of this group (repeatable; with --member: both).")
    List<String> groups = new ArrayList<>();

    @Option(
            names = "--member",
            paramLabel = "M",
            description = "Reset this member, by its workspace name (repeatable; with --group: both).")
    List<String> members = new ArrayList<>();

    @Mixin
    YesOption yes;

    @Mixin
    OwnerOption owner;

    @Mixin
    WaitOptions waitOptions;

    LabResetCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        try (HangarClient client = ServerConnection.open(ctx)) {
            if (!yes.yes) {
                LabView l = client.labs().get(name, owner.owner);
                String which = which(l.total());
                if (!Confirmation.confirmed(
                        ctx,
                        false,
                        "reset lab " + name,
                        "Reset " + which + " of lab " + name
                                + " to fresh disks? Everything written to their disks is lost. [y/N] ")) {
                    ctx.err().println("not reset");
                    return ExitCodes.ERROR;
                }
            }
            List<ResetView> rs = client.labs().reset(name, owner.owner, groups, members);
            if (waitOptions.wait) {
                ResetWaiter w = new ResetWaiter(ctx, client, waitOptions.timeout);
                for (ResetView r : rs) w.untilDone(r);
                ctx.out().println("lab " + name + ": " + rs.size() + " member(s) reset");
            } else {
                ctx.out()
                        .println("reset requested for " + rs.size() + " member(s) of lab " + name + ": "
                                + String.join(
                                        ", ",
                                        rs.stream().map(ResetView::workspace).toList()));
            }
            return ExitCodes.OK;
        }
    }

    /** @return the confirmation's words for what is reset, e.g. "the members of group nodes" */
    private String which(int total) {
        if (groups.isEmpty() && members.isEmpty()) return "all " + total + " members";
        List<String> parts = new ArrayList<>();
        if (!groups.isEmpty())
            parts.add("the members of group" + (groups.size() > 1 ? "s " : " ") + String.join(", ", groups));
        if (!members.isEmpty()) parts.add("member" + (members.size() > 1 ? "s " : " ") + String.join(", ", members));
        return String.join(" and ", parts);
    }
}
