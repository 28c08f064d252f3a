package dev.hangar.server;

import dev.hangar.core.service.ConsoleService;
import dev.hangar.provider.spi.WorkspaceTerminal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The byte stream behind one attached console client: a VM's serial console (a unix socket, no
 * size) or a shell from the provider's {@link WorkspaceTerminal} (a TTY with a size). The console
 * routes relay it without looking at the bytes. {@link #read} is called by one thread and {@link
 * #write} by another; {@link #close} is idempotent and may be called from any thread.
 */
sealed interface ConsoleLink extends AutoCloseable permits ConsoleLink.Serial, ConsoleLink.Shell {
    /**
     * Connects to {@code access}.
     *
     * @param size the client's terminal size; used by a shell, ignored by a serial console
     * @throws IOException when the serial console socket cannot be connected (the VM is not running)
     * @throws dev.hangar.provider.spi.ProviderException when the shell cannot start
     */
    static ConsoleLink open(ConsoleService.Access access, WorkspaceTerminal.Size size) throws IOException {
        return switch (access) {
            case ConsoleService.Serial s -> {
                SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    channel.connect(UnixDomainSocketAddress.of(s.endpoint().socket()));
                } catch (IOException e) {
                    channel.close();
                    throw e;
                }
                yield new Serial(channel);
            }
            case ConsoleService.Shell s -> new Shell(s.terminal().open(s.spec(), size), new AtomicBoolean(true));
        };
    }

    /**
     * Reads what the workspace wrote into {@code buf}, blocking until there is some.
     *
     * @return the count, or -1 at the end (the VM stopped, the shell exited)
     */
    int read(ByteBuffer buf) throws IOException;

    /** Writes all of {@code data} to the workspace. */
    void write(ByteBuffer data) throws IOException;

    /** Tells a shell's TTY its new size; a serial console has none, so it ignores this. Never throws. */
    void resize(WorkspaceTerminal.Size size);

    /** @return whether {@link #close} has not been called yet */
    boolean isOpen();

    /** @return what the close reason calls the end of the stream */
    String endedReason();

    /** Closes the stream; idempotent; never throws. */
    @Override
    void close();

    /** A serial console's unix socket. */
    record Serial(SocketChannel channel) implements ConsoleLink {
        @Override
        public int read(ByteBuffer buf) throws IOException {
            return channel.read(buf);
        }

        @Override
        public void write(ByteBuffer data) throws IOException {
            while (data.hasRemaining()) channel.write(data);
        }

        @Override
        public void resize(WorkspaceTerminal.Size size) {
            // A serial line has no size (run stty in the guest).
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public String endedReason() {
            return "console closed: the VM stopped or restarted";
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                LoggerFactory.getLogger(ConsoleLink.class).debug("closing console socket: {}", e.toString());
            }
        }
    }

    /** A shell's session. */
    record Shell(WorkspaceTerminal.Session session, AtomicBoolean open) implements ConsoleLink {
        private static final Logger LOG = LoggerFactory.getLogger(ConsoleLink.class);

        @Override
        public int read(ByteBuffer buf) throws IOException {
            InputStream out = session.output();
            int n = out.read(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
            if (n > 0) buf.position(buf.position() + n);
            return n;
        }

        @Override
        public void write(ByteBuffer data) throws IOException {
            OutputStream in = session.input();
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            in.write(bytes);
            in.flush();
        }

        @Override
        public void resize(WorkspaceTerminal.Size size) {
            try {
                session.resize(size);
            } catch (RuntimeException e) {
                LOG.debug("terminal resize dropped: {}", e.toString());
            }
        }

        @Override
        public boolean isOpen() {
            return open.get();
        }

        @Override
        public String endedReason() {
            return "terminal closed: the shell exited";
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) session.close();
        }
    }
}
