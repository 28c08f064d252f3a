package dev.hangar.cli;

import dev.hangar.api.CliConfig;
import dev.hangar.api.client.ClientSettings;
import dev.hangar.api.client.HangarClient;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * Builds the API client from the CLI config ({@code $HANGAR_HOME/cli.yaml}) overridden by {@code
 * HANGAR_URL} / {@code HANGAR_TOKEN}, and timeouts from {@code HANGAR_CONNECT_TIMEOUT} / {@code
 * HANGAR_REQUEST_TIMEOUT} (e.g. {@code 5s}, {@code 500ms}, {@code 2m}; a plain number is seconds).
 */
final class ServerConnection {
    /** Where {@code hangar server} listens unless told otherwise. */
    static final String DEFAULT_URL = "http://127.0.0.1:7080";

    private ServerConnection() {}

    /**
     * @return a client for the configured server with the configured token
     * @throws CliException AUTH when there is no token, BAD_INPUT for a malformed URL, timeout or
     *     config file
     */
    static HangarClient open(CliContext ctx) {
        CliConfig cfg = config(ctx);
        if (cfg.token().isEmpty()) {
            // A newcomer's first command usually lands here before any server ran: say how to start one.
            throw new CliException(
                    ExitCodes.AUTH,
                    java.nio.file.Files.exists(ctx.cliConfigFile())
                            ? "no API token: run 'hangar login URL' or set HANGAR_TOKEN (the server writes one to "
                                    + ctx.cliConfigFile() + " on its first start)"
                            : "no API token: run 'hangar login URL' or set HANGAR_TOKEN; no server has started"
                                    + " with this HANGAR_HOME yet (" + ctx.cliConfigFile() + " does not exist):"
                                    + " 'bin/hangar up' or 'hangar server' starts one, which writes its token there");
        }
        return new HangarClient(settings(ctx, url(cfg), cfg.token()));
    }

    /** @return client settings for {@code url} and {@code token} with the environment's timeouts */
    static ClientSettings settings(CliContext ctx, String url, String token) {
        ClientSettings s;
        try {
            s = ClientSettings.of(url, token);
        } catch (IllegalArgumentException e) {
            throw new CliException(
                    ExitCodes.BAD_INPUT, e.getMessage() + " (from HANGAR_URL or " + ctx.cliConfigFile() + ")");
        }
        return s.withTimeouts(
                timeout(ctx, "HANGAR_CONNECT_TIMEOUT", ClientSettings.DEFAULT_CONNECT_TIMEOUT),
                timeout(ctx, "HANGAR_REQUEST_TIMEOUT", ClientSettings.DEFAULT_REQUEST_TIMEOUT));
    }

    /** @return the config file overridden by the environment */
    static CliConfig config(CliContext ctx) {
        try {
            return CliConfig.load(ctx.cliConfigFile(), ctx.env());
        } catch (UncheckedIOException e) {
            throw new CliException(
                    ExitCodes.BAD_INPUT, e.getMessage() + "; fix or delete the file and run 'hangar login URL'");
        }
    }

    /** @return the configured URL, or {@link #DEFAULT_URL} */
    static String url(CliConfig cfg) {
        return cfg.url().isBlank() ? DEFAULT_URL : cfg.url();
    }

    private static Duration timeout(CliContext ctx, String variable, Duration fallback) {
        String v = ctx.env().getOrDefault(variable, "");
        if (v.isBlank()) return fallback;
        try {
            return Durations.parse(v, variable);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.BAD_INPUT, e.getMessage());
        }
    }
}
