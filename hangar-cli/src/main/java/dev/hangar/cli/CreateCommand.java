package dev.hangar.cli;

import dev.hangar.api.CreateWorkspaceRequest;
import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.HangarClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hangar create NAME --template T ...}: records a new workspace. */
@Command(
        mixinStandardHelpOptions = true,
        name = "create",
        description = "Create a workspace from a template. Sizes left out come from the template.")
final class CreateCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(
            index = "0",
            paramLabel = "NAME",
            description = "Workspace name: lower-case letters, digits, '-'; at most 63.")
    String name;

    @Option(
            names = "--template",
            required = true,
            paramLabel = "T",
            description = "Template (see 'hangar template list').")
    String template;

    @Option(names = "--cpus", paramLabel = "N", description = "Virtual CPUs.")
    Integer cpus;

    @Option(
            names = "--memory",
            paramLabel = "SIZE",
            converter = Sizes.MemoryConverter.class,
            description = "Memory: MiB as a plain number (4096) or with a unit (4GiB).")
    Integer memoryMiB;

    @Option(
            names = "--disk",
            paramLabel = "SIZE",
            converter = Sizes.DiskConverter.class,
            description = "Disk: GiB as a plain number (16) or with a unit (16GiB).")
    Integer diskGiB;

    @Option(names = "--image", paramLabel = "I", description = "Image overriding the template's.")
    String image;

    @Option(
            names = "--user-data",
            paramLabel = "FILE",
            description = "A #cloud-config YAML file merged into the workspace's cloud-init user-data.")
    Path userData;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FORMAT",
            description = "Print the created workspace as json or yaml instead of a message.")
    Output.Format output;

    @Mixin
    WaitOptions waitOptions;

    CreateCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (cpus != null && cpus <= 0) {
            throw new CliException(ExitCodes.USAGE, "--cpus must be a positive number, got " + cpus);
        }
        CreateWorkspaceRequest req = new CreateWorkspaceRequest(
                name, template, cpus, memoryMiB, diskGiB, image, userData == null ? null : readUserData());
        try (HangarClient client = ServerConnection.open(ctx)) {
            WorkspaceView w = client.createWorkspace(req);
            if (waitOptions.wait) {
                w = new Waiter(ctx, client, waitOptions.timeout)
                        .until(name, "", "Running", v -> v.phase().equals("Running"));
            }
            if (output != null && output != Output.Format.table) {
                Output.write(ctx.out(), output, w);
            } else if (waitOptions.wait) {
                ctx.out().println("workspace " + name + " created and Running");
            } else {
                ctx.out().println("workspace " + name + " created (phase " + w.phase() + ")");
            }
            return ExitCodes.OK;
        }
    }

    private String readUserData() {
        try {
            return Files.readString(userData, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CliException(ExitCodes.BAD_INPUT, "--user-data file " + userData + " does not exist");
        } catch (IOException e) {
            throw new CliException(
                    ExitCodes.BAD_INPUT, "cannot read --user-data file " + userData + ": " + e.getMessage());
        }
    }
}
