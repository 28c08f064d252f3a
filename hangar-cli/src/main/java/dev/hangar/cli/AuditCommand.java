package dev.hangar.cli;

import dev.hangar.api.AuditEntryView;
import dev.hangar.api.client.AuditFilter;
import dev.hangar.api.client.HangarClient;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code hangar audit}: the server's audit log (admins and auditors), newest first. {@code --since}
 * takes a duration back from now ({@code 1h}, {@code 7d}) or an RFC 3339 instant.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "audit",
        description = "Show the audit log (who did what, when, from where), newest first. Admins and auditors only.")
final class AuditCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Option(
            names = "--since",
            paramLabel = "WHEN",
            description =
                    "Only entries since this long ago (e.g. 30m, 1h, 7d) or since an instant (2026-12-03T08:00:00Z).")
    String since = "";

    @Option(names = "--user", paramLabel = "USER", description = "Only entries of this user (or 'anonymous').")
    String user = "";

    @Option(
            names = "--action",
            paramLabel = "ACTION",
            description = "Only this action (e.g. workspace.create), or a family ending in a dot (workspace.).")
    String action = "";

    @Option(
            names = "--limit",
            defaultValue = "100",
            paramLabel = "N",
            description = "Show at most the newest N entries (default: ${DEFAULT-VALUE}, at most 100000).")
    int limit;

    @Mixin
    OutputOption output;

    AuditCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (limit < 1 || limit > 100_000)
            throw new CliException(ExitCodes.USAGE, "--limit must be between 1 and 100000, got " + limit);
        AuditFilter filter = new AuditFilter(since(), user.strip(), action.strip());
        try (HangarClient client = ServerConnection.open(ctx)) {
            List<AuditEntryView> entries = client.admin().audit(filter, limit);
            if (output.machineReadable()) output.write(ctx.out(), entries);
            else if (entries.isEmpty()) ctx.err().println("No audit entries.");
            else Views.audit(entries).print(ctx.out());
            return ExitCodes.OK;
        }
    }

    /** @return {@code --since} as an RFC 3339 instant; empty when not given */
    private String since() {
        String s = since.strip();
        if (s.isEmpty()) return "";
        try {
            return Instant.parse(s).toString();
        } catch (DateTimeParseException e) {
            try {
                return ctx.clock()
                        .instant()
                        .minus(Durations.parse(s, "--since"))
                        .toString();
            } catch (IllegalArgumentException bad) {
                throw new CliException(
                        ExitCodes.USAGE,
                        bad.getMessage().replace("10m or 1h", "10m, 1h or 7d")
                                + ", or an instant such as 2026-12-03T08:00:00Z");
            }
        }
    }
}
