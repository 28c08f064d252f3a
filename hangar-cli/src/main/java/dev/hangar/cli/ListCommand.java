package dev.hangar.cli;

import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.HangarClient;
import dev.hangar.api.client.WorkspaceFilter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hangar list}: the caller's workspaces (everyone's with {@code --all}). */
@Command(
        mixinStandardHelpOptions = true,
        name = "list",
        aliases = "ls",
        description = "List your workspaces (everyone's with --all, for admins).")
final class ListCommand implements Callable<Integer> {
    /** The phases of WorkspaceView.phase, for validation and completion. */
    static final List<String> PHASES = java.util.Arrays.stream(dev.hangar.api.WorkspacePhase.values())
            .map(Enum::name)
            .toList();

    private final CliContext ctx;

    @Mixin
    OutputOption output;

    @Option(
            names = "--phase",
            paramLabel = "PHASE",
            completionCandidates = PhaseCandidates.class,
            description = "Only workspaces in this phase: ${COMPLETION-CANDIDATES}.")
    String phase;

    @Option(names = "--template", paramLabel = "T", description = "Only workspaces created from this template.")
    String template;

    @Option(names = "--all", description = "Every user's workspaces (admins).")
    boolean all;

    ListCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        String p = phase == null ? "" : canonicalPhase(phase);
        try (HangarClient client = ServerConnection.open(ctx)) {
            // Without --all, ask for the caller's own workspaces explicitly: for an admin the
            // server's unfiltered list is everyone's. "me" names the caller (a reserved user name),
            // so this is one request, not a GET /users/me first.
            String owner = all ? "" : "me";
            List<WorkspaceView> list =
                    client.listWorkspaces(new WorkspaceFilter(owner, p, template == null ? "" : template, ""));
            if (output.machineReadable()) {
                output.write(ctx.out(), list);
            } else if (list.isEmpty()) {
                ctx.err().println("No workspaces found.");
            } else {
                Views.workspaces(list, all, ctx.clock().instant()).print(ctx.out());
            }
            return ExitCodes.OK;
        }
    }

    private static String canonicalPhase(String s) {
        for (String p : PHASES) if (p.equalsIgnoreCase(s.strip())) return p;
        throw new CliException(
                ExitCodes.USAGE, "--phase '" + s + "' is not a phase; use one of " + String.join(", ", PHASES));
    }

    /** Completion candidates and help text for {@code --phase}. */
    static final class PhaseCandidates implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return PHASES.iterator();
        }
    }
}
