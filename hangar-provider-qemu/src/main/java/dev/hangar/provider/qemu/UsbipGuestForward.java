package dev.hangar.provider.qemu;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The guest end of USB/IP for local VMs (ADR 0019): a user-mode network {@code guestfwd} for
 * {@value #GUEST_ADDRESS}:{@value #GUEST_PORT} whose command slirp spawns per guest connection, on
 * a TCP socket of slirp's.
 *
 * <p>Preferred, with {@code python3} on the host: the command ({@link #PASS_SOCKET}) connects to
 * {@code <vm dir>/usbip.sock}, hands slirp's socket to the gateway there ({@code SCM_RIGHTS}) and
 * exits, so the gateway reads and writes slirp's socket itself and no relay process sits on the
 * path (socat cost two process hops each way per USB/IP message: bench/usb/README.md). Without
 * python3 it falls back to a {@code socat
 * STDIO,setsockopt-int=6:1:1 UNIX-CONNECT:<vm dir>/usbip.sock} relay (TCP_NODELAY on its end of
 * slirp's socket pair, see {@link #NODELAY}), which copies whole reads each way and exits when either
 * side closes. Either way, when nobody listens on the socket the command exits at once and the
 * guest sees its connection closed.
 *
 * <p>{@code restrict=on} does not affect explicit forwards. The socket path is absolute because
 * {@code -daemonize} makes QEMU change to {@code /}; slirp splits the command like a shell ({@code
 * g_shell_parse_argv}, no shell runs) and socat splits addresses at {@code :} and {@code ,}, so a
 * path holding such characters gets no forward ({@link #option} says why).
 */
final class UsbipGuestForward {
    /** The guest-side address of the forward, inside slirp's 10.0.2.0/24 and unused by slirp itself. */
    static final String GUEST_ADDRESS = "10.0.2.100";

    /** The guest-side port: usbipd's registered port, so {@code usbip attach} needs no unusual flag. */
    static final int GUEST_PORT = 3240;

    /**
     * socat's generic socket option for its STDIO end: {@code setsockopt(fd, SOL_TCP (6), TCP_NODELAY
     * (1), 1)}. libslirp hands the spawned command a TCP loopback socket pair, not a pipe
     * ({@code slirp_socketpair_with_oob}, for TCP urgent data), with Nagle on: a reply from the PC
     * that reaches socat in two reads (USB/IP header, then the 4 KiB of data) was written as two
     * segments and the second waited for slirp's delayed ACK, 40 ms. Measured: p99 of a 4 KiB read
     * 55-64 ms without it (bench/usb). Written {@code ,,} because QEMU's option parser reads a
     * single comma as the end of {@code guestfwd}'s value.
     */
    private static final String NODELAY = "setsockopt-int=6:1:1";

    /**
     * The fd-passing command's program for {@code python3 -I -S -c}: stderr to /dev/null first (it is
     * slirp's socket too: a traceback must not reach the guest), connect to the socket named by the
     * argument, send one byte with descriptor 0 (slirp's socket) attached, exit. Commas doubled for
     * QEMU's option parser; slirp's {@code g_shell_parse_argv} takes the single quotes around it.
     */
    static final String PASS_SOCKET = "import os,socket,sys;os.dup2(os.open(\"/dev/null\",os.O_WRONLY),2);"
            + "u=socket.socket(socket.AF_UNIX);u.connect(sys.argv[1]);socket.send_fds(u,[b\"F\"],[0])";

    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_./+@=-]+");

    private UsbipGuestForward() {}

    /** The result of {@link #option}: the netdev option to add, or why there is none. */
    sealed interface Choice {
        /**
         * @param netdevOption to append to {@code -netdev user,...}, starting with a comma
         * @param path which command carries a guest connection, for the launch's log and event
         */
        record Forward(String netdevOption, String path) implements Choice {}

        /** @param reason why this launch has no USB/IP guestfwd (for the vm-started event) */
        record None(String reason) implements Choice {}
    }

    /**
     * @param python3 the {@code python3} executable, empty when the host has none
     * @param socat the {@code socat} executable, empty when the host has none
     * @param socket the VM's {@link WorkspaceDir#usbipSocket()}
     * @return the {@code guestfwd} option (python3's descriptor passing when there is python3,
     *     else socat's relay), or why none: neither installed, or a path socat or QEMU would split
     */
    static Choice option(Optional<Path> python3, Optional<Path> socat, Path socket) {
        if (python3.isPresent() && unsplit(python3.get()) && unsplit(socket) && fitsSunPath(socket))
            return new Choice.Forward(
                    ",guestfwd=tcp:" + GUEST_ADDRESS + ":" + GUEST_PORT + "-cmd:" + python3.get() + " -I -S -c '"
                            + PASS_SOCKET.replace(",", ",,") + "' " + socket,
                    "python3 passes slirp's socket to the gateway (" + python3.get() + ")");
        return socatOption(socat, socket);
    }

    /** An absolute path that neither QEMU's option parser nor slirp's argument split would cut. */
    private static boolean unsplit(Path p) {
        return p.isAbsolute() && SAFE_PATH.matcher(p.toString()).matches();
    }

    /**
     * Only the socket has a length limit ({@code sun_path}, the gateway binds it); an executable's
     * path is an ordinary {@code execvp} argument of any length.
     */
    private static boolean fitsSunPath(Path socket) {
        return socket.toString().length() <= WorkspaceDir.MAX_SOCKET_PATH;
    }

    private static Choice socatOption(Optional<Path> socat, Path socket) {
        if (socat.isEmpty())
            return new Choice.None("neither python3 nor socat is installed on the server's host (apt-get install"
                    + " python3 or socat); USB/IP attach uses ssh -R into the guest");
        for (Path p : new Path[] {socat.get(), socket}) {
            if (!unsplit(p))
                return new Choice.None("path " + p + " is not absolute or holds characters socat or QEMU would"
                        + " split; USB/IP attach uses ssh -R into the guest");
        }
        if (!fitsSunPath(socket))
            return new Choice.None("unix socket path " + socket + " is longer than " + WorkspaceDir.MAX_SOCKET_PATH
                    + " bytes; USB/IP attach uses ssh -R into the guest");
        return new Choice.Forward(
                ",guestfwd=tcp:" + GUEST_ADDRESS + ":" + GUEST_PORT + "-cmd:" + socat.get() + " STDIO,," + NODELAY
                        + " UNIX-CONNECT:" + socket,
                "socat relays (no python3 on the host)");
    }
}
