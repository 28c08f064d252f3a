package dev.hangar.provider.qemu;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;

/** Free TCP ports on 127.0.0.1 for QEMU's host forwarding. */
final class LoopbackPorts {
    private LoopbackPorts() {}

    /**
     * @return a port that was free on 127.0.0.1 a moment ago (the kernel's choice for port 0, from
     *     its ephemeral range); QEMU may still lose a race for it, which the caller handles by
     *     retrying with another
     * @throws IOException if no port can be bound
     */
    static int free() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    /**
     * Probes the ports of {@code range} once each, starting at a random one so that concurrent
     * starts rarely pick the same port.
     *
     * @return a port of {@code range} that was free on 127.0.0.1 a moment ago, or empty if every
     *     port of it is taken
     */
    static OptionalInt free(PortRange range) {
        int offset = ThreadLocalRandom.current().nextInt(range.size());
        for (int i = 0; i < range.size(); i++) {
            int port = range.first() + (offset + i) % range.size();
            if (isFree(port)) return OptionalInt.of(port);
        }
        return OptionalInt.empty();
    }

    /**
     * Whether QEMU's host forward could listen on {@code port} of 127.0.0.1 right now. The probe
     * binds as QEMU's user networking (slirp) does, with {@code SO_REUSEADDR}: a port whose only
     * sockets are connections in {@code TIME_WAIT} (a workspace stopped and started again within a
     * minute: its last ssh connections) counts as free, as QEMU can bind it; a port with a listener
     * or another bound socket does not. Without this, every quick stop/start moved the workspace's
     * ssh port and broke the user's {@code known_hosts} and {@code config-ssh} entries.
     *
     * @return true if {@code port} can be bound for listening on 127.0.0.1 right now
     */
    static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
