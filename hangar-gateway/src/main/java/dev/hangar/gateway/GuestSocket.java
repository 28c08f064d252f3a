package dev.hangar.gateway;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A guest USB/IP connection as a raw socket descriptor (ADR 0019): the TCP socket slirp spawned the
 * guest forward's command with, passed to the gateway, or, on the socat path, the unix connection
 * itself. One reader thread ({@link #read}), any number of writers ({@link #write}, {@link
 * #writeNow}).
 *
 * <p>{@link #close} shuts the socket down, which wakes a blocked read (it returns end of stream)
 * and a blocked write; the descriptor itself is closed by {@link #release}, which the owner calls
 * once the reader has stopped and nothing will write any more; it waits for a running write (a
 * read-write lock: writes and shutdowns share it, the final {@code close(2)} takes it alone), so a
 * descriptor number is never used after the kernel may have given it to someone else.
 */
final class GuestSocket {
    private final int fd;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean released;

    /** @param fd the connected socket, owned by this object from now on */
    GuestSocket(int fd) {
        this.fd = fd;
    }

    /**
     * Blocks until data arrives; call from one thread only.
     *
     * @param buf a native buffer of the reader's
     * @return bytes read into {@code buf}, -1 at end of stream or once closed
     */
    int read(MemorySegment buf) throws IOException {
        int n = UnixSockets.recv(fd, buf);
        return n == 0 ? -1 : n;
    }

    /** Writes all of {@code data[off, off+len)}; an {@link IOException} once the guest is gone or this is closed. */
    void write(byte[] data, int off, int len) throws IOException {
        send(data, off, len, true);
    }

    /**
     * Writes as much of {@code data[off, off+len)} as the socket takes now, without blocking.
     *
     * @return bytes written, 0 to {@code len}
     * @throws IOException once the guest is gone or this is closed
     */
    int writeNow(byte[] data, int off, int len) throws IOException {
        return send(data, off, len, false);
    }

    private int send(byte[] data, int off, int len, boolean all) throws IOException {
        lock.readLock().lock();
        try (Arena a = Arena.ofConfined()) {
            if (released) throw new IOException("guest socket closed");
            MemorySegment buf = a.allocate(len);
            MemorySegment.copy(data, off, buf, ValueLayout.JAVA_BYTE, 0, len);
            if (!all) return Math.toIntExact(UnixSockets.sendNow(fd, buf));
            UnixSockets.sendAll(fd, buf);
            return len;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Sends end of stream to the guest (its reads return EOF); reads go on. */
    void shutdownOutput() {
        shutdown(UnixSockets.SHUT_WR);
    }

    /** Stops reading from the guest: a blocked {@link #read} returns -1; writes go on. */
    void shutdownInput() {
        shutdown(UnixSockets.SHUT_RD);
    }

    /** Shuts both directions down: a blocked {@link #read} returns -1. Idempotent. */
    void close() {
        shutdown(UnixSockets.SHUT_RDWR);
    }

    /** Closes the descriptor; for the owner once the reader stopped and no more writes come. Idempotent. */
    void release() {
        lock.writeLock().lock();
        try {
            if (released) return;
            released = true;
            UnixSockets.close(fd);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void shutdown(int how) {
        lock.readLock().lock();
        try {
            if (!released) UnixSockets.shutdown(fd, how);
        } finally {
            lock.readLock().unlock();
        }
    }
}
