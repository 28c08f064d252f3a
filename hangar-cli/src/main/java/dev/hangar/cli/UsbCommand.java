package dev.hangar.cli;

import dev.hangar.usbip.UsbDeviceSummary;
import dev.hangar.usbip.UsbIds;
import dev.hangar.usbip.UsbipClient;
import dev.hangar.usbip.UsbipException;
import dev.hangar.usbip.UsbipdAddress;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code hangar usb list|attach|detach}: USB devices of this PC, listed from usbipd (USB/IP) and
 * forwarded into workspaces inside SSH (see {@link UsbAttachCommand}, {@link UsbDetachCommand}).
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "usb",
        description = "USB devices shared from this PC over USB/IP (usbipd).",
        subcommands = {UsbCommand.ListDevices.class, UsbAttachCommand.class, UsbDetachCommand.class})
final class UsbCommand {
    /** {@code hangar usb list [--usbipd HOST:PORT] [-o table|json|yaml]}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "list",
            aliases = "ls",
            description = "List the devices usbipd exports (bind them first with 'usbip bind -b BUSID').")
    static final class ListDevices implements Callable<Integer> {
        private final CliContext ctx;

        @Option(
                names = "--usbipd",
                paramLabel = "HOST:PORT",
                description = "Where usbipd listens (default: 127.0.0.1:3240).")
        String usbipd;

        @Mixin
        OutputOption output;

        ListDevices(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            UsbipdAddress address;
            try {
                address = usbipd == null ? UsbipdAddress.DEFAULT : UsbipdAddress.parse(usbipd);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCodes.USAGE, "--usbipd: " + e.getMessage());
            }
            List<UsbDeviceSummary> rows;
            try {
                UsbIds names = UsbIds.system();
                rows = new UsbipClient(address, UsbipClient.DEFAULT_TIMEOUT)
                        .listDevices().stream()
                                .map(d -> UsbDeviceSummary.of(d, names))
                                .toList();
            } catch (UsbipException e) {
                throw new CliException(ExitCodes.UNREACHABLE, e.getMessage());
            }
            if (output.machineReadable()) {
                output.write(ctx.out(), rows);
            } else if (rows.isEmpty()) {
                ctx.err()
                        .println("usbipd on " + address
                                + " exports no devices; bind one with: sudo usbip bind -b BUSID");
            } else {
                Table t = new Table("BUSID", "VID:PID", "CLASS", "PRODUCT", "SPEED");
                for (UsbDeviceSummary r : rows) t.row(r.busId(), r.vidPid(), r.usbClass(), r.product(), r.speed());
                t.print(ctx.out());
            }
            return ExitCodes.OK;
        }
    }
}
