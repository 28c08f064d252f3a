package dev.hangar.gateway;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.sshd.client.channel.AbstractClientChannel;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.channel.ChannelAsyncOutputStream;
import org.apache.sshd.common.channel.LocalWindow;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One guest USB/IP connection carried to the user's PC: a {@code forwarded-tcpip} channel (RFC 4254
 * 7.2) that the gateway opens on the session holding the workspace's USB/IP forward, relayed to the
 * guest's connection (ADR 0019): slirp's own socket, passed to the gateway by the guest forward's
 * command, or on the socat path the unix connection from socat. OpenSSH on the PC connects it to usbipd.
 *
 * <p>Latency matters more than throughput (each 4 KiB read is three request/response round
 * trips), so nothing queues while the guest keeps up: PC to guest, {@link #doWriteData} writes each
 * SSH data packet straight into the guest socket on MINA's I/O thread without blocking and releases
 * the window for what the socket took. What it did not take (the guest reads slowly or not at all)
 * goes to a backlog that a writer thread of the channel's own drains with blocking writes, releasing
 * the window as it goes; later packets queue behind it, so the order holds, and the backlog never
 * holds more than the channel's window. A guest that stops reading thus stops only its own channel:
 * MINA's I/O thread, which reads every channel of the session (all of a PC's USB/IP connections) and
 * is one of a few shared by all sessions, never waits for a guest. Guest to PC, one platform thread
 * reads the socket and hands each read to a {@link ChannelAsyncOutputStream}, reading on at once and
 * waiting for a write's completion only before the next write (at most one write in flight). That
 * thread runs the completions of its own writes ({@link GatewayTransport#runCompletionsHere}), so a
 * write that the socket took at once wakes no other thread. EOF is forwarded each way (to the guest
 * after the backlog); the channel closes when both directions ended and the backlog is written, or
 * when either failed, and closing it closes the socket: at once, or, when the PC had sent its EOF,
 * once the backlog is written (the writer then waits as long as the guest does not read, at most
 * until the guest's socket closes).
 */
final class GuestUsbipChannel extends AbstractClientChannel {
    private static final Logger LOG = LoggerFactory.getLogger(GuestUsbipChannel.class);
    private static final int READ_BUFFER = 64 * 1024;

    private final GuestSocket guest;
    private final byte[] first;
    private final AtomicBoolean readerClaimed = new AtomicBoolean();
    /** The reader thread and the channel's close: the descriptor is released when both let go. */
    private final AtomicInteger holders = new AtomicInteger(2);

    private final String boundHost;
    private final int boundPort;
    private final LongAdder toGuest;
    private final LongAdder fromGuest;
    private volatile ChannelAsyncOutputStream toPc;
    private volatile boolean guestEnded;

    private final Object backlogLock = new Object();
    /** Data from the PC the guest's socket has not taken yet, oldest first. Guarded by backlogLock. */
    private final ArrayDeque<byte[]> backlog = new ArrayDeque<>();
    /** A writer thread is draining the backlog. Guarded by backlogLock. */
    private boolean draining;
    /** The PC sent EOF; the guest gets it once the backlog is drained. Guarded by backlogLock. */
    private boolean pcEnded;
    /**
     * The channel closed after the PC's EOF while the backlog was still being written: the writer
     * closes the socket once the guest has it all. Guarded by backlogLock.
     */
    private boolean closeWhenDrained;

    /**
     * @param guest the guest's connection, owned by the channel from now on
     * @param first bytes already read from it, sent to the PC before anything else (may be empty)
     * @param boundHost the address the client's forward request named, e.g. {@code dev.usbip}
     * @param boundPort its port ({@value AccessPolicy#USBIP_PORT})
     * @param toGuest the forward's count of bytes carried from the PC to the guest, added to here
     * @param fromGuest the forward's count of bytes carried from the guest to the PC, added to here
     */
    GuestUsbipChannel(
            GuestSocket guest, byte[] first, String boundHost, int boundPort, LongAdder toGuest, LongAdder fromGuest) {
        super("forwarded-tcpip");
        this.guest = guest;
        this.first = first.clone();
        this.boundHost = boundHost;
        this.boundPort = boundPort;
        this.toGuest = toGuest;
        this.fromGuest = fromGuest;
        addCloseFutureListener(f -> closeGuest());
    }

    /** Sends {@code SSH_MSG_CHANNEL_OPEN} with the forward's address, as RFC 4254 7.2 has it. */
    @Override
    public synchronized OpenFuture open() throws IOException {
        if (isClosing()) throw new SshException("the session is closing");
        openFuture = new DefaultOpenFuture(boundHost, futureLock);
        Session session = getSession();
        LocalWindow window = getLocalWindow();
        Buffer b = session.createBuffer(SshConstants.SSH_MSG_CHANNEL_OPEN, 64 + boundHost.length());
        b.putString(getChannelType());
        b.putUInt(getChannelId());
        b.putUInt(window.getSize());
        b.putUInt(window.getPacketSize());
        b.putString(boundHost);
        b.putUInt(boundPort);
        // Originator: the guest is behind the VM's user network and has no address the PC knows.
        b.putString("127.0.0.1");
        b.putUInt(0);
        writePacket(b);
        return openFuture;
    }

    @Override
    protected void doOpen() {
        toPc = new ChannelAsyncOutputStream(this, SshConstants.SSH_MSG_CHANNEL_DATA);
        // A platform thread, not a virtual one: a virtual thread's blocking read parks it and
        // registers the socket with the JDK's poller, so every message from the guest woke the
        // poller first and then a carrier thread for the virtual thread (bench/usb/README.md).
        if (!readerClaimed.compareAndSet(false, true)) return; // closed before it opened
        Thread.ofPlatform()
                .daemon()
                .name("hangar-usbip-guest-" + getChannelId())
                .start(() -> GatewayTransport.runCompletionsHere(this::pumpFromGuest));
    }

    private void pumpFromGuest() {
        IoWriteFuture previous = null;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(READ_BUFFER);
            if (first.length > 0) {
                previous = toPc.writeBuffer(new ByteArrayBuffer(first));
                fromGuest.add(first.length);
            }
            while (true) {
                int n = guest.read(buf);
                if (n < 0) break;
                byte[] copy = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                // The next read does not wait for the last write's completion (signalled later
                // when the socket did not take it at once); only the next write does, since the
                // stream takes one at a time.
                // So at most one write and one read buffer are held here.
                if (previous != null) previous.verify(Long.MAX_VALUE);
                previous = toPc.writeBuffer(new ByteArrayBuffer(copy));
                fromGuest.add(n);
            }
            if (previous != null) previous.verify(Long.MAX_VALUE);
            guestEnded = true;
            if (!isClosing()) sendEof();
            closeIfBothEnded();
        } catch (IOException | RuntimeException e) {
            if (!isClosing()) {
                LOG.debug("usbip channel {}: guest side stopped: {}", getChannelId(), e.toString());
                close(true);
            }
        } finally {
            letGo();
        }
    }

    /** Never blocks: what the guest's socket does not take now waits in the backlog (class comment). */
    @Override
    protected void doWriteData(byte[] data, int off, long len) throws IOException {
        int n = Math.toIntExact(len);
        int written = 0;
        synchronized (backlogLock) {
            if (draining) {
                backlog.add(Arrays.copyOfRange(data, off, off + n));
            } else {
                written = guest.writeNow(data, off, n);
                if (written < n) {
                    backlog.add(Arrays.copyOfRange(data, off + written, off + n));
                    draining = true;
                    // A platform thread: a virtual one would pin its carrier in the blocking native
                    // send for as long as the guest does not read.
                    Thread.ofPlatform()
                            .daemon()
                            .name("hangar-usbip-guest-writer-" + getChannelId())
                            .start(this::drainBacklog);
                }
            }
        }
        if (written > 0) wrote(written);
    }

    /**
     * Writes the backlog to the guest, blocking, until it is empty; then sends a waiting EOF, and
     * closes the socket if the channel closed meanwhile ({@link #closeGuest}).
     */
    private void drainBacklog() {
        try {
            while (true) {
                byte[] next;
                boolean eof;
                synchronized (backlogLock) {
                    next = backlog.poll();
                    eof = pcEnded;
                    if (next == null) draining = false;
                }
                if (next == null) {
                    if (eof) guest.shutdownOutput();
                    break;
                }
                guest.write(next, 0, next.length);
                wrote(next.length);
            }
        } catch (IOException | RuntimeException e) {
            synchronized (backlogLock) {
                draining = false;
                backlog.clear();
            }
            if (!isClosing()) {
                LOG.debug("usbip channel {}: writing to the guest failed: {}", getChannelId(), e.toString());
                close(true);
            }
        }
        boolean closeNow;
        synchronized (backlogLock) {
            closeNow = closeWhenDrained;
            closeWhenDrained = false;
        }
        if (closeNow) {
            guest.close();
            letGo();
        } else closeIfBothEnded();
    }

    /** Counts {@code n} bytes the guest's socket took and gives the PC that much window back. */
    private void wrote(int n) throws IOException {
        toGuest.add(n);
        // Once the channel is closing, the PC sends nothing more; the backlog is only finished.
        if (!isClosing()) getLocalWindow().release(n);
    }

    /** Closes the channel once the guest and the PC both sent EOF and the guest got all data. */
    private void closeIfBothEnded() {
        boolean done;
        synchronized (backlogLock) {
            done = guestEnded && pcEnded && !draining;
        }
        if (done) close(false);
    }

    @Override
    protected void doWriteExtendedData(byte[] data, int off, long len) throws IOException {
        throw new IOException("forwarded-tcpip channels carry no extended data (RFC 4254 7.2)");
    }

    @Override
    public void handleWindowAdjust(Buffer buffer) throws IOException {
        super.handleWindowAdjust(buffer);
        ChannelAsyncOutputStream out = toPc;
        if (out != null) out.onWindowExpanded();
    }

    @Override
    public void handleEof() throws IOException {
        super.handleEof();
        boolean now;
        synchronized (backlogLock) {
            pcEnded = true;
            now = !draining; // else the writer sends it after the backlog
        }
        if (now) guest.shutdownOutput();
        closeIfBothEnded();
    }

    @Override
    protected org.apache.sshd.common.Closeable getInnerCloseable() {
        var inner = builder();
        ChannelAsyncOutputStream out = toPc;
        if (out != null) inner.close(out);
        return inner.close(super.getInnerCloseable()).build();
    }

    private void closeGuest() {
        // After the PC's EOF, what it sent is the guest's (the PC's usbipd may send a reply and
        // close at once): a backlog still being written is finished first, and the writer closes.
        boolean afterBacklog;
        synchronized (backlogLock) {
            afterBacklog = draining && pcEnded;
            closeWhenDrained = afterBacklog;
        }
        if (afterBacklog) {
            guest.shutdownInput(); // wakes the reader, which lets go
        } else {
            guest.close(); // wakes the reader, which lets go
        }
        if (readerClaimed.compareAndSet(false, true)) letGo(); // never opened: no reader
        if (!afterBacklog) letGo();
    }

    private void letGo() {
        if (holders.decrementAndGet() == 0) guest.release();
    }
}
