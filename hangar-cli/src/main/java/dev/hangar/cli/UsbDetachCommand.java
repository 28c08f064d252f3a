package dev.hangar.cli;

import dev.hangar.api.client.HangarClient;
import dev.hangar.usbip.BusId;
import dev.hangar.usbip.GatewayForward;
import dev.hangar.usbip.RemoteForward;
import dev.hangar.usbip.UsbipPortListing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar usb detach WS BUSID}: ends a {@code hangar usb attach} running in another terminal
 * (through its stop file, see {@link UsbAttachState}) and waits until it has undone everything. When
 * no attach runs any more (killed, crashed, other PC), it cleans up itself: {@code usbip detach} of
 * every vhci port in the workspace that imports BUSID through a loopback forward, then the server's
 * record. Idempotent: detaching a device that is not attached succeeds and says so.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "detach",
        description = "Undo 'hangar usb attach WS BUSID': detach in the workspace, close the tunnel, tell the server.")
final class UsbDetachCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "WS", description = "Workspace name.")
    String workspace;

    @Parameters(index = "1", paramLabel = "BUSID", description = "Bus id of the device, e.g. 1-3.")
    String busid;

    @Option(
            names = "--timeout",
            defaultValue = "60s",
            converter = Durations.Converter.class,
            paramLabel = "DURATION",
            description = "How long to wait for the running attach to finish (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(
            names = {"-i", "--identity"},
            paramLabel = "FILE",
            description = "Private key for ssh (as for config-ssh).")
    Path identity;

    @Mixin
    OwnerOption owner;

    UsbDetachCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        BusId bus = UsbAttachCommand.parseBusId(busid);
        SshCommand.command(workspace, List.of(), ctx.userHome()); // validates the name
        Path stateFile = UsbAttachState.file(ctx, workspace, bus.value());
        Optional<UsbAttachState> state = UsbAttachState.read(stateFile);
        if (state.isPresent() && state.get().running()) {
            Path stop = UsbAttachState.stopFile(ctx, workspace, bus.value());
            try {
                Files.writeString(stop, "detach requested\n");
            } catch (IOException e) {
                throw new CliException(ExitCodes.ERROR, "cannot write " + stop + ": " + e.getMessage());
            }
            long end = System.nanoTime() + timeout.toNanos();
            while (Files.exists(stateFile) && state.get().running()) {
                if (System.nanoTime() > end)
                    throw new CliException(
                            ExitCodes.ERROR,
                            "the attach (pid " + state.get().pid() + ") did not finish within " + timeout.toSeconds()
                                    + " s; stop it with Ctrl-C in its terminal or kill "
                                    + state.get().pid());
                try {
                    Thread.sleep(100); // polling another process's files; nothing to wait on
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CliException(ExitCodes.ERROR, "interrupted");
                }
            }
            if (!Files.exists(stateFile)) {
                ctx.out()
                        .println("usb " + bus + ": detached from " + workspace + " (attach pid "
                                + state.get().pid() + " finished)");
                return ExitCodes.OK;
            }
        }
        // No attach runs (or it died): undo the workspace side ourselves.
        int detached = 0;
        try (HangarClient client = ServerConnection.open(ctx)) {
            SshSetup.Planned p = SshSetup.plan(ctx, client, identity);
            if (!p.plan().upToDate()) SshSetup.apply(p);
            try (WorkspaceShell shell = WorkspaceShell.open(
                    UsbAttachSession.sshHost(workspace, owner.owner),
                    ctx.userHome(),
                    Optional.empty(),
                    Duration.ofSeconds(5),
                    UsbAttachSession.COMMAND_TIMEOUT)) {
                WorkspaceShell.Result ports = shell.run(WorkspaceUsbip.portCommand(), UsbAttachSession.COMMAND_TIMEOUT);
                Pattern ours = Pattern.compile("usbip://(" + Pattern.quote(RemoteForward.LOOPBACK) + "|"
                        + Pattern.quote(GatewayForward.GUEST_HOST) + "):(\\d+)/" + Pattern.quote(bus.value()));
                for (UsbipPortListing.ImportedPort port : UsbipPortListing.parse(ports.output())) {
                    var m = ours.matcher(port.remoteUri());
                    if (!m.matches()) continue;
                    if (WorkspaceUsbip.detach(shell, m.group(1), Integer.parseInt(m.group(2)), bus)) detached++;
                }
            } catch (WorkspaceShell.ShellException e) {
                throw new CliException(
                        ExitCodes.UNREACHABLE, "cannot reach workspace " + workspace + ": " + e.getMessage());
            }
            client.usb().detach(workspace, owner.owner, bus.value());
        }
        try {
            Files.deleteIfExists(stateFile);
            Files.deleteIfExists(UsbAttachState.stopFile(ctx, workspace, bus.value()));
        } catch (IOException e) {
            ctx.err().println("warning: cannot delete " + stateFile + ": " + e.getMessage());
        }
        ctx.out()
                .println("usb " + bus + ": "
                        + (detached == 0 ? "was not attached in " + workspace : "detached from " + workspace));
        return ExitCodes.OK;
    }
}
