package dev.hangar.cli;

import dev.hangar.api.CreateUserRequest;
import dev.hangar.api.CreatedUserView;
import dev.hangar.api.UpdateUserRequest;
import dev.hangar.api.UserView;
import dev.hangar.api.client.HangarClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hangar user create|list|disable|enable|delete}: managing users (admins; auditors may list). */
@Command(
        mixinStandardHelpOptions = true,
        name = "user",
        aliases = "users",
        description = "Manage users (admins; auditors may list).",
        subcommands = {
            UserCommand.Create.class,
            UserCommand.ListUsers.class,
            UserCommand.Disable.class,
            UserCommand.Enable.class,
            UserCommand.Delete.class
        })
final class UserCommand {

    /** {@code hangar user create NAME [--role member|admin|auditor]}. */
    @Command(mixinStandardHelpOptions = true, name = "create", description = "Create a user.")
    static final class Create implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", paramLabel = "NAME", description = "User name (DNS-1123 label).")
        String name;

        @Option(
                names = "--role",
                paramLabel = "ROLE",
                defaultValue = "member",
                description = "member (own workspaces), admin (everything) or auditor (read everything);"
                        + " default ${DEFAULT-VALUE}.")
        String role;

        Create(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                CreatedUserView created = client.admin().createUser(new CreateUserRequest(name, role));
                UserView u = created.user();
                ctx.out().println(created.token().secret());
                ctx.err()
                        .println("created user " + u.name() + " (" + u.role() + "); above is their token '"
                                + created.token().token().name() + "', shown only this once: hand it to them for"
                                + " 'hangar login'");
                return ExitCodes.OK;
            }
        }
    }

    /** {@code hangar user list}. */
    @Command(mixinStandardHelpOptions = true, name = "list", aliases = "ls", description = "List users.")
    static final class ListUsers implements Callable<Integer> {
        private final CliContext ctx;

        @Mixin
        OutputOption output;

        ListUsers(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                List<UserView> users = client.admin().users();
                if (output.machineReadable()) output.write(ctx.out(), users);
                else Views.users(users, ctx.clock().instant()).print(ctx.out());
                return ExitCodes.OK;
            }
        }
    }

    /** {@code hangar user disable NAME}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "disable",
            description = "Disable a user: their tokens and SSH logins stop working at once; nothing is deleted.")
    static final class Disable implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Disable(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                client.admin().updateUser(name, UpdateUserRequest.disabled(true));
                ctx.out().println("disabled " + name);
                return ExitCodes.OK;
            }
        }
    }

    /** {@code hangar user enable NAME}. */
    @Command(mixinStandardHelpOptions = true, name = "enable", description = "Enable a disabled user again.")
    static final class Enable implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Enable(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                client.admin().updateUser(name, UpdateUserRequest.disabled(false));
                ctx.out().println("enabled " + name);
                return ExitCodes.OK;
            }
        }
    }

    /** {@code hangar user delete NAME [--transfer-to USER | --delete-workspaces]}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "delete",
            aliases = "rm",
            description = "Delete a user with their SSH keys and tokens. Refused while they own workspaces,"
                    + " unless --transfer-to or --delete-workspaces says what happens to them.")
    static final class Delete implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(
                names = "--transfer-to",
                paramLabel = "USER",
                description = "Give their workspaces and labs to USER (within USER's quota).")
        String transferTo = "";

        @Option(names = "--delete-workspaces", description = "Delete their workspaces (and disks).")
        boolean deleteWorkspaces;

        Delete(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            if (!transferTo.isEmpty() && deleteWorkspaces)
                throw new CliException(ExitCodes.USAGE, "give either --transfer-to or --delete-workspaces, not both");
            try (HangarClient client = ServerConnection.open(ctx)) {
                client.admin().deleteUser(name, transferTo, deleteWorkspaces);
                ctx.out()
                        .println("deleted user " + name
                                + (transferTo.isEmpty() ? "" : "; their workspaces now belong to " + transferTo)
                                + (deleteWorkspaces ? "; their workspaces are being deleted" : ""));
                return ExitCodes.OK;
            }
        }
    }
}
