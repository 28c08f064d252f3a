package dev.hangar.cli;

import dev.hangar.usbip.BusId;
import dev.hangar.usbip.CommandLine;
import dev.hangar.usbip.UsbipCommands;
import dev.hangar.usbip.UsbipPortListing;
import java.util.Optional;

/**
 * The {@code usbip} commands that {@code hangar usb attach} and {@code hangar usb detach} run in the
 * workspace over a {@link WorkspaceShell}: the check that the workspace can import at all, the
 * listing of imports, and the detach of one import. Each call runs its commands once, waiting at most
 * {@link UsbAttachSession#COMMAND_TIMEOUT} for each; stateless.
 */
final class WorkspaceUsbip {
    private WorkspaceUsbip() {}

    /**
     * Checks that {@code usbip} is installed in the workspace and vhci-hcd is loaded (loading it with
     * {@code sudo -n modprobe} when not).
     *
     * @throws CliException with what to install or configure when either is missing
     */
    static void check(WorkspaceShell shell, String workspace) {
        WorkspaceShell.Result has = shell.runScript("command -v usbip", UsbAttachSession.COMMAND_TIMEOUT);
        if (!has.ok())
            throw new CliException(
                    ExitCodes.ERROR,
                    "the usbip command is not installed in workspace " + workspace
                            + "; install it there (Debian: sudo apt-get install usbip; Ubuntu: sudo apt-get install"
                            + " linux-tools-generic) or use a template that has it (debian-12, ubuntu-24-04)");
        WorkspaceShell.Result vhci = shell.runScript(
                "test -d /sys/devices/platform/vhci_hcd.0 || "
                        + CommandLine.of("modprobe", "vhci-hcd")
                                .sudoNonInteractive()
                                .toShell(),
                UsbAttachSession.COMMAND_TIMEOUT);
        if (!vhci.ok())
            throw new CliException(
                    ExitCodes.ERROR,
                    "vhci-hcd cannot be loaded in workspace " + workspace + " (" + oneLine(vhci.output())
                            + "); the workspace user needs passwordless sudo, and the kernel the vhci-hcd module:"
                            + " a Kubernetes Pod workspace needs the privileged mode (template setting"
                            + " privileged: \"true\") and vhci-hcd loaded on its node; VM templates load it");
    }

    /**
     * Detaches the vhci port importing {@code busId} from {@code host:tunnel} ({@code 127.0.0.1} and
     * the forward's port, or the gateway tunnel's {@code 10.0.2.100:3240}) as {@code usbip port}
     * shows it now, so a port number reused by another import is never hit.
     *
     * @return true if a port was detached, false when no such import is there
     * @throws CliException when {@code usbip detach} fails (its output in the message)
     */
    static boolean detach(WorkspaceShell shell, String host, int tunnel, BusId busId) {
        WorkspaceShell.Result ports = shell.run(portCommand(), UsbAttachSession.COMMAND_TIMEOUT);
        Optional<UsbipPortListing.ImportedPort> p = UsbipPortListing.find(ports.output(), host, tunnel, busId);
        if (p.isEmpty()) return false;
        CommandLine cmd = UsbipCommands.detach(tunnel, p.get().port()).sudoNonInteractive();
        WorkspaceShell.Result r = shell.run(cmd, UsbAttachSession.COMMAND_TIMEOUT);
        if (!r.ok()) throw new CliException(ExitCodes.ERROR, "'" + cmd.toShell() + "' failed: " + oneLine(r.output()));
        return true;
    }

    /**
     * {@code sudo -n usbip port}: as root because {@code usbip attach} keeps the remote address of each
     * import in {@code /var/run/vhci_hcd/port*}, a 0700 directory of root's; without it the listing
     * shows "unknown host" and no import could be matched to this tunnel.
     */
    static CommandLine portCommand() {
        return UsbipCommands.port().sudoNonInteractive();
    }

    /** @return a command's output on one line, or "no output" */
    static String oneLine(String s) {
        String t = s.strip().replace('\n', ' ');
        return t.isEmpty() ? "no output" : t;
    }
}
