package dev.hangar.cli;

import dev.hangar.api.CliConfig;
import dev.hangar.api.OidcInfoView;
import dev.hangar.api.OidcLoginView;
import dev.hangar.api.UserView;
import dev.hangar.api.client.HangarClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar login URL}: checks a token against the server ({@code GET /users/me}) and saves
 * URL and token in {@code $HANGAR_HOME/cli.yaml} (mode 0600). Nothing is written when the check
 * fails.
 *
 * <p>{@code hangar login --oidc [--server URL]}: signs in with the OpenID Connect provider the
 * server trusts ({@link OidcLoopbackLogin}: authorization code with PKCE through the browser and a
 * loopback redirect), has the server redeem the code for a new Hangar API token and saves that
 * token the same way.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "login",
        description = {
            "Save the server URL and an API token after checking them.",
            "The token is read from standard input (or asked for at a terminal) unless --token is given;"
                    + " prefer stdin: arguments are visible to other users in 'ps'.",
            "With --oidc, sign in through the browser with the server's OpenID Connect provider instead:"
                    + " the server issues the token."
        })
final class LoginCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "URL",
            description = "Server URL, e.g. http://127.0.0.1:7080 (with --oidc: default the saved server)")
    String url;

    @Option(names = "--server", paramLabel = "URL", description = "Server URL (same as the URL argument).")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN", description = "API token (hgr_...).")
    String token;

    @Option(
            names = "--oidc",
            description = "Sign in with the server's OpenID Connect provider in the browser"
                    + " (authorization code with PKCE, loopback redirect).")
    boolean oidc;

    @Option(
            names = "--no-browser",
            description = "With --oidc: only print the sign-in URL, do not try to open a browser.")
    boolean noBrowser;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "5m",
            description = "With --oidc: how long to wait for the browser (e.g. 90s, 5m; default ${DEFAULT-VALUE}).")
    String timeout;

    LoginCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (url != null && server != null && !url.equals(server))
            throw new CliException(ExitCodes.USAGE, "give the server URL once: as the argument or with --server");
        String target = url != null ? url : server;
        if (oidc) return oidc(target);
        if (target == null)
            throw new CliException(ExitCodes.USAGE, "missing the server URL, e.g. hangar login http://127.0.0.1:7080");
        String t = token != null ? token : ctx.terminal().readSecret("Token: ");
        t = t.strip();
        if (t.isEmpty()) {
            throw new CliException(
                    ExitCodes.USAGE, "no token given: pass --token or write it to standard input (e.g. from a file)");
        }
        UserView me;
        String base;
        try (HangarClient client = new HangarClient(ServerConnection.settings(ctx, target, t))) {
            me = client.me();
            base = client.settings().baseUrl().toString();
        }
        save(base, t, me);
        return ExitCodes.OK;
    }

    private int oidc(String target) {
        if (token != null) throw new CliException(ExitCodes.USAGE, "--oidc and --token exclude each other");
        String base = target != null ? target : ServerConnection.url(ServerConnection.config(ctx));
        Duration wait = duration(timeout);
        OidcLoginView login;
        String resolved;
        try (HangarClient client = new HangarClient(ServerConnection.settings(ctx, base, ""))) {
            OidcInfoView info = client.oidc().info();
            var request = OidcLoopbackLogin.authorize(info, this::open, wait);
            login = client.oidc().token(request);
            resolved = client.settings().baseUrl().toString();
        }
        save(resolved, login.token().secret(), login.user());
        ctx.out()
                .println("token " + login.token().token().name() + " expires "
                        + (login.token().token().expiresAt() == null
                                ? "never"
                                : login.token().token().expiresAt().toString())
                        + " (see 'hangar token list')");
        return ExitCodes.OK;
    }

    /** Prints the URL and, unless told not to, tries the desktop's browser. */
    private void open(URI authorizationUrl) {
        ctx.err().println("Open this URL in your browser to sign in:");
        ctx.err().println("  " + authorizationUrl);
        ctx.err().flush();
        if (noBrowser) return;
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String[] command = os.contains("mac")
                ? new String[] {"open", authorizationUrl.toString()}
                : os.contains("win")
                        ? new String[] {"rundll32", "url.dll,FileProtocolHandler", authorizationUrl.toString()}
                        : new String[] {"xdg-open", authorizationUrl.toString()};
        try {
            new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            ctx.err().println("(could not start a browser: " + e.getMessage() + "; open the URL yourself)");
        }
    }

    private void save(String base, String t, UserView me) {
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
    }

    private static Duration duration(String s) {
        var m = java.util.regex.Pattern.compile("(\\d{1,6})(s|m|h)").matcher(s.strip());
        if (!m.matches())
            throw new CliException(
                    ExitCodes.USAGE, "--timeout must be a duration such as 90s, 5m or 1h, got '" + s + "'");
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
