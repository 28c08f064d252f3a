package dev.hangar.cli;

import dev.hangar.api.CreateTokenRequest;
import dev.hangar.api.CreatedTokenView;
import dev.hangar.api.TokenView;
import dev.hangar.api.client.HangarClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hangar token create|list|revoke}: your API tokens (for CI, scripts, other machines). */
@Command(
        mixinStandardHelpOptions = true,
        name = "token",
        aliases = "tokens",
        description = "Manage your API tokens.",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand {

    /** {@code hangar token create --name N [--expires 30d]}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "create",
            description = "Create an API token; its secret is printed once, on standard output.")
    static final class Create implements Callable<Integer> {
        private final CliContext ctx;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Unique among your tokens.")
        String name;

        @Option(names = "--expires", paramLabel = "LIFETIME", description = "e.g. 30d, 12h, 90m, 2w (default: never).")
        String expires;

        Create(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                CreatedTokenView t = client.admin().createToken(new CreateTokenRequest(name, expires));
                ctx.out().println(t.secret());
                ctx.err()
                        .println("created token " + t.token().name()
                                + (t.token().expiresAt() == null
                                        ? " (no expiry)"
                                        : " (expires " + Views.time(t.token().expiresAt()) + ")")
                                + "; this is the only time it is shown");
                return ExitCodes.OK;
            }
        }
    }

    /** {@code hangar token list}. */
    @Command(mixinStandardHelpOptions = true, name = "list", aliases = "ls", description = "List your API tokens.")
    static final class ListTokens implements Callable<Integer> {
        private final CliContext ctx;

        @Mixin
        OutputOption output;

        ListTokens(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                List<TokenView> tokens = client.admin().tokens();
                if (output.machineReadable()) output.write(ctx.out(), tokens);
                else Views.tokens(tokens, ctx.clock().instant()).print(ctx.out());
                return ExitCodes.OK;
            }
        }
    }

    /** {@code hangar token revoke NAME}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "revoke",
            aliases = "rm",
            description = "Revoke one of your API tokens; it stops working on the next request.")
    static final class Revoke implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Revoke(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                client.admin().revokeToken(name);
                ctx.out().println("revoked token " + name);
                return ExitCodes.OK;
            }
        }
    }
}
