package dev.hangar.testing.console;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A REAL unix-domain socket server standing in for a guest's serial port behind QEMU's {@code
 * -chardev socket,server=on}: no VM boots in a fast test, so this emulates the two things a user
 * sees on a Debian serial console, a terminal that echoes what is typed and a getty that answers a
 * carriage return with a {@code login:} prompt. Like QEMU's chardev it serves ONE client at a time:
 * the next connection is accepted only after the current one closed.
 *
 * <p>Everything received is recorded ({@link #received()}). {@link #hangUp()} closes the current
 * client, as QEMU does when the VM stops. Thread-safe.
 */
final class SerialConsoleEmulator implements AutoCloseable {
    static final String PROMPT = "dev login: ";

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile SocketChannel current;

    private SerialConsoleEmulator(Path socket, ServerSocketChannel server) {
        this.socket = socket;
        this.server = server;
        this.acceptor = Thread.ofVirtual().name("serial-emulator").start(this::serve);
    }

    /** Listens on {@code socket} (a path shorter than 108 bytes). */
    static SerialConsoleEmulator start(Path socket) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(socket));
        return new SerialConsoleEmulator(socket, s);
    }

    Path socket() {
        return socket;
    }

    /** @return everything clients sent, as text */
    String received() {
        synchronized (received) {
            return received.toString(StandardCharsets.UTF_8);
        }
    }

    /** @return how many clients were accepted so far */
    int connections() {
        return connections.get();
    }

    /**
     * Writes {@code text} (as UTF-8) to the current client, as the guest printing it.
     *
     * @throws IllegalStateException when no client is connected
     */
    void say(String text) throws IOException {
        SocketChannel c = current;
        if (c == null) throw new IllegalStateException("no client is connected");
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        synchronized (this) {
            while (b.hasRemaining()) c.write(b);
        }
    }

    /** Closes the current client's connection (the VM "stopped"). */
    void hangUp() throws IOException {
        SocketChannel c = current;
        if (c != null) c.close();
    }

    private void serve() {
        try {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    current = c;
                    connections.incrementAndGet();
                    ByteBuffer in = ByteBuffer.allocate(1024);
                    while (c.read(in.clear()) >= 0) {
                        in.flip();
                        byte[] bytes = new byte[in.remaining()];
                        in.get(bytes);
                        synchronized (received) {
                            received.write(bytes);
                        }
                        ByteBuffer out = ByteBuffer.wrap(reply(bytes));
                        synchronized (this) {
                            while (out.hasRemaining()) c.write(out);
                        }
                    }
                } catch (IOException e) {
                    // The client went away (or hangUp closed it): accept the next one.
                }
            }
        } finally {
            current = null;
        }
    }

    /** Echo, and a login prompt after each carriage return (what agetty does on ttyS0). */
    private static byte[] reply(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            if (b == '\r') out.append("\r\n").append(PROMPT);
            else out.append((char) (b & 0xff));
        }
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        hangUp();
        acceptor.interrupt();
        Files.deleteIfExists(socket);
    }
}
