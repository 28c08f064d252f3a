package dev.hangar.provider.kubernetes;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * An unbounded in-memory pipe from the exec listener's thread (which writes each stdout message to
 * {@link #sink()}) to the console relay's thread (which reads {@link #source()}), without {@link
 * java.io.PipedInputStream}'s tie to the writing thread's life (fabric8 writes from pooled threads
 * that come and go). {@link #end} makes the reader see the end of the stream once it has read what
 * came before; idempotent. One reader and one writer at a time; thread-safe between them.
 */
final class ChunkPipe {
    /** Marks the end; compared by identity. */
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();

    private final OutputStream sink = new OutputStream() {
        @Override
        public void write(int b) {
            chunks.add(new byte[] {(byte) b});
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (len > 0) chunks.add(Arrays.copyOfRange(b, off, off + len));
        }
    };

    private final InputStream source = new InputStream() {
        private byte[] chunk = new byte[0];
        private int at;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            while (at == chunk.length) {
                if (ended) return -1;
                try {
                    chunk = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading the terminal");
                }
                at = 0;
                if (chunk == END) {
                    ended = true;
                    chunks.add(END); // later reads see the end too
                    chunk = new byte[0];
                }
            }
            int n = Math.min(len, chunk.length - at);
            System.arraycopy(chunk, at, b, off, n);
            at += n;
            return n;
        }
    };

    /** @return where the exec writes the shell's output */
    OutputStream sink() {
        return sink;
    }

    /** @return what the reader reads: the output in order, then the end after {@link #end} */
    InputStream source() {
        return source;
    }

    /** Ends the stream after what was written so far. */
    void end() {
        chunks.add(END);
    }
}
