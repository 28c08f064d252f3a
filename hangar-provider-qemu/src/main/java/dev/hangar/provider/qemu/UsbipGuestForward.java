package dev.hangar.provider.qemu;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The guest end of USB/IP for local VMs (ADR 0019): a user-mode network {@code guestfwd} that turns
 * every guest connection to {@value #GUEST_ADDRESS}:{@value #GUEST_PORT} into a {@code socat
 * STDIO,setsockopt-int=6:1:1 UNIX-CONNECT:<vm dir>/usbip.sock} spawned by slirp for that connection
 * (TCP_NODELAY on its end of slirp's socket pair, see {@link #NODELAY}). socat copies whole reads
 * each way (no byte-by-byte relay) and exits when either side closes; when nobody listens on the
 * socket it exits at once and the guest sees its connection closed.
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

    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_./+@=-]+");

    private UsbipGuestForward() {}

    /** The result of {@link #option}: the netdev option to add, or why there is none. */
    sealed interface Choice {
        /** @param netdevOption to append to {@code -netdev user,...}, starting with a comma */
        record Forward(String netdevOption) implements Choice {}

        /** @param reason why this launch has no USB/IP guestfwd (for the vm-started event) */
        record None(String reason) implements Choice {}
    }

    /**
     * @param socat the {@code socat} executable, empty when the host has none
     * @param socket the VM's {@link WorkspaceDir#usbipSocket()}
     * @return the {@code guestfwd} option, or why none: socat missing, or a path socat or QEMU
     *     would split
     */
    static Choice option(Optional<Path> socat, Path socket) {
        if (socat.isEmpty())
            return new Choice.None("socat is not installed on the server's host (apt-get install socat);"
                    + " USB/IP attach uses ssh -R into the guest");
        for (Path p : new Path[] {socat.get(), socket}) {
            if (!SAFE_PATH.matcher(p.toString()).matches() || !p.isAbsolute())
                return new Choice.None("path " + p + " is not absolute or holds characters socat or QEMU would"
                        + " split; USB/IP attach uses ssh -R into the guest");
        }
        if (socket.toString().length() > WorkspaceDir.MAX_SOCKET_PATH)
            return new Choice.None("unix socket path " + socket + " is longer than " + WorkspaceDir.MAX_SOCKET_PATH
                    + " bytes; USB/IP attach uses ssh -R into the guest");
        return new Choice.Forward(",guestfwd=tcp:" + GUEST_ADDRESS + ":" + GUEST_PORT + "-cmd:" + socat.get()
                + " STDIO,," + NODELAY + " UNIX-CONNECT:" + socket);
    }

    /** @return the first executable {@code socat} on {@code PATH} */
    static Optional<Path> findSocat() {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, "socat");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }
}
