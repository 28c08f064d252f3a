package dev.hangar.testing.console;

import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceProviderFactory;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.spi.WorkspaceTerminal;
import dev.hangar.testing.FakeProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The {@link FakeProvider} with a terminal and no serial console, as the kubernetes provider's Pods:
 * type {@value #TYPE}. Each {@link WorkspaceTerminal#open} makes a {@link Tty}, an in-memory stand-in
 * for a shell's TTY in echo mode: what is written to its input comes back on its output, and every
 * size it is given (the first and each resize) is recorded. The test reads {@link #ttys}.
 */
final class TerminalFakeProvider implements WorkspaceProvider {
    static final String TYPE = "fake-terminal";

    /** Every TTY opened through the provider of {@link #factory}, in order. Thread-safe. */
    final List<Tty> ttys;

    private final FakeProvider lifecycle;

    private TerminalFakeProvider(Path dataDir, List<Tty> ttys) {
        this.lifecycle = new FakeProvider(dataDir);
        this.ttys = ttys;
    }

    /** A factory for the server builder; the TTYs its provider opens are added to {@code ttys}. */
    static WorkspaceProviderFactory factory(List<Tty> ttys) {
        return new WorkspaceProviderFactory() {
            @Override
            public String type() {
                return TYPE;
            }

            @Override
            public WorkspaceProvider create(ProviderContext context) {
                return new TerminalFakeProvider(context.dataDir(), ttys);
            }
        };
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Observation observe(WorkspaceSpec spec) {
        return lifecycle.observe(spec);
    }

    @Override
    public Observation apply(WorkspaceSpec spec, PowerState desired, ProviderListener listener) {
        return lifecycle.apply(spec, desired, listener);
    }

    @Override
    public Observation delete(WorkspaceSpec spec, ProviderListener listener) {
        return lifecycle.delete(spec, listener);
    }

    @Override
    public Optional<WorkspaceTerminal> terminal() {
        return Optional.of((spec, size) -> {
            Tty tty = new Tty(spec.name(), size);
            ttys.add(tty);
            return tty;
        });
    }

    /** One shell's TTY in echo mode; records its sizes, its input and whether it was closed. */
    static final class Tty implements WorkspaceTerminal.Session {
        final String workspace;
        final List<WorkspaceTerminal.Size> sizes = new CopyOnWriteArrayList<>();
        private final StringBuffer typed = new StringBuffer();
        /** What the TTY writes, in chunks; an empty chunk is the end. */
        private final BlockingQueue<byte[]> echoed = new LinkedBlockingQueue<>();

        private volatile boolean closed;
        private final InputStream out = new InputStream() {
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
                if (ended) return -1;
                if (at == chunk.length) {
                    try {
                        chunk = echoed.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException();
                    }
                    at = 0;
                    if (chunk.length == 0) {
                        ended = true;
                        return -1;
                    }
                }
                int n = Math.min(len, chunk.length - at);
                System.arraycopy(chunk, at, b, off, n);
                at += n;
                return n;
            }
        };

        Tty(String workspace, WorkspaceTerminal.Size first) {
            this.workspace = workspace;
            sizes.add(first);
        }

        /** @return everything written to the input so far, as ISO-8859-1 text */
        String typed() {
            return typed.toString();
        }

        boolean closed() {
            return closed;
        }

        @Override
        public InputStream output() {
            return out;
        }

        @Override
        public OutputStream input() {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    typed.append(new String(b, off, len, java.nio.charset.StandardCharsets.ISO_8859_1));
                    if (len > 0) echoed.add(java.util.Arrays.copyOfRange(b, off, off + len));
                }
            };
        }

        @Override
        public void resize(WorkspaceTerminal.Size size) {
            sizes.add(size);
        }

        @Override
        public void close() {
            closed = true;
            echoed.add(new byte[0]);
        }
    }
}
