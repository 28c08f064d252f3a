package dev.hangar.cli;

import dev.hangar.api.CliConfig;
import dev.hangar.api.ServerInfo;
import dev.hangar.api.client.ApiException;
import dev.hangar.api.client.HangarClient;
import dev.hangar.api.client.ServerUnreachableException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code hangar version}: the CLI's version and, when reachable, the server's. Never fails because
 * of the server: that line says why it is missing instead.
 */
@Command(mixinStandardHelpOptions = true, name = "version", description = "Print the CLI's and the server's version.")
final class VersionCommand implements Callable<Integer> {
    private final CliContext ctx;

    VersionCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        ctx.out().println("hangar " + cliVersion());
        CliConfig cfg = ServerConnection.config(ctx);
        String url = ServerConnection.url(cfg);
        if (cfg.token().isEmpty()) {
            ctx.out().println("server: unknown (not logged in; run 'hangar login URL')");
            return ExitCodes.OK;
        }
        try (HangarClient client = ServerConnection.open(ctx)) {
            ServerInfo info = client.info();
            ctx.out()
                    .println("server " + info.version() + " at "
                            + client.settings().baseUrl());
        } catch (ServerUnreachableException e) {
            ctx.out().println("server: not reachable at " + e.url());
        } catch (ApiException e) {
            ctx.out().println("server at " + url + ": " + e.detail());
        }
        return ExitCodes.OK;
    }

    /** @return the CLI's version from the build (Maven project version) */
    static String cliVersion() {
        try (InputStream in = VersionCommand.class.getResourceAsStream("version.txt")) {
            if (in == null) return "unknown";
            String v = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** {@code hangar --version}: the CLI's version only (no network). */
    static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"hangar " + cliVersion()};
        }
    }
}
