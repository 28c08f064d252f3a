package dev.hangar.usbip;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A socket input stream with an overall deadline: before every read the socket's read timeout is set
 * to the time left, so a server that trickles bytes cannot hold the client longer than the caller's
 * timeout (a plain {@code SO_TIMEOUT} only bounds each single read).
 */
final class DeadlineInputStream extends FilterInputStream {
    private final Socket socket;
    private final long deadlineNanos;

    DeadlineInputStream(Socket socket, long deadlineNanos) throws IOException {
        super(socket.getInputStream());
        this.socket = socket;
        this.deadlineNanos = deadlineNanos;
    }

    private void arm() throws IOException {
        long leftMillis = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (leftMillis <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        socket.setSoTimeout((int) Math.min(leftMillis, Integer.MAX_VALUE));
    }

    @Override
    public int read() throws IOException {
        arm();
        return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        arm();
        return super.read(b, off, len);
    }

    /**
     * @param socket a connected socket
     * @param deadlineNanos {@link System#nanoTime()} value after which reads fail with {@link
     *     SocketTimeoutException}; {@code readNBytes} loops over {@link #read(byte[], int, int)}, so whole
     *     messages are bounded too
     */
    static InputStream of(Socket socket, long deadlineNanos) throws IOException {
        return new DeadlineInputStream(socket, deadlineNanos);
    }
}
