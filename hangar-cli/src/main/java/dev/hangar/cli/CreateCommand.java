package dev.hangar.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.api.CreateWorkspaceRequest;
import dev.hangar.api.DeviceView;
import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.ApiException;
import dev.hangar.api.client.HangarClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar create NAME [--template T] ...}: records a new workspace. Every value is checked
 * by the server (one source of truth for names, templates and limits); a rejected value is
 * reported in this command's terms: the option that carried it ({@code --memory}, not the API's
 * {@code memoryMiB}) and, for user-data, the file.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "create",
        description = "Create a workspace from a template (the server's default template when --template is"
                + " left out). Sizes left out come from the template.")
final class CreateCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(
            index = "0",
            paramLabel = "NAME",
            description = "Workspace name: lower-case letters, digits, '-'; at most 63.")
    String name;

    @Option(
            names = "--template",
            paramLabel = "T",
            description = "Template (see 'hangar template list'); default: the server's default template.")
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
            names = "--autostop",
            paramLabel = "D",
            description = "Stop the workspace after it has been idle this long (30m, 2h, 1d) or 'off';"
                    + " default: the template's setting.")
    String autostop;

    @Option(
            names = "--devcontainer",
            paramLabel = "DIR",
            description = "Build and set up the container from DIR/.devcontainer/devcontainer.json (or"
                    + " DIR/.devcontainer.json). DIR is a folder on this machine, uploaded to the server as a tar"
                    + " archive (at most 200 MiB; symbolic links must stay inside it); server:/PATH names a folder"
                    + " ON THE SERVER HOST instead. Needs a template of the docker provider, e.g. --template"
                    + " container. See docs/devcontainer.md.")
    String devcontainer;

    @Option(
            names = "--device",
            paramLabel = "NAME=N",
            description = "Ask for N of a device the template offers, e.g. --device nvidia.com/gpu=1 (repeatable;"
                    + " see 'hangar template show'). Devices left out get the template's default count; N=0 asks"
                    + " for none of a device the template gives by default (refused when the template's minimum"
                    + " is above 0).")
    List<String> devices = new ArrayList<>();

    @Option(
            names = "--dry-run",
            description = "Create nothing: print the Kubernetes objects the template's provider would create"
                    + " (Pod and KubeVirt templates), as a v1 List in YAML (or -o json), with secret values"
                    + " <redacted>. The server checks the request as for a real create and does not contact"
                    + " the cluster. Not with --devcontainer (a devcontainer workspace runs on the docker"
                    + " provider, which has no such objects; no folder is uploaded).")
    boolean dryRun;

    /** json, yaml or table print the created workspace; without {@code -o}, a message. */
    @Mixin
    OutputOption output;

    @Mixin
    WaitOptions waitOptions;

    /**
     * @return the {@code --device NAME=N} values as wire devices, in the order given
     * @throws CliException (usage) for a value without {@code =} or with a count that is not a whole
     *     number; the server checks names and ranges
     */
    static List<DeviceView> devices(List<String> values) {
        List<DeviceView> out = new ArrayList<>();
        for (String v : values) {
            int eq = v.lastIndexOf('=');
            if (eq <= 0)
                throw new CliException(
                        ExitCodes.USAGE, "--device '" + v + "' must be NAME=COUNT, e.g. --device nvidia.com/gpu=1");
            try {
                out.add(new DeviceView(
                        v.substring(0, eq).strip(),
                        Integer.valueOf(v.substring(eq + 1).strip())));
            } catch (NumberFormatException e) {
                throw new CliException(
                        ExitCodes.USAGE,
                        "--device '" + v + "': the count after '=' must be a whole number, e.g. nvidia.com/gpu=1");
            }
        }
        return out;
    }

    CreateCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    /** The prefix of a --devcontainer folder on the server host (anything else is a local folder to upload). */
    static final String SERVER_PREFIX = "server:";

    /**
     * Creates the workspace, or with {@code --dry-run} prints the objects it would have.
     *
     * <p>{@code --dry-run} with {@code --devcontainer} is refused here, before the folder is packed
     * or anything is sent: the server renders objects only for providers that have them (Pod,
     * KubeVirt), and it accepts a devcontainer only for a template of the docker provider, which has
     * none; so such a dry run can only be refused, and uploading a local folder (up to 200 MiB, kept
     * on the server until swept) for it would be spent for nothing.
     */
    @Override
    public Integer call() {
        if (dryRun && devcontainer != null)
            throw new CliException(
                    ExitCodes.USAGE,
                    "--dry-run prints Kubernetes objects, and a --devcontainer workspace (docker provider) has none;"
                            + " leave out --dry-run or --devcontainer");
        // a local folder is packed before anything is sent: its errors are the user's to fix here
        byte[] archive = devcontainer == null || devcontainer.startsWith(SERVER_PREFIX)
                ? null
                : DevcontainerArchive.of(Path.of(devcontainer).toAbsolutePath().normalize());
        String serverFolder =
                archive == null && devcontainer != null ? devcontainer.substring(SERVER_PREFIX.length()) : null;
        if (archive != null) {
            try (HangarClient client = ServerConnection.open(ctx)) {
                Path local = Path.of(devcontainer).toAbsolutePath().normalize();
                String base = local.getFileName() == null
                        ? "workspace"
                        : local.getFileName().toString();
                serverFolder = client.uploadDevcontainer(archive, base).path();
            }
        }
        CreateWorkspaceRequest req = new CreateWorkspaceRequest(
                name,
                template,
                cpus,
                memoryMiB,
                diskGiB,
                image,
                userData == null ? null : readUserData(),
                autostop,
                serverFolder,
                devices(devices));
        if (dryRun) return dryRun(req);
        try (HangarClient client = ServerConnection.open(ctx)) {
            WorkspaceView w;
            try {
                w = client.createWorkspace(req);
            } catch (ApiException e) {
                throw inCliTerms(e);
            }
            if (waitOptions.wait) {
                w = new Waiter(ctx, client, waitOptions.timeout)
                        .until(name, "", WorkspacePhase.Running.name(), v -> v.phase() == WorkspacePhase.Running);
            }
            if (output.machineReadable()) {
                output.write(ctx.out(), w);
            } else if (output.tableRequested()) {
                Views.workspaces(List.of(w), false, ctx.clock().instant()).print(ctx.out());
            } else if (waitOptions.wait) {
                ctx.out().println("workspace " + name + " created and Running");
            } else {
                ctx.out().println("workspace " + name + " created (phase " + w.phase() + ")");
            }
            return ExitCodes.OK;
        }
    }

    /** {@code --dry-run}: the objects as YAML (default) or JSON; nothing is created. */
    private int dryRun(CreateWorkspaceRequest req) {
        if (waitOptions.wait) {
            throw new CliException(ExitCodes.USAGE, "--dry-run creates nothing, so there is nothing to --wait for");
        }
        if (output.tableRequested()) {
            throw new CliException(
                    ExitCodes.USAGE, "--dry-run prints Kubernetes objects: -o yaml (default) or -o json");
        }
        try (HangarClient client = ServerConnection.open(ctx)) {
            JsonNode list;
            try {
                list = client.createWorkspaceDryRun(req);
            } catch (ApiException e) {
                throw inCliTerms(e);
            }
            Output.write(ctx.out(), output.machineReadable() ? output.format : Output.Format.yaml, list);
            return ExitCodes.OK;
        }
    }

    /**
     * A rejected value in this command's terms: the API field ({@code memoryMiB}) becomes the option
     * ({@code --memory}); a user-data problem names the file. Other errors pass unchanged.
     */
    private static final Pattern DEVICE_FIELD = Pattern.compile("devices\\[(\\d+)]\\.(name|count)");

    private RuntimeException inCliTerms(ApiException e) {
        if (e.status() == 413 && userData != null) {
            return new CliException(
                    ExitCodes.forHttpStatus(e.status()),
                    e.detail() + "; the --user-data file " + userData + " (" + fileSize()
                            + " bytes) makes it too large");
        }
        Matcher device = DEVICE_FIELD.matcher(e.field());
        if (e.status() == 422 && device.matches() && Integer.parseInt(device.group(1)) < devices.size()) {
            // "devices[0].count: 3 is above ..." -> "--device nvidia.com/gpu=3: 3 is above ..."
            String detail = e.detail().replaceFirst("^" + Pattern.quote(e.field()) + ":?\\s*", "");
            return new CliException(
                    ExitCodes.forHttpStatus(e.status()),
                    "--device " + devices.get(Integer.parseInt(device.group(1))) + ": " + detail);
        }
        String option = OPTIONS.get(e.field());
        if (option == null || (e.status() != 400 && e.status() != 422)) return e;
        String detail =
                e.detail().replaceFirst("\\b" + Pattern.quote(e.field()) + "\\b", Matcher.quoteReplacement(option));
        if (e.field().equals("memoryMiB")) detail += " (MiB)";
        if (e.field().equals("diskGiB")) detail += " (GiB)";
        if (e.field().equals("userData")) detail += " (file " + userData + ")";
        return new CliException(ExitCodes.forHttpStatus(e.status()), detail);
    }

    private long fileSize() {
        try {
            return Files.size(userData);
        } catch (IOException e) {
            return -1;
        }
    }

    /** API field of the create request to the option that sets it. */
    private static final Map<String, String> OPTIONS = Map.of(
            "name", "NAME",
            "template", "--template",
            "cpus", "--cpus",
            "memoryMiB", "--memory",
            "diskGiB", "--disk",
            "image", "--image",
            "userData", "--user-data",
            "autostop", "--autostop",
            "devcontainer", "--devcontainer");

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
