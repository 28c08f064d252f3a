package dev.hangar.cli;

import dev.hangar.api.TemplateView;
import dev.hangar.api.client.HangarClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code hangar template list|show}: the templates workspaces are created from. */
@Command(
        mixinStandardHelpOptions = true,
        name = "template",
        aliases = "templates",
        description = "Inspect templates.",
        subcommands = {TemplateCommand.ListTemplates.class, TemplateCommand.ShowTemplate.class})
final class TemplateCommand {

    /** {@code hangar template list}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "list",
            aliases = "ls",
            description = "List templates with their default sizes.")
    static final class ListTemplates implements Callable<Integer> {
        private final CliContext ctx;

        @Mixin
        OutputOption output;

        ListTemplates(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                List<TemplateView> list = client.templates();
                if (output.machineReadable()) output.write(ctx.out(), list);
                else if (list.isEmpty()) ctx.err().println("No templates found.");
                else Views.templates(list).print(ctx.out());
                return ExitCodes.OK;
            }
        }
    }

    /** {@code hangar template show NAME}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "show",
            description = "Show a template with its defaults and allowed ranges.")
    static final class ShowTemplate implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", paramLabel = "NAME", description = "Template name.")
        String name;

        @Mixin
        OutputOption output;

        ShowTemplate(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                TemplateView t = client.template(name);
                if (output.machineReadable()) output.write(ctx.out(), t);
                else if (output.tableRequested()) Views.templates(List.of(t)).print(ctx.out());
                else Views.template(ctx.out(), t);
                return ExitCodes.OK;
            }
        }
    }
}
