package dev.hangar.cli;

import dev.hangar.api.CliConfig;
import dev.hangar.api.UserView;
import dev.hangar.api.client.HangarClient;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar login URL}: checks a token against the server ({@code GET /users/me}) and saves
 * URL and token in {@code $HANGAR_HOME/cli.yaml} (mode 0600). Nothing is written when the check
 * fails.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "login",
        description = {
            "Save the server URL and an API token after checking them.",
            "The token is read from standard input (or asked for at a terminal) unless --token is given;"
                    + " prefer stdin: arguments are visible to other users in 'ps'."
        })
final class LoginCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "URL", description = "Server URL, e.g. http://127.0.0.1:7080")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN", description = "API token (hgr_...).")
    String token;

    LoginCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        String t = token != null ? token : ctx.terminal().readSecret("Token: ");
        t = t.strip();
        if (t.isEmpty()) {
            throw new CliException(
                    ExitCodes.USAGE, "no token given: pass --token or write it to standard input (e.g. from a file)");
        }
        UserView me;
        String base;
        try (HangarClient client = new HangarClient(ServerConnection.settings(ctx, url, t))) {
            me = client.me();
            base = client.settings().baseUrl().toString();
        }
        try {
            new CliConfig(base, t).write(ctx.cliConfigFile());
        } catch (UncheckedIOException e) {
            throw new CliException(ExitCodes.ERROR, e.getMessage());
        }
        ctx.out().println("logged in to " + base + " as " + me.name() + (me.admin() ? " (admin)" : ""));
        ctx.out().println("saved to " + ctx.cliConfigFile());
        if (!ctx.env().getOrDefault("HANGAR_URL", "").isBlank()
                || !ctx.env().getOrDefault("HANGAR_TOKEN", "").isBlank()) {
            ctx.err().println("note: HANGAR_URL/HANGAR_TOKEN are set and override the saved values");
        }
        return ExitCodes.OK;
    }
}
