package dev.hangar.cli;

import dev.hangar.api.AddSshKeyRequest;
import dev.hangar.api.SshKeyView;
import dev.hangar.api.client.HangarClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code hangar key add|list|remove}: the SSH public keys the gateway accepts for you. */
@Command(
        mixinStandardHelpOptions = true,
        name = "key",
        aliases = "keys",
        description = "Manage your SSH public keys (used by the SSH gateway).",
        subcommands = {KeyCommand.AddKey.class, KeyCommand.ListKeys.class, KeyCommand.RemoveKey.class})
final class KeyCommand {
    /** Looked for in this order when {@code key add} gets no file (the keys ssh-keygen makes by default). */
    static final List<String> DEFAULT_KEYS = List.of("id_ed25519.pub", "id_ecdsa.pub", "id_rsa.pub");

    /** Largest key file read; an authorized_keys line of a 16384-bit RSA key is about 3 KiB. */
    static final int MAX_KEY_BYTES = 16 * 1024;

    /** {@code hangar key add [FILE|-]}. */
    @Command(mixinStandardHelpOptions = true, name = "add", description = "Register an SSH public key.")
    static final class AddKey implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(
                index = "0",
                arity = "0..1",
                paramLabel = "FILE|-",
                description = "Public key file, or - for standard input (default: ~/.ssh/id_ed25519.pub,"
                        + " then id_ecdsa.pub, id_rsa.pub).")
        String file;

        AddKey(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            String key = read();
            try (HangarClient client = ServerConnection.open(ctx)) {
                SshKeyView k = client.addKey(new AddSshKeyRequest(key));
                ctx.out()
                        .println("added " + k.algorithm() + " " + k.bits() + " " + k.fingerprint()
                                + (k.comment().isEmpty() ? "" : " " + k.comment()));
                return ExitCodes.OK;
            }
        }

        private String read() {
            String source;
            String text;
            if ("-".equals(file)) {
                source = "standard input";
                text = readAll(ctx.in(), source);
            } else {
                Path p = file == null ? defaultKey() : Path.of(file);
                source = p.toString();
                try (InputStream in = Files.newInputStream(p)) {
                    text = readAll(in, source);
                } catch (NoSuchFileException e) {
                    throw new CliException(ExitCodes.BAD_INPUT, "key file " + p + " does not exist");
                } catch (IOException e) {
                    throw new CliException(ExitCodes.BAD_INPUT, "cannot read key file " + p + ": " + e.getMessage());
                }
            }
            String key = text.strip();
            if (key.contains("PRIVATE KEY")) {
                throw new CliException(
                        ExitCodes.BAD_INPUT,
                        source + " holds a PRIVATE key; pass the public key (the .pub file) instead");
            }
            if (key.isEmpty())
                throw new CliException(ExitCodes.BAD_INPUT, source + " is empty; expected a public key line");
            return key;
        }

        private Path defaultKey() {
            Path ssh = ctx.userHome().resolve(".ssh");
            for (String n : DEFAULT_KEYS) {
                if (Files.isRegularFile(ssh.resolve(n))) return ssh.resolve(n);
            }
            throw new CliException(
                    ExitCodes.BAD_INPUT,
                    "no public key found (looked for " + String.join(", ", DEFAULT_KEYS) + " in " + ssh
                            + "); pass a FILE, or create one with: ssh-keygen -t ed25519");
        }

        private static String readAll(InputStream in, String source) {
            try {
                byte[] b = in.readNBytes(MAX_KEY_BYTES + 1);
                if (b.length > MAX_KEY_BYTES) {
                    throw new CliException(
                            ExitCodes.BAD_INPUT,
                            source + " is larger than " + MAX_KEY_BYTES + " bytes; a public key is one short line");
                }
                return new String(b, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliException(ExitCodes.BAD_INPUT, "cannot read " + source + ": " + e.getMessage());
            }
        }
    }

    /** {@code hangar key list}. */
    @Command(mixinStandardHelpOptions = true, name = "list", aliases = "ls", description = "List your SSH public keys.")
    static final class ListKeys implements Callable<Integer> {
        private final CliContext ctx;

        @Mixin
        OutputOption output;

        ListKeys(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                List<SshKeyView> keys = client.keys();
                if (output.machineReadable()) output.write(ctx.out(), keys);
                else if (keys.isEmpty()) ctx.err().println("No keys; add one with 'hangar key add'.");
                else Views.keys(keys, ctx.clock().instant()).print(ctx.out());
                return ExitCodes.OK;
            }
        }
    }

    /** {@code hangar key remove FINGERPRINT}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "remove",
            aliases = "rm",
            description = "Remove an SSH public key by fingerprint.")
    static final class RemoveKey implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(
                index = "0",
                paramLabel = "FINGERPRINT",
                description = "As 'hangar key list' or 'ssh-keygen -lf' prints it: SHA256:...")
        String fingerprint;

        RemoveKey(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            if (!fingerprint.startsWith("SHA256:") || fingerprint.length() <= "SHA256:".length()) {
                throw new CliException(
                        ExitCodes.USAGE,
                        "fingerprint '" + fingerprint + "' must look like SHA256:... (see 'hangar key list')");
            }
            try (HangarClient client = ServerConnection.open(ctx)) {
                client.removeKey(fingerprint);
                ctx.out().println("removed " + fingerprint);
                return ExitCodes.OK;
            }
        }
    }
}
