package dev.hangar.provider.spi;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the control plane reaches a workspace's interactive serial console: a unix-domain stream
 * socket (unix(7)) on the control plane's host that carries the raw bytes of the guest's first
 * serial port in both directions, with no framing and no terminal emulation.
 *
 * <p>The socket exists only while the workspace's compute runs. The other end may accept a single
 * connection at a time (QEMU's {@code -chardev socket,server=on} does: a second connection is
 * left in the listen backlog and sees no bytes until the first one closes), so the control plane
 * must serialise access itself.
 *
 * @param socket absolute path of the unix socket; at most 107 bytes ({@code sun_path})
 */
public record ConsoleEndpoint(Path socket) {
    public ConsoleEndpoint {
        Objects.requireNonNull(socket, "socket");
        if (!socket.isAbsolute()) throw new IllegalArgumentException("socket must be an absolute path, got " + socket);
    }
}
