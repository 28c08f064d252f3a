package dev.hangar.cli;

import dev.hangar.boards.Autoinstall;
import dev.hangar.boards.AutoinstallUserData;
import dev.hangar.boards.Inputs;
import dev.hangar.boards.PasswordHashes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code hangar autoinstall user-data}: Ubuntu Server autoinstall (Subiquity) seed files for an
 * unattended install from the live ISO, as seed 000 writes them by hand. Pack them with {@code
 * hangar seed-iso}. No server needed.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "autoinstall",
        description = "Unattended Ubuntu Server installs (autoinstall): seed files for the live installer.",
        subcommands = {AutoinstallCommand.UserData.class})
final class AutoinstallCommand {
    /** {@code hangar autoinstall user-data --hostname H --user U --key FILE ... [--out DIR]}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "user-data",
            description = {
                "Write Ubuntu autoinstall user-data and an empty meta-data.",
                "user-data is #cloud-config with an autoinstall: section (version 1, identity, ssh, storage,",
                "packages, late-commands), written into a directory.",
                "Then: hangar seed-iso DIR -o cidata.iso, and boot the Ubuntu Server ISO with it attached."
            })
    static final class UserData implements Callable<Integer> {
        private final CliContext ctx;

        @Option(names = "--hostname", required = true, paramLabel = "NAME", description = "The installed host's name.")
        String hostname;

        @Option(names = "--user", required = true, paramLabel = "USER", description = "The first user (gets sudo).")
        String user;

        @Option(
                names = "--key",
                required = true,
                paramLabel = "FILE",
                description = "OpenSSH public key file for the user (repeatable).")
        List<Path> keys;

        @Option(
                names = "--password-hash-file",
                paramLabel = "FILE",
                description = "File with the user's crypt(5) hash (mkpasswd -m sha-512). Without it: an"
                        + " unguessable hash, so only SSH keys log in.")
        Path passwordHashFile;

        @Option(
                names = "--storage",
                paramLabel = "LAYOUT",
                defaultValue = "lvm",
                description = "Disk layout of the largest disk: lvm or direct (default: ${DEFAULT-VALUE}).")
        Autoinstall.StorageLayout storage;

        @Option(names = "--package", paramLabel = "NAME", description = "Package to install (repeatable).")
        List<String> packages = new ArrayList<>();

        @Option(
                names = "--late-command",
                paramLabel = "COMMAND",
                description = "Shell command run at the end of the install (repeatable, in order).")
        List<String> lateCommands = new ArrayList<>();

        @Mixin
        OutDirOption out;

        UserData(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            String name = LocalInput.check(() -> Inputs.hostname("--hostname", hostname));
            String userName = LocalInput.check(() -> Inputs.userName("--user", user));
            List<String> authorizedKeys = new ArrayList<>();
            for (Path k : keys) authorizedKeys.addAll(LocalInput.check(() -> Inputs.publicKeys("--key", k)));
            for (String p : packages) {
                if (!p.matches("[a-z0-9][a-z0-9+.-]+")) {
                    throw new CliException(
                            ExitCodes.BAD_INPUT,
                            "--package '" + p
                                    + "' is not a Debian package name (lower-case letters, digits, '+', '-', '.')");
                }
            }
            String hash;
            if (passwordHashFile == null) {
                hash = PasswordHashes.unguessable();
                ctx.err()
                        .println("note: no --password-hash-file: the password is an unguessable hash, so " + userName
                                + " logs in with the SSH key only (the console has no password)");
            } else {
                hash = LocalInput.check(() -> Inputs.passwordHash("--password-hash-file", passwordHashFile));
            }
            Autoinstall install =
                    new Autoinstall(name, userName, hash, authorizedKeys, storage, packages, lateCommands);
            for (Path p : LocalInput.check(() -> SeedDirectory.write(out.dir, AutoinstallUserData.render(install)))) {
                ctx.out().println("wrote " + p);
            }
            return ExitCodes.OK;
        }
    }
}
