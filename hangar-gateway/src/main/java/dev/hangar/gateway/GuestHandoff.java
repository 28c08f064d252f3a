package dev.hangar.gateway;

import java.io.IOException;

/**
 * Turns a connection accepted on a VM's USB/IP socket into the guest connection it brings (ADR 0019,
 * its amendment), or refuses it: the first message either passes slirp's TCP socket ({@code
 * SCM_RIGHTS}) or, on the socat path, is the guest's stream itself.
 *
 * <p>The checks: the peer's uid ({@code SO_PEERCRED}, the kernel's record of who connected, not the
 * peer's word) must be {@code allowedUid} (the server's own effective uid in production: the
 * socket file's 0600 mode says the same), and a passed descriptor must be a TCP stream socket, as
 * slirp's socket pair is; a pipe, a unix or a UDP socket is refused. Every descriptor involved is
 * closed here unless the returned {@link Result.Taken#guest()} owns it. Stateless, thread-safe.
 */
final class GuestHandoff {
    private GuestHandoff() {}

    /** What became of a connection. */
    sealed interface Result {
        /**
         * @param guest the guest's connection, owned by the caller now
         * @param first bytes already read from it (the socat path), to send before anything else
         */
        record Taken(GuestSocket guest, byte[] first) implements Result {}

        /** @param reason why it was refused or failed, for the log (names the peer's pid and uid) */
        record Refused(String reason) implements Result {}
    }

    /**
     * @param connection a connection accepted on the VM's socket, owned by this call from now on
     * @param allowedUid the only uid whose connections are served
     * @return the guest connection, or why there is none (the connection is closed then)
     */
    static Result take(int connection, int allowedUid) {
        int passed = -1;
        GuestSocket guest = null;
        try {
            UnixSockets.Peer peer = UnixSockets.peer(connection);
            if (peer.uid() != allowedUid)
                return new Result.Refused("refused a connection from pid " + peer.pid() + " uid " + peer.uid()
                        + " (only uid " + allowedUid + " is served)");
            switch (UnixSockets.receive(connection)) {
                case UnixSockets.Received.Passed p -> {
                    passed = p.fd();
                    if (!isTcpStream(passed))
                        return new Result.Refused(
                                "pid " + peer.pid() + " passed a descriptor that is not a TCP stream socket");
                    // slirp's socket pair has Nagle on: a reply in two writes would wait for its delayed ACK.
                    UnixSockets.noDelay(passed);
                    guest = new GuestSocket(passed);
                    return new Result.Taken(guest, new byte[0]);
                }
                case UnixSockets.Received.Stream s -> {
                    guest = new GuestSocket(connection);
                    return new Result.Taken(guest, s.first());
                }
            }
        } catch (IOException | RuntimeException e) {
            return new Result.Refused("a guest connection failed before its channel: " + e.getMessage());
        } finally {
            if (guest == null && passed >= 0) UnixSockets.close(passed);
            if (guest == null || passed >= 0) UnixSockets.close(connection);
        }
    }

    private static boolean isTcpStream(int fd) {
        try {
            return UnixSockets.isTcpStream(fd);
        } catch (IOException notASocket) { // a pipe or a file: getsockopt fails with ENOTSOCK
            return false;
        }
    }
}
