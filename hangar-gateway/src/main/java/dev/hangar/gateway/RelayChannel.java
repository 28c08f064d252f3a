package dev.hangar.gateway;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.Closeable;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.ChannelAsyncOutputStream;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.io.IoConnectFuture;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.Readable;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.common.util.threads.ThreadUtils;
import org.apache.sshd.server.channel.AbstractServerChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code direct-tcpip} channel (RFC 4254 section 7.2) that the gateway authorises with {@link
 * AccessPolicy} and then relays to the workspace's own sshd endpoint, which comes from the
 * directory and never from the host the client named.
 *
 * <p>MINA's {@code TcpipServerChannel} connects to the address in the request and offers no hook to
 * substitute it or to count bytes, so this channel does its own relay, over a MINA {@link
 * IoSession} to the workspace made by the server's own {@link IoConnector} (same NIO2 channel group,
 * same socket options, {@code TCP_NODELAY} included). No thread of its own moves bytes: each
 * direction is a callback on MINA's I/O threads, with no hand-off between threads on the way.
 *
 * <ul>
 *   <li>client to workspace: {@link #doWriteData} writes a copy to the workspace session; when that
 *       write completes, that much of the local SSH window is released, in steps of a quarter
 *       window. Unwritten bytes therefore never exceed the window MINA advertises (2 MiB by
 *       default).
 *   <li>workspace to client: each read from the workspace is handed to a {@link
 *       ChannelAsyncOutputStream} (packets as the client's window allows) and reading pauses
 *       ({@link IoSession#suspendRead}) until that write completes, so a client that reads nothing
 *       ({@code ssh ^Z}) holds at most one read buffer here.
 * </ul>
 *
 * EOF is forwarded each way (socket half-close / SSH_MSG_CHANNEL_EOF); the channel closes when the
 * workspace's socket closes (after the bytes already read reach the client), or when either side
 * fails (a reset, a failed write), always with SSH_MSG_CHANNEL_CLOSE to the client. Exactly one
 * {@link ConnectionRecord} is produced, when the channel closes.
 */
final class RelayChannel extends AbstractServerChannel {
    private static final Logger LOG = LoggerFactory.getLogger(RelayChannel.class);

    private final AccessPolicy policy;
    private final AuditContext context;
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong bytesDown = new AtomicLong();
    private final AtomicBoolean recorded = new AtomicBoolean();
    /** Bytes written to the workspace whose share of the local window is not yet released. */
    private final AtomicLong unreleased = new AtomicLong();
    /** Bytes moved (both directions) not yet reported to {@link GatewayActivity}. */
    private final AtomicLong unreported = new AtomicLong();
    /** When this channel last reported activity; null before its first report. */
    private final AtomicReference<Instant> reportedAt = new AtomicReference<>();

    private volatile IoConnector connector;
    private volatile IoSession upstream;
    private volatile ChannelAsyncOutputStream toClient;
    /** The write to the client in progress or last done; reading waits for it (null before the first). */
    private volatile IoWriteFuture lastToClient;

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
        // The directory may query a database and the connect waits: keep both off MINA's I/O threads.
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
        IoSession s;
        try {
            IoConnector c =
                    getSession().getFactoryManager().getIoServiceFactory().createConnector(new FromWorkspace());
            connector = c;
            IoConnectFuture f = c.connect(new InetSocketAddress(ws.sshHost(), ws.sshPort()), null, null);
            Duration timeout = context.connectTimeout();
            if (!f.await(timeout.toMillis())) {
                f.cancel();
                throw new IOException("connect timed out after " + timeout.toMillis() + " ms");
            }
            if (!f.isConnected()) {
                // MINA wraps the socket's error (ExecutionException, IOException): report the socket's own
                Throwable why = f.getException();
                while (why != null && why.getCause() != null) why = why.getCause();
                throw why instanceof IOException io ? io : new IOException(String.valueOf(why), why);
            }
            s = f.getSession();
        } catch (IOException | RuntimeException e) {
            IoConnector c = connector;
            if (c != null) c.close(true);
            refuse(
                    opened,
                    new Outcome.Unreachable(e.toString()),
                    SshConstants.SSH_OPEN_CONNECT_FAILED,
                    "the workspace's sshd is not reachable (" + e.getMessage() + "); check 'hangar list'");
            return;
        }
        upstream = s;
        toClient = new ChannelAsyncOutputStream(this, SshConstants.SSH_MSG_CHANNEL_DATA);
        if (isClosing()) { // the client went away while we connected
            s.close(true);
            return;
        }
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
        s.resumeRead(); // read from the workspace only now: its first bytes follow the confirmation
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

    /**
     * The workspace side: reads arrive on a MINA I/O thread; each is copied (MINA reuses its read
     * buffer) and written to the client, with reading paused until that write completes.
     */
    private final class FromWorkspace implements IoHandler {
        @Override
        public void sessionCreated(IoSession session) {
            session.suspendRead(); // until the channel is open (see connect)
        }

        @Override
        public void messageReceived(IoSession session, Readable message) throws Exception {
            if (isClosing()) return;
            int n = message.available();
            ByteArrayBuffer copy = new ByteArrayBuffer(n, false);
            copy.putBuffer(message);
            session.suspendRead();
            // runAsInternal: MINA's writes from its own I/O threads must not be taken for a blocking caller
            IoWriteFuture written = ThreadUtils.runAsInternal(() -> toClient.writeBuffer(copy));
            lastToClient = written;
            written.addListener(f -> {
                if (f.isWritten()) {
                    bytesDown.addAndGet(n);
                    moved(n);
                    session.resumeRead();
                } else {
                    failed("writing to the client", f.getException());
                }
            });
        }

        @Override
        public void sessionClosed(IoSession session) {
            // The workspace closed its socket: what it sent before reaches the client, then EOF.
            IoWriteFuture pending = lastToClient;
            if (pending == null || pending.isDone()) endFromWorkspace();
            else pending.addListener(f -> endFromWorkspace());
        }

        @Override
        public void exceptionCaught(IoSession session, Throwable cause) {
            failed("relaying from the workspace", cause);
        }
    }

    private void endFromWorkspace() {
        if (isClosing()) return;
        try {
            sendEof();
        } catch (IOException e) {
            LOG.debug("relay {}: EOF to the client failed: {}", getChannelId(), e.toString());
        }
        close(false);
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

    private void failed(String what, Throwable e) {
        if (!isClosing()) {
            LOG.debug("relay {} for {} to {} stopped {}: {}", getChannelId(), user, target, what, String.valueOf(e));
            // Graceful, so the client gets SSH_MSG_CHANNEL_CLOSE (RFC 4254 5.3): MINA's immediate close
            // drops the channel without a word, and a client whose stdin has ended (ProxyJump's
            // `ssh -W`, which ignores SIGHUP under nohup) then waits for that message for ever.
            close(false);
        }
    }

    @Override
    protected void doWriteData(byte[] data, int off, long len) throws IOException {
        // Copy: MINA reuses the buffer. The socket write usually completes at once, on this thread.
        int n = Math.toIntExact(len);
        IoWriteFuture written = upstream.writeBuffer(new ByteArrayBuffer(Arrays.copyOfRange(data, off, off + n)));
        written.addListener(f -> {
            if (f.isWritten()) writtenToWorkspace(n);
            else failed("writing to the workspace", f.getException());
        });
    }

    /**
     * Releases the local window for bytes the workspace's socket took. MINA's LocalWindow sends
     * SSH_MSG_CHANNEL_WINDOW_ADJUST as soon as 16 KiB are released, i.e. after every 32 KiB packet
     * of an upload: one more encrypted packet to the client per packet relayed. Releasing in steps
     * of a quarter window sends a sixteenth of them; the client never waits for it, since three
     * quarters of the window stay open (OpenSSH's sshd adjusts at half).
     */
    private void writtenToWorkspace(int n) {
        bytesUp.addAndGet(n);
        moved(n);
        long batch = Math.max(1, getLocalWindow().getMaxSize() / 4);
        if (unreleased.addAndGet(n) < batch) return;
        long release = unreleased.getAndSet(0);
        if (release <= 0) return;
        try {
            getLocalWindow().release(release);
        } catch (IOException e) {
            failed("releasing the window", e);
        }
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
        // Either side closing the channel means the other side no longer wants the bytes.
        var inner = builder();
        ChannelAsyncOutputStream out = toClient;
        if (out != null) inner.close(out);
        IoSession up = upstream;
        if (up != null) inner.close(up);
        IoConnector c = connector;
        if (c != null) inner.close(c);
        return inner.close(super.getInnerCloseable()).build();
    }

    @Override
    public void handleEof() throws IOException {
        super.handleEof();
        IoSession up = upstream;
        if (up == null) return;
        try {
            up.shutdownOutputStream(); // after the writes already queued
        } catch (IOException e) {
            // The workspace's socket is gone (reset): end this channel. Thrown on, it would close
            // the user's whole SSH session, every other channel on it included.
            failed("half-closing to the workspace", e);
        }
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
}
