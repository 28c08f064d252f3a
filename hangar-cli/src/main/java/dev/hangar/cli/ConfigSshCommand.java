package dev.hangar.cli;

import dev.hangar.api.client.HangarClient;
import dev.hangar.cli.sshconfig.SshConfigWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hangar config-ssh [--dry-run] [--identity FILE]}: configures the user's OpenSSH client
 * (and so VS Code Remote-SSH) to reach every workspace as {@code <name>.hangar} through the
 * gateway, with host keys verified (the server's host CA, and pinned keys). See {@link SshConfigWriter} for what is written; idempotent.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "config-ssh",
        description = {
            "Write ~/.ssh/hangar/config and ~/.ssh/hangar/known_hosts and add one Include line to"
                    + " ~/.ssh/config, so that 'ssh NAME.hangar' (and VS Code Remote-SSH) reaches your"
                    + " workspaces through the SSH gateway with verified host keys.",
            "Workspaces are trusted through the server's SSH host CA (one @cert-authority line), so a"
                    + " workspace created later is reachable at once; a run that changes nothing writes"
                    + " nothing."
        })
final class ConfigSshCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Option(names = "--dry-run", description = "Print the changes as a unified diff; write nothing.")
    boolean dryRun;

    @Option(
            names = {"-i", "--identity"},
            paramLabel = "FILE",
            description = "Private key for ssh (default: the first of ~/.ssh/id_ed25519, id_ecdsa,"
                    + " id_rsa, $HANGAR_HOME/ssh/id_ed25519 whose .pub is registered).")
    Path identity;

    ConfigSshCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        try (HangarClient client = ServerConnection.open(ctx)) {
            SshSetup.Planned p = SshSetup.plan(ctx, client, identity);
            if (dryRun) {
                ctx.out().print(p.plan().diff());
                if (p.plan().upToDate()) ctx.err().println("ssh config is up to date");
                return ExitCodes.OK;
            }
            if (p.plan().upToDate()) {
                ctx.err().println("ssh config is up to date (" + p.writer().hangarConfig() + ")");
                return ExitCodes.OK;
            }
            SshSetup.apply(p);
            ctx.out()
                    .println("wrote " + p.writer().hangarConfig() + " ("
                            + p.input().workspaces().size()
                            + " workspace" + (p.input().workspaces().size() == 1 ? "" : "s") + "); try: ssh "
                            + (p.input().workspaces().isEmpty()
                                    ? "NAME"
                                    : p.input().workspaces().getFirst().name())
                            + ".hangar");
            return ExitCodes.OK;
        }
    }
}
