package dev.hangar.cli;

import dev.hangar.api.CreateLabRequest;
import dev.hangar.api.LabView;
import dev.hangar.api.client.HangarClient;
import dev.hangar.cli.sshconfig.SshConfigWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar lab create|list|show|start|stop|reset|delete|inventory}: labs, named sets of workspaces
 * created together (docs/labs.md).
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "lab",
        aliases = "labs",
        description = "Labs: named sets of workspaces created together, with an Ansible inventory (docs/labs.md).",
        subcommands = {
            LabCommand.Create.class,
            LabCommand.ListLabs.class,
            LabCommand.Show.class,
            LabCommand.Start.class,
            LabCommand.Stop.class,
            LabResetCommand.class,
            LabCommand.Delete.class,
            LabCommand.Inventory.class
        })
final class LabCommand {

    /** {@code hangar lab create NAME (-f FILE | --group G=N ...) [--template T] [--var K=V]... [--wait]}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "create",
            description = "Create a lab from a lab file or from --group flags; members are named LAB-GROUP-N.")
    static final class Create implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", paramLabel = "NAME", description = "Lab name (DNS-1123 label).")
        String name;

        @Option(
                names = {"-f", "--file"},
                paramLabel = "FILE",
                description = "Lab file (YAML; docs/labs.md).")
        Path file;

        @Option(names = "--template", paramLabel = "T", description = "Template of groups that name none.")
        String template;

        @Option(names = "--group", paramLabel = "NAME=COUNT", description = "A group, e.g. master=1 (repeatable).")
        List<String> groups = new ArrayList<>();

        @Option(names = "--var", paramLabel = "KEY=VALUE", description = "A lab var for the inventory (repeatable).")
        List<String> vars = new ArrayList<>();

        @Mixin
        WaitOptions waitOptions;

        @Mixin
        OutputOption output;

        Create(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            CreateLabRequest req;
            if (file != null) {
                if (!groups.isEmpty())
                    throw new CliException(ExitCodes.USAGE, "give either -f FILE or --group flags, not both");
                CreateLabRequest fromFile = LabFile.read(file, name);
                java.util.Map<String, String> merged = new java.util.LinkedHashMap<>();
                if (fromFile.vars() != null) merged.putAll(fromFile.vars());
                merged.putAll(LabFile.vars(vars));
                req = new CreateLabRequest(
                        name, template != null ? template : fromFile.template(), merged, fromFile.groups());
            } else {
                if (groups.isEmpty())
                    throw new CliException(
                            ExitCodes.USAGE, "give -f FILE or at least one --group NAME=COUNT (e.g. --group nodes=2)");
                req = LabFile.fromFlags(name, template, groups, vars);
            }
            try (HangarClient client = ServerConnection.open(ctx)) {
                LabView lab = client.labs().create(req);
                if (waitOptions.wait) lab = new LabWaiter(ctx, client, waitOptions.timeout).untilReady(name, "");
                if (output.machineReadable()) {
                    output.write(ctx.out(), lab);
                } else {
                    ctx.out().println("lab " + name + (waitOptions.wait ? " ready: " : " created: ") + lab.message());
                    members(lab).print(ctx.out());
                    if (!waitOptions.wait) ctx.out().println("'hangar lab show " + name + "' shows its progress");
                }
                return lab.status().equals("Degraded") ? ExitCodes.ERROR : ExitCodes.OK;
            }
        }
    }

    /** {@code hangar lab list}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "list",
            aliases = "ls",
            description = "List your labs (admins and auditors: everyone's).")
    static final class ListLabs implements Callable<Integer> {
        private final CliContext ctx;

        @Mixin
        OutputOption output;

        ListLabs(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                List<LabView> labs = client.labs().list();
                if (output.machineReadable()) {
                    output.write(ctx.out(), labs);
                    return ExitCodes.OK;
                }
                boolean withOwner = labs.stream().map(LabView::owner).distinct().count() > 1;
                Table t = withOwner
                        ? new Table("OWNER", "NAME", "STATUS", "READY", "SUBNET", "AGE")
                        : new Table("NAME", "STATUS", "READY", "SUBNET", "AGE");
                Instant now = ctx.clock().instant();
                for (LabView l : labs) {
                    String age = Age.between(l.createdAt(), now);
                    String ready = l.ready() + "/" + l.total();
                    if (withOwner) t.row(l.owner(), l.name(), l.status(), ready, l.subnet(), age);
                    else t.row(l.name(), l.status(), ready, l.subnet(), age);
                }
                t.print(ctx.out());
                return ExitCodes.OK;
            }
        }
    }

    /** {@code hangar lab show NAME}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "show",
            description = "Show a lab: its status, subnet, vars and every member with its lab address.")
    static final class Show implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Mixin
        OwnerOption owner;

        @Mixin
        OutputOption output;

        Show(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                LabView l = client.labs().get(name, owner.owner);
                if (output.machineReadable()) {
                    output.write(ctx.out(), l);
                    return ExitCodes.OK;
                }
                PrintWriter out = ctx.out();
                out.println("lab:     " + l.name() + " (owner " + l.owner() + ")");
                out.println("status:  " + l.status() + " (" + l.message() + ")");
                out.println("subnet:  " + l.subnet());
                if (!l.vars().isEmpty()) {
                    out.println("vars:");
                    l.vars().forEach((k, v) -> out.println("  " + k + "=" + v));
                }
                out.println("members:");
                members(l).print(out);
                return ExitCodes.OK;
            }
        }
    }

    /** {@code hangar lab start NAME}. */
    @Command(mixinStandardHelpOptions = true, name = "start", description = "Start every member of a lab.")
    static final class Start implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Mixin
        OwnerOption owner;

        @Mixin
        WaitOptions waitOptions;

        Start(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                client.labs().start(name, owner.owner);
                if (waitOptions.wait) {
                    LabView l = new LabWaiter(ctx, client, waitOptions.timeout).untilReady(name, owner.owner);
                    ctx.out().println("lab " + name + " ready: " + l.message());
                } else {
                    ctx.out().println("start requested for every member of lab " + name);
                }
                return ExitCodes.OK;
            }
        }
    }

    /** {@code hangar lab stop NAME}. */
    @Command(mixinStandardHelpOptions = true, name = "stop", description = "Stop every member of a lab, keeping disks.")
    static final class Stop implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Mixin
        OwnerOption owner;

        @Mixin
        WaitOptions waitOptions;

        Stop(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                client.labs().stop(name, owner.owner);
                if (waitOptions.wait) {
                    new LabWaiter(ctx, client, waitOptions.timeout)
                            .until(name, owner.owner, "Stopped", l -> l.status().equals("Stopped"));
                    ctx.out().println("lab " + name + " stopped");
                } else {
                    ctx.out().println("stop requested for every member of lab " + name);
                }
                return ExitCodes.OK;
            }
        }
    }

    /** {@code hangar lab delete NAME}: asks first unless {@code --yes}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "delete",
            description = "Delete a lab and every member workspace with its disk (asks first unless --yes).")
    static final class Delete implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Mixin
        YesOption yes;

        @Mixin
        OwnerOption owner;

        @Mixin
        WaitOptions waitOptions;

        Delete(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                if (!yes.yes) {
                    LabView l = client.labs().get(name, owner.owner);
                    if (!Confirmation.confirmed(
                            ctx,
                            false,
                            "delete lab " + name,
                            "Delete lab " + name + " and its " + l.total()
                                    + " workspaces with their disks? This cannot be undone. [y/N] ")) {
                        ctx.err().println("not deleted");
                        return ExitCodes.ERROR;
                    }
                }
                LabView l = client.labs().delete(name, owner.owner);
                if (waitOptions.wait) {
                    Waiter w = new Waiter(ctx, client, waitOptions.timeout);
                    for (LabView.LabMemberView m : l.members()) w.untilGone(m.name(), l.owner());
                    ctx.out().println("lab " + name + " deleted with its " + l.total() + " workspaces");
                } else {
                    ctx.out().println("delete requested for lab " + name + " and its " + l.total() + " workspaces");
                }
                return ExitCodes.OK;
            }
        }
    }

    /** {@code hangar lab inventory NAME [-o ini|yaml|json] [--list]}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "inventory",
            description = "Print the lab's Ansible inventory; hosts are reached through the gateway with the"
                    + " config 'hangar config-ssh' writes (host-key checking stays on).")
    static final class Inventory implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(
                names = {"-o", "--format"},
                paramLabel = "FORMAT",
                description = "ini (default), yaml or json.")
        String format = "ini";

        @Option(
                names = "--list",
                description = "Print Ansible's dynamic-inventory JSON (with _meta.hostvars), for a one-line"
                        + " inventory script: ansible -i <(hangar lab inventory NAME --list) ...")
        boolean list;

        @Mixin
        OwnerOption owner;

        Inventory(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            String f = format.strip().toLowerCase(Locale.ROOT);
            if (!List.of("ini", "yaml", "json").contains(f))
                throw new CliException(ExitCodes.USAGE, "-o must be ini, yaml or json, got '" + format + "'");
            if (list) f = "list";
            String sshConfig =
                    new SshConfigWriter(ctx.userHome()).hangarConfig().toString();
            try (HangarClient client = ServerConnection.open(ctx)) {
                ctx.out().print(client.labs().inventory(name, owner.owner, f, sshConfig));
                ctx.out().flush();
                return ExitCodes.OK;
            }
        }
    }

    /** @return the members table of a lab */
    static Table members(LabView l) {
        Table t = new Table("MEMBER", "GROUP", "ADDRESS", "PHASE", "REASON");
        for (LabView.LabMemberView m : l.members()) t.row(m.name(), m.group(), m.address(), m.phase(), m.reason());
        return t;
    }
}
