package dev.hangar.usbip;

import java.util.Objects;

/**
 * Pure builders for the {@code usbip} command lines Hangar runs or prints, as used by Linux
 * usbip-utils 2.0 (Debian package {@code usbip}) and, for binding on Windows, usbipd-win. Nothing here
 * runs a process.
 *
 * <p>Workspace side ({@link #attach}, {@link #port}, {@link #detach}, {@link #listRemote}): these talk
 * to {@code vhci_hcd} through sysfs; {@code attach} and {@code detach} need root, so a non-root session
 * user wraps them with {@link CommandLine#sudoNonInteractive()}. PC side ({@link #bind}, {@link
 * #bindWindows}): makes a device exportable by usbipd.
 *
 * <p>Every variable part is typed and validated (ports are ints in range, bus ids are {@link BusId}),
 * so no builder can emit shell syntax; {@link CommandLine#toShell()} additionally quotes.
 */
public final class UsbipCommands {
    private UsbipCommands() {}

    /**
     * {@code usbip --tcp-port N attach -r 127.0.0.1 -b BUSID}: import the device through the forward
     * listening on {@code 127.0.0.1:N} in the workspace.
     *
     * @param tunnelPort the workspace end of the {@link RemoteForward}, 1..65535
     * @param busId the device's bus id on the PC
     * @return the command (needs root)
     */
    public static CommandLine attach(int tunnelPort, BusId busId) {
        Objects.requireNonNull(busId, "busId");
        return CommandLine.of(
                "usbip", "--tcp-port", port(tunnelPort), "attach", "-r", RemoteForward.LOOPBACK, "-b", busId.value());
    }

    /**
     * {@code usbip --tcp-port PORT attach -r HOST -b BUSID}: import the device from a USB/IP server
     * the workspace reaches at {@code host:port}, e.g. the gateway tunnel's {@link
     * GatewayForward#GUEST_HOST}:{@link GatewayForward#GUEST_PORT}.
     *
     * @param host an IPv4 literal
     * @param port 1..65535
     * @param busId the device's bus id on the PC
     * @return the command (needs root)
     */
    public static CommandLine attach(String host, int port, BusId busId) {
        Objects.requireNonNull(busId, "busId");
        if (!host.matches("\\d{1,3}(\\.\\d{1,3}){3}"))
            throw new IllegalArgumentException("USB/IP server host must be an IPv4 literal, got " + Fields.quote(host));
        return CommandLine.of("usbip", "--tcp-port", port(port), "attach", "-r", host, "-b", busId.value());
    }

    /**
     * {@code usbip port}: list imported devices; parse the output with {@link UsbipPortListing#parse}.
     *
     * @return the command
     */
    public static CommandLine port() {
        return CommandLine.of("usbip", "port");
    }

    /**
     * {@code usbip --tcp-port N detach -p PORT}: drop the import on vhci port {@code vhciPort} (from
     * {@code usbip port}). The tcp port does not matter to {@code detach}; it is passed so that all
     * workspace commands of one forward look alike in logs.
     *
     * @param tunnelPort the workspace end of the forward, 1..65535
     * @param vhciPort the {@code Port NN} number shown by {@code usbip port}, 0..65535
     * @return the command (needs root)
     */
    public static CommandLine detach(int tunnelPort, int vhciPort) {
        if (vhciPort < 0 || vhciPort > 0xffff) {
            throw new IllegalArgumentException("vhci port must be 0..65535 (see `usbip port`), got " + vhciPort);
        }
        return CommandLine.of("usbip", "--tcp-port", port(tunnelPort), "detach", "-p", Integer.toString(vhciPort));
    }

    /**
     * {@code usbip --tcp-port N list -r 127.0.0.1}: ask the PC's usbipd, through the forward, what it
     * exports; a diagnostic for "is the tunnel up?".
     *
     * @param tunnelPort the workspace end of the forward
     * @return the command (no root needed)
     */
    public static CommandLine listRemote(int tunnelPort) {
        return CommandLine.of("usbip", "--tcp-port", port(tunnelPort), "list", "-r", RemoteForward.LOOPBACK);
    }

    /**
     * {@code sudo usbip bind -b BUSID} on a Linux PC: detach the device from its local driver and hand it
     * to {@code usbip-host} so usbipd exports it. Use {@code bindWithoutSudo(busId).sudoNonInteractive()}
     * to try it without a password prompt.
     *
     * @param busId the device's bus id as shown by {@code usbip list -l}
     * @return the command, with {@code sudo}
     */
    public static CommandLine bind(BusId busId) {
        return bindWithoutSudo(busId).sudo();
    }

    /**
     * {@code usbip bind -b BUSID}, for callers that are root already or add their own sudo.
     *
     * @param busId the device's bus id
     * @return the command, without {@code sudo}
     */
    public static CommandLine bindWithoutSudo(BusId busId) {
        Objects.requireNonNull(busId, "busId");
        return CommandLine.of("usbip", "bind", "-b", busId.value());
    }

    /**
     * {@code usbipd bind --busid BUSID} on a Windows PC with usbipd-win (run from an administrator
     * prompt).
     *
     * @param busId the device's bus id as shown by {@code usbipd list}
     * @return the command
     */
    public static CommandLine bindWindows(BusId busId) {
        Objects.requireNonNull(busId, "busId");
        return CommandLine.of("usbipd", "bind", "--busid", busId.value());
    }

    /**
     * The forward for {@link #attach}: workspace {@code 127.0.0.1:tunnelPort} to the PC's usbipd.
     *
     * @param tunnelPort port inside the workspace
     * @param pcUsbipd the usbipd as reachable from the PC, usually {@link UsbipdAddress#DEFAULT}
     * @return the forward
     */
    public static RemoteForward forward(int tunnelPort, UsbipdAddress pcUsbipd) {
        return RemoteForward.loopback(tunnelPort, pcUsbipd);
    }

    private static String port(int tunnelPort) {
        return Integer.toString(Fields.requireTcpPort("tunnel port", tunnelPort, false));
    }
}
