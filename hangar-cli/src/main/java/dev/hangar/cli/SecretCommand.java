package dev.hangar.cli;

import dev.hangar.api.SecretView;
import dev.hangar.api.client.HangarClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar secret set|list|delete}: your secrets, mounted read-only at {@code
 * /var/secrets/NAME} in your workspaces on their next start. Values are read from a file or
 * standard input and never printed.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "secret",
        aliases = "secrets",
        description =
                "Manage your secrets (mounted read-only at /var/secrets/NAME in your workspaces on their next start).",
        subcommands = {SecretCommand.Set.class, SecretCommand.ListSecrets.class, SecretCommand.Delete.class})
final class SecretCommand {
    /** The server's limit, checked here too so a large file is refused before it is sent. */
    static final int MAX_VALUE_BYTES = 64 * 1024;

    /** {@code hangar secret set NAME --from-file F|-}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "set",
            description = "Set (create or replace) a secret from a file, or from standard input with '--from-file -'.")
    static final class Set implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(
                index = "0",
                paramLabel = "NAME",
                description =
                        "1-63 lower-case letters, digits, '-', '_' or '.', starting and ending with a letter or digit.")
        String name;

        @Option(
                names = "--from-file",
                required = true,
                paramLabel = "FILE",
                description = "The value: this file's bytes as they are (at most 64 KiB); '-' reads standard input.")
        String fromFile;

        Set(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            byte[] value = LocalInput.check(this::read);
            try (HangarClient client = ServerConnection.open(ctx)) {
                SecretView s = client.secrets().set(name, value);
                ctx.out()
                        .println("secret " + s.name() + " set (" + s.size()
                                + " bytes); your workspaces get it at /var/secrets/" + s.name()
                                + " on their next start");
                return ExitCodes.OK;
            } finally {
                Arrays.fill(value, (byte) 0);
            }
        }

        private byte[] read() throws IOException {
            String source = fromFile.equals("-") ? "standard input" : fromFile;
            byte[] value;
            if (fromFile.equals("-")) {
                value = ctx.in().readNBytes(MAX_VALUE_BYTES + 1);
            } else {
                try (InputStream in = Files.newInputStream(Path.of(fromFile))) {
                    value = in.readNBytes(MAX_VALUE_BYTES + 1);
                } catch (NoSuchFileException e) {
                    throw new IllegalArgumentException("no such file: " + fromFile);
                }
            }
            if (value.length > MAX_VALUE_BYTES)
                throw new IllegalArgumentException(
                        source + " holds more than " + MAX_VALUE_BYTES + " bytes; a secret is at most 64 KiB");
            if (value.length == 0) throw new IllegalArgumentException(source + " is empty; a secret needs a value");
            return value;
        }
    }

    /** {@code hangar secret list}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "list",
            aliases = "ls",
            description = "List your secrets: names, sizes, when set (never values).")
    static final class ListSecrets implements Callable<Integer> {
        private final CliContext ctx;

        @Mixin
        OutputOption output;

        ListSecrets(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                List<SecretView> secrets = client.secrets().list();
                if (output.machineReadable()) output.write(ctx.out(), secrets);
                else Views.secrets(secrets).print(ctx.out());
                return ExitCodes.OK;
            }
        }
    }

    /** {@code hangar secret delete NAME}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "delete",
            aliases = "rm",
            description = "Delete one of your secrets; workspaces no longer get it from their next start.")
    static final class Delete implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Delete(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                client.secrets().delete(name);
                ctx.out().println("deleted secret " + name);
                return ExitCodes.OK;
            }
        }
    }
}
