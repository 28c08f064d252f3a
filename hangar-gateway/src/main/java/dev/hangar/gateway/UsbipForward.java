package dev.hangar.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.apache.sshd.common.session.ConnectionService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted USB/IP forward (ADR 0019): while it stands, the gateway listens on the workspace
 * VM's unix socket and carries each guest connection as a {@link GuestUsbipChannel} on the SSH
 * session that asked for the forward. Made by {@link UsbipForwardHandler}.
 *
 * <p>A connection to the socket brings a guest connection in one of two ways, told apart by its
 * first message: the guest forward's command passes slirp's TCP socket itself ({@code SCM_RIGHTS},
 * then exits; the gateway reads and writes that socket, with {@code TCP_NODELAY} set, and no relay
 * process stays between), or, on the socat path, the connection is the guest's stream. Only a peer
 * with the server's own effective uid is served ({@code SO_PEERCRED}; the file's mode says the same),
 * and a passed descriptor must be a TCP stream socket.
 *
 * <p>The socket file appears at its path with mode 0600 only (bound under a sibling name of the
 * same length, {@code ~sbip.sock} for {@code usbip.sock}, then renamed; in the VM's 0700
 * directory); a stale file (a killed server's) is replaced. {@link #close()} stops listening and
 * deletes the file, so a guest connection afterwards fails at once; channels already open end with
 * the session. One audit record is produced when the forward ends, with the bytes of all its
 * channels. Thread-safe.
 */
final class UsbipForward implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UsbipForward.class);

    private final ConnectionService service;
    private final int listener;
    private final Path socket;
    private final String host;
    private final int port;
    private final ConnectionRecord opened;
    private final AuditContext context;
    /** Bytes of all its channels, open and closed, each way: the channels add to them as they relay. */
    private final LongAdder toGuest = new LongAdder();

    private final LongAdder fromGuest = new LongAdder();
    private final AtomicBoolean closed = new AtomicBoolean();

    private UsbipForward(
            ConnectionService service,
            int listener,
            Path socket,
            String host,
            int port,
            ConnectionRecord opened,
            AuditContext context) {
        this.service = service;
        this.listener = listener;
        this.socket = socket;
        this.host = host;
        this.port = port;
        this.opened = opened;
        this.context = context;
    }

    /**
     * Binds {@code socket} and starts accepting guest connections.
     *
     * @param opened the audit record of the accepted request (reported here as opened)
     * @throws UncheckedIOException when the socket cannot be bound (the message names it)
     */
    static UsbipForward start(
            ConnectionService service,
            Path socket,
            String host,
            int port,
            ConnectionRecord opened,
            AuditContext context) {
        // Bound under a name of its own, given its mode, then renamed over the path: the socket
        // never shows at its path with the mode bind(2) gave it (the umask's), and a stale file
        // (a killed server's; only this VM's slirp connects here) is replaced in the same step.
        // Starts for one workspace are serialised by UsbipForwardHandler, so the name is free. It is
        // as long as the socket's own ("usbip.sock" -> "~sbip.sock"), so a path that fits sun_path
        // (108 bytes, which the qemu provider checks for the socket's path) fits here too.
        String name = socket.getFileName().toString();
        Path bound = socket.resolveSibling((name.startsWith("~") ? "." : "~") + name.substring(1));
        int listener;
        try {
            Files.deleteIfExists(bound);
            listener = UnixSockets.listen(bound);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + socket + ": " + e.getMessage(), e);
        }
        try {
            Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
            Files.move(bound, socket, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            UnixSockets.close(listener);
            try {
                Files.deleteIfExists(bound);
            } catch (IOException ignored) {
                // the message below names the first failure
            }
            throw new UncheckedIOException("cannot listen on " + socket + ": " + e.getMessage(), e);
        }
        UsbipForward f = new UsbipForward(service, listener, socket, host, port, opened, context);
        context.opened(opened);
        // Platform threads: a blocking native call would pin a virtual thread's carrier.
        Thread.ofPlatform().daemon().name("hangar-usbip-accept-" + host).start(f::accept);
        return f;
    }

    private void accept() {
        try {
            while (!closed.get()) {
                int connection;
                try {
                    connection = UnixSockets.accept(listener);
                } catch (IOException e) {
                    if (closed.get()) return;
                    LOG.warn("USB/IP forward {}: accept on {} failed: {}", host, socket, e.toString());
                    close();
                    return;
                }
                Thread.ofPlatform()
                        .daemon()
                        .name("hangar-usbip-handshake-" + host)
                        .start(() -> serve(connection));
            }
        } finally {
            UnixSockets.close(listener);
        }
    }

    /** Takes a guest connection from a connection to the socket and opens its channel. */
    private void serve(int connection) {
        GuestSocket guest;
        byte[] first;
        switch (GuestHandoff.take(connection, UnixSockets.effectiveUid())) {
            case GuestHandoff.Result.Refused r -> {
                LOG.warn("USB/IP forward {}: {}", host, r.reason());
                return;
            }
            case GuestHandoff.Result.Taken t -> {
                guest = t.guest();
                first = t.first();
            }
        }
        if (closed.get()) {
            guest.close();
            guest.release();
            return;
        }
        GuestUsbipChannel channel = new GuestUsbipChannel(guest, first, host, port, toGuest, fromGuest);
        try {
            service.registerChannel(channel);
            channel.open().addListener(f -> {
                if (!f.isOpened()) channel.close(true);
            });
        } catch (IOException | RuntimeException e) {
            LOG.debug("USB/IP forward {}: cannot open a channel: {}", host, e.toString());
            channel.close(true);
        }
    }

    /** @return the socket the forward listens on */
    Path socket() {
        return socket;
    }

    /** Stops listening, deletes the socket file and reports the forward's end. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        // Wakes the accept thread (accept fails on a shut-down listener); it closes the descriptor.
        UnixSockets.shutdown(listener, UnixSockets.SHUT_RDWR);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("USB/IP forward {}: cleaning up {}: {}", host, socket, e.toString());
        }
        // The record's "up" is towards the workspace, as for an ssh session from the user's PC: here
        // PC -> guest (a USB disk read is mostly up), its "down" guest -> PC
        long toWorkspace = toGuest.sum();
        long fromWorkspace = fromGuest.sum();
        Instant end = context.clock().instant();
        context.connection(new ConnectionRecord(
                opened.user(),
                opened.source(),
                opened.target(),
                opened.workspaceId(),
                new Outcome.Relayed(),
                opened.startedAt(),
                Duration.between(opened.startedAt(), end),
                toWorkspace,
                fromWorkspace));
    }
}
