package dev.hangar.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.Closeable;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.ChannelAsyncOutputStream;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.server.channel.AbstractServerChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code direct-tcpip} channel (RFC 4254 section 7.2) that the gateway authorises with {@link
 * AccessPolicy} and then relays to the workspace's own sshd endpoint, which comes from the
 * directory and never from the host the client named.
 *
 * <p>MINA's {@code TcpipServerChannel} connects to the address in the request and offers no hook to
 * substitute it or to count bytes, so this channel does its own relay on two virtual threads:
 *
 * <ul>
 *   <li>client to workspace: {@link #doWriteData} (MINA I/O thread) queues a copy; the writer
 *       thread writes it to the socket and only then releases that much of the local SSH window,
 *       in steps of a quarter window or when the queue is empty. The queue therefore never holds
 *       more than the window MINA advertises (2 MiB by default).
 *   <li>workspace to client: the reader thread reads up to 256 KiB from the socket and hands it
 *       to a {@link ChannelAsyncOutputStream}, which sends it as packets while the client's window
 *       allows; the thread waits for that before reading more.
 * </ul>
 *
 * EOF is forwarded each way (socket half-close / SSH_MSG_CHANNEL_EOF); the channel closes when both
 * directions are done, or at once when either side fails. Exactly one {@link ConnectionRecord} is
 * produced, when the channel closes.
 */
final class RelayChannel extends AbstractServerChannel {
    private static final Logger LOG = LoggerFactory.getLogger(RelayChannel.class);
    private static final byte[] EOF = new byte[0];
    private static final byte[] CLOSED = new byte[0];
    /** Bytes read from the workspace per write: several SSH packets, so they are pipelined. */
    private static final int READ_CHUNK = 256 * 1024;
    /** How often a relay waiting for a slow client checks that the channel is still open. */
    private static final Duration WRITE_CHECK = Duration.ofSeconds(5);

    private final AccessPolicy policy;
    private final AuditContext context;
    private final BlockingQueue<byte[]> toWorkspace = new LinkedBlockingQueue<>();
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong bytesDown = new AtomicLong();
    private final AtomicInteger directionsDone = new AtomicInteger();
    private final AtomicBoolean recorded = new AtomicBoolean();
    /** Bytes moved (both directions) not yet reported to {@link GatewayActivity}. */
    private final AtomicLong unreported = new AtomicLong();
    /** When this channel last reported activity; null before its first report. */
    private final java.util.concurrent.atomic.AtomicReference<Instant> reportedAt =
            new java.util.concurrent.atomic.AtomicReference<>();

    private volatile Socket socket;
    private volatile ChannelAsyncOutputStream toClient;
    private volatile Outcome outcome = new Outcome.Relayed();
    private volatile String workspaceId = "";
    private volatile String user = "";
    private volatile String source = "";
    private volatile String target = "";
    private volatile Instant startedAt = Instant.EPOCH;

    RelayChannel(AccessPolicy policy, AuditContext context) {
        super("", List.of(), null);
        this.policy = policy;
        this.context = context;
    }

    @Override
    protected OpenFuture doInit(Buffer buffer) {
        // RFC 4254 7.2: host to connect, port to connect, originator IP address, originator port
        String host = buffer.getString();
        int port = buffer.getInt();
        startedAt = context.clock().instant();
        Session session = getSession();
        user = String.valueOf(session.getUsername());
        source = AuditContext.format(session.getIoSession().getRemoteAddress());
        target = AccessPolicy.printable(host) + ":" + port;
        addCloseFutureListener(f -> record());
        OpenFuture opened = new DefaultOpenFuture(this, this);
        // The directory may query a database and the connect blocks: keep both off MINA's I/O threads.
        Thread.ofVirtual().name("hangar-gw-open-" + getChannelId()).start(() -> open(opened, host, port));
        return opened;
    }

    private void open(OpenFuture opened, String host, int port) {
        AccessPolicy.Decision decision;
        try {
            decision = policy.decide(user, host, port);
        } catch (RuntimeException e) {
            LOG.error("gateway directory failed while authorising {} to {}", user, target, e);
            refuse(
                    opened,
                    new Outcome.Unreachable("directory error: " + e),
                    SshConstants.SSH_OPEN_CONNECT_FAILED,
                    "the Hangar gateway could not look the workspace up; try again or ask an admin");
            return;
        }
        switch (decision) {
            case AccessPolicy.Decision.Deny d -> {
                workspaceId = d.workspaceId();
                refuse(
                        opened,
                        new Outcome.Denied(d.reason(), d.message()),
                        SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
                        d.message());
            }
            case AccessPolicy.Decision.Allow a -> connect(opened, a.target());
        }
    }

    private void connect(OpenFuture opened, WorkspaceTarget.Reachable ws) {
        workspaceId = ws.id();
        Socket s = new Socket();
        try {
            s.connect(
                    new InetSocketAddress(ws.sshHost(), ws.sshPort()),
                    Math.toIntExact(context.connectTimeout().toMillis()));
            s.setTcpNoDelay(true);
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
            refuse(
                    opened,
                    new Outcome.Unreachable(e.toString()),
                    SshConstants.SSH_OPEN_CONNECT_FAILED,
                    "the workspace's sshd is not reachable (" + e.getMessage() + "); check 'hangar list'");
            return;
        }
        socket = s;
        toClient = new ChannelAsyncOutputStream(this, SshConstants.SSH_MSG_CHANNEL_DATA);
        if (isClosing()) { // the client went away while we connected
            closeQuietly(s);
            return;
        }
        Thread.ofVirtual().name("hangar-gw-up-" + getChannelId()).start(this::pumpToWorkspace);
        try {
            signalChannelOpenSuccess();
            opened.setOpened(); // MINA sends SSH_MSG_CHANNEL_OPEN_CONFIRMATION from this call
        } catch (RuntimeException e) {
            signalChannelOpenFailure(e);
            opened.setException(e);
            close(true);
            return;
        }
        context.opened(
                new ConnectionRecord(user, source, target, workspaceId, outcome, startedAt, Duration.ZERO, 0, 0));
        Thread.ofVirtual().name("hangar-gw-down-" + getChannelId()).start(this::pumpFromWorkspace);
    }

    private void refuse(OpenFuture opened, Outcome why, int reasonCode, String message) {
        outcome = why;
        SshChannelOpenException e = new SshChannelOpenException(getChannelId(), reasonCode, message);
        ExplainingConnectionService.explain(this, message);
        try {
            signalChannelOpenFailure(e);
            opened.setException(e); // MINA sends SSH_MSG_CHANNEL_OPEN_FAILURE with this message
        } finally {
            close(true);
        }
    }

    private void pumpToWorkspace() {
        // MINA's LocalWindow sends SSH_MSG_CHANNEL_WINDOW_ADJUST as soon as 16 KiB are released,
        // i.e. after every 32 KiB packet of an upload: one more encrypted packet to the client per
        // packet relayed. Releasing in steps of a quarter window (and everything whenever the queue
        // runs dry, so the client never waits for bytes already written) sends a sixteenth of them.
        long batch = Math.max(1, getLocalWindow().getMaxSize() / 4);
        long unreleased = 0;
        try {
            OutputStream out = socket.getOutputStream();
            while (true) {
                byte[] chunk = toWorkspace.poll();
                if (chunk == null) {
                    if (unreleased > 0) getLocalWindow().release(unreleased);
                    unreleased = 0;
                    chunk = toWorkspace.take();
                }
                if (chunk == CLOSED) return;
                if (chunk == EOF) {
                    socket.shutdownOutput();
                    directionDone();
                    return;
                }
                out.write(chunk);
                bytesUp.addAndGet(chunk.length);
                moved(chunk.length);
                unreleased += chunk.length;
                if (unreleased >= batch) {
                    getLocalWindow().release(unreleased);
                    unreleased = 0;
                }
            }
        } catch (IOException e) {
            failed("writing to the workspace", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pumpFromWorkspace() {
        byte[] buf = new byte[READ_CHUNK];
        try {
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                // MINA splits the chunk into packets as the client's window allows and writes them
                // back to back; waiting for the whole chunk keeps one write outstanding (as MINA
                // requires) and the buffer reusable. A client that reads nothing (ssh ^Z) makes
                // this wait as long as it likes, without more than one chunk buffered.
                IoWriteFuture written = toClient.writeBuffer(new ByteArrayBuffer(buf, 0, n));
                // (MINA fails pending writes when the channel closes; the check is a second guard)
                while (!written.await(WRITE_CHECK.toMillis())) {
                    if (isClosing()) throw new IOException("channel closed");
                }
                if (!written.isWritten()) {
                    Throwable why = written.getException();
                    throw why instanceof IOException io ? io : new IOException("write to the client failed", why);
                }
                bytesDown.addAndGet(n);
                moved(n);
            }
            sendEof();
            directionDone();
        } catch (IOException e) {
            failed("relaying from the workspace", e);
        }
    }

    /** Counts relayed bytes and reports them at most once per {@link GatewayActivity#REPORT_INTERVAL}. */
    private void moved(long n) {
        unreported.addAndGet(n);
        Instant now = context.clock().instant();
        Instant last = reportedAt.get();
        if (last != null && now.isBefore(last.plus(GatewayActivity.REPORT_INTERVAL))) return;
        if (!reportedAt.compareAndSet(last, now)) return; // the other direction reports
        long bytes = unreported.getAndSet(0);
        if (bytes > 0) context.activity(workspaceId, bytes);
    }

    private void directionDone() {
        if (directionsDone.incrementAndGet() == 2) close(false);
    }

    private void failed(String what, IOException e) {
        if (!isClosing()) {
            LOG.debug("relay {} for {} to {} stopped {}: {}", getChannelId(), user, target, what, e.toString());
            close(true);
        }
    }

    @Override
    protected void doWriteData(byte[] data, int off, long len) throws IOException {
        // Copy: MINA reuses the buffer. Bounded by the local window, released after the socket write.
        toWorkspace.add(Arrays.copyOfRange(data, off, off + Math.toIntExact(len)));
    }

    @Override
    protected void doWriteExtendedData(byte[] data, int off, long len) throws IOException {
        throw new IOException("direct-tcpip channels carry no extended data (RFC 4254 7.2)");
    }

    @Override
    public void handleWindowAdjust(Buffer buffer) throws IOException {
        super.handleWindowAdjust(buffer);
        ChannelAsyncOutputStream out = toClient;
        if (out != null) out.onWindowExpanded();
    }

    @Override
    protected Closeable getInnerCloseable() {
        ChannelAsyncOutputStream out = toClient;
        return out == null
                ? super.getInnerCloseable()
                : builder().close(out).close(super.getInnerCloseable()).build();
    }

    @Override
    public void handleEof() throws IOException {
        super.handleEof();
        toWorkspace.add(EOF);
    }

    @Override
    protected void preClose() {
        // Closing the socket ends the reader; the marker ends the writer. Either side closing the
        // channel means the other side no longer wants the bytes.
        Socket s = socket;
        if (s != null) closeQuietly(s);
        toWorkspace.add(CLOSED);
        super.preClose();
    }

    private void record() {
        if (!recorded.compareAndSet(false, true)) return;
        context.connection(new ConnectionRecord(
                user,
                source,
                target,
                workspaceId,
                outcome,
                startedAt,
                Duration.between(startedAt, context.clock().instant()),
                bytesUp.get(),
                bytesDown.get()));
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            LOG.trace("closing relay socket", e);
        }
    }
}
