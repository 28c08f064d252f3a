package dev.hangar.cli;

import dev.hangar.api.UsbAttachRequest;
import dev.hangar.api.UsbAttachmentView;
import dev.hangar.api.client.HangarClient;
import dev.hangar.usbip.BusId;
import dev.hangar.usbip.CommandLine;
import dev.hangar.usbip.UsbDevice;
import dev.hangar.usbip.UsbIds;
import dev.hangar.usbip.UsbipClient;
import dev.hangar.usbip.UsbipCommands;
import dev.hangar.usbip.UsbipException;
import dev.hangar.usbip.UsbipdAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar usb attach WS BUSID}: forwards a USB device of this PC into a workspace over USB/IP
 * inside SSH and keeps it there until Ctrl-C or {@code hangar usb detach WS BUSID}.
 *
 * <p>Steps: (1) usbipd must answer and export BUSID ({@code OP_REQ_DEVLIST}); a local usbipd may
 * bind it with {@code sudo -n usbip bind -b BUSID} when {@code --sudo} is given, otherwise the exact
 * command is printed; a usbipd on another host is only checked. (2) the server's USB policy must
 * allow the device's VID:PID ({@code POST .../usb/attachments}); its answer says which tunnel the
 * workspace offers. (3) {@link UsbAttachSession}: the system OpenSSH client with the {@code
 * config-ssh} configuration, either a remote forward bound to {@code 127.0.0.1} in the workspace
 * and {@code sudo -n usbip --tcp-port N attach -r 127.0.0.1 -b BUSID} there, or (a local VM, ADR
 * 0019) a forward on the gateway and {@code usbip --tcp-port 3240 attach -r 10.0.2.100}; then
 * watching and re-attaching. {@code --via} overrides the server's choice.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "attach",
        description = {
            "Forward a USB device of this PC into a workspace (USB/IP inside SSH) until Ctrl-C or"
                    + " 'hangar usb detach WS BUSID'.",
            "The device must be exported by usbipd (Linux: 'sudo usbip bind -b BUSID'; Windows:"
                    + " 'usbipd bind --busid BUSID'). The tunnel listens on 127.0.0.1 inside the workspace only."
        })
final class UsbAttachCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "WS", description = "Workspace name.")
    String workspace;

    @Parameters(index = "1", paramLabel = "BUSID", description = "Bus id of the device, e.g. 1-3 ('hangar usb list').")
    String busid;

    @Option(
            names = "--usbipd",
            paramLabel = "HOST:PORT",
            description = "Where usbipd listens, as seen from this PC (default: 127.0.0.1:3240).")
    String usbipd;

    @Option(names = "--sudo", description = "Run 'sudo -n usbip bind -b BUSID' when a local device is not bound yet.")
    boolean sudo;

    @Option(names = "--no-bind", description = "Never bind; only check that usbipd exports BUSID.")
    boolean noBind;

    @Option(
            names = "--poll",
            defaultValue = "2s",
            converter = Durations.Converter.class,
            paramLabel = "DURATION",
            description = "How often the attachment is checked in the workspace (default: ${DEFAULT-VALUE}).")
    Duration poll;

    @Option(
            names = "--alive-interval",
            defaultValue = "5s",
            converter = Durations.Converter.class,
            paramLabel = "DURATION",
            description =
                    "ssh ServerAliveInterval; a dead link is noticed after 3 of them (default: ${DEFAULT-VALUE}).")
    Duration aliveInterval;

    @Option(
            names = {"-i", "--identity"},
            paramLabel = "FILE",
            description = "Private key for ssh (as for config-ssh).")
    Path identity;

    @Option(
            names = "--via",
            paramLabel = "auto|gateway|ssh",
            defaultValue = "auto",
            description = "Tunnel: 'gateway' (a local VM's guest forward through the SSH gateway, no sshd in the"
                    + " path), 'ssh' (ssh -R into the workspace's sshd), or 'auto': what the server offers"
                    + " (default: ${DEFAULT-VALUE}).")
    String via;

    @Mixin
    OwnerOption owner;

    UsbAttachCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (sudo && noBind) throw new CliException(ExitCodes.USAGE, "--sudo and --no-bind exclude each other");
        if (!List.of("auto", "gateway", "ssh").contains(via))
            throw new CliException(ExitCodes.USAGE, "--via must be auto, gateway or ssh, got '" + via + "'");
        BusId bus = parseBusId(busid);
        UsbipdAddress address = parseUsbipd(usbipd);
        SshCommand.command(workspace, List.of(), ctx.userHome()); // validates the name
        UsbIds names = UsbIds.system();
        UsbDevice device = exportable(address, bus, true).orElseThrow();
        String vidPid = device.vidPid().toString();
        ctx.out()
                .println("usb " + bus + ": " + names.describe(device.vidPid()) + " (" + vidPid
                        + ") exported by usbipd on " + address);
        try (HangarClient client = ServerConnection.open(ctx)) {
            UsbAttachmentView allowed = client.usb()
                    .attach(workspace, owner.owner, new UsbAttachRequest(bus.value(), vidPid, address.toString()));
            boolean viaGateway = switch (via) {
                case "ssh" -> false;
                case "gateway" -> {
                    if (!allowed.viaGateway()) {
                        client.usb().detach(workspace, owner.owner, bus.value());
                        throw new CliException(
                                ExitCodes.ERROR,
                                "workspace " + workspace + " offers no gateway tunnel for USB/IP (not a local VM, or"
                                        + " its VM was launched without the guest forward: python3 and socat missing on the server,"
                                        + " or started before the server had it); use --via ssh");
                    }
                    yield true;
                }
                default -> allowed.viaGateway();
            };
            ctx.out()
                    .println("usb " + bus + ": allowed by the server for " + workspace + " (" + allowed.vidPid()
                            + "); tunnel: "
                            + (viaGateway ? "gateway (VM guest forward)" : "ssh -R into the workspace"));
            try {
                SshSetup.Planned p = SshSetup.plan(ctx, client, identity);
                if (!p.plan().upToDate()) SshSetup.apply(p);
            } catch (RuntimeException e) {
                client.usb().detach(workspace, owner.owner, bus.value());
                throw e;
            }
            UsbAttachSession session = new UsbAttachSession(
                    ctx, client, workspace, owner.owner, bus, vidPid, address, poll, aliveInterval, viaGateway, () -> {
                        try {
                            return exportable(address, bus, false).isPresent();
                        } catch (CliException e) {
                            return false;
                        }
                    });
            return session.run();
        }
    }

    /**
     * @param fatal whether a missing device is an error (first check) or just "not yet" (re-attach)
     * @return the exported device; empty only when not {@code fatal}
     */
    private Optional<UsbDevice> exportable(UsbipdAddress address, BusId bus, boolean fatal) {
        UsbipClient usbipClient = new UsbipClient(address, UsbipClient.DEFAULT_TIMEOUT);
        Optional<UsbDevice> found;
        try {
            found = usbipClient.findExportable(bus);
        } catch (UsbipException e) {
            if (!fatal) return Optional.empty();
            throw new CliException(ExitCodes.UNREACHABLE, e.getMessage());
        }
        if (found.isPresent()) return found;
        boolean local = isLoopback(address);
        CommandLine bind = UsbipCommands.bind(bus);
        if (local && sudo) {
            CommandLine cmd = UsbipCommands.bindWithoutSudo(bus).sudoNonInteractive();
            ctx.out().println("usb " + bus + ": not bound; running " + cmd.toShell());
            String out = runLocal(cmd);
            try {
                found = usbipClient.findExportable(bus);
            } catch (UsbipException e) {
                if (!fatal) return Optional.empty();
                throw new CliException(ExitCodes.UNREACHABLE, e.getMessage());
            }
            if (found.isPresent() || !fatal) return found;
            throw new CliException(
                    ExitCodes.NOT_FOUND,
                    "'" + cmd.toShell() + "' did not make " + bus + " exportable (" + out
                            + "); check the bus id with 'usbip list -l' and run '" + bind.toShell() + "' yourself");
        }
        if (!fatal) return Optional.empty();
        String exported;
        try {
            exported = usbipClient.listDevices().stream()
                    .map(UsbDevice::busId)
                    .toList()
                    .toString();
        } catch (UsbipException e) {
            exported = "unknown";
        }
        throw new CliException(
                ExitCodes.NOT_FOUND,
                "usbipd on " + address + " does not export " + bus + " (it exports " + exported + "); "
                        + (local && !noBind
                                ? "bind it with: " + bind.toShell() + " (or rerun with --sudo to let hangar run"
                                        + " 'sudo -n usbip bind'); on Windows: "
                                        + UsbipCommands.bindWindows(bus).toShell()
                                : "bind it on the host that runs usbipd: " + bind.toShell() + " (Linux) or "
                                        + UsbipCommands.bindWindows(bus).toShell() + " (Windows)"));
    }

    private static String runLocal(CommandLine cmd) {
        try {
            Process p = new ProcessBuilder(cmd.argv()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            String text = new String(out, StandardCharsets.UTF_8).strip().replace('\n', ' ');
            return "exit " + p.exitValue() + (text.isEmpty() ? "" : ": " + text);
        } catch (IOException e) {
            return "cannot run " + cmd.argv().getFirst() + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Loopback literals and {@code localhost}: usbipd on this PC, so binding here makes sense. */
    static boolean isLoopback(UsbipdAddress address) {
        if (address.host().equals("localhost")) return true;
        if (!address.host().matches("[0-9.]+") && !address.isIpv6Literal()) return false;
        try {
            return InetAddress.getByName(address.host()).isLoopbackAddress(); // a literal: no DNS lookup
        } catch (IOException e) {
            return false;
        }
    }

    static BusId parseBusId(String text) {
        try {
            return BusId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.BAD_INPUT, e.getMessage());
        }
    }

    static UsbipdAddress parseUsbipd(String text) {
        try {
            return text == null ? UsbipdAddress.DEFAULT : UsbipdAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "--usbipd: " + e.getMessage());
        }
    }
}
