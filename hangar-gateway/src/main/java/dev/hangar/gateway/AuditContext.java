package dev.hangar.gateway;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What gateway channels share: the audit sink (guarded so a failing sink cannot break a relay), the
 * clock and the connect timeout. Thread-safe.
 *
 * <p>Connection records ({@link #connection}, {@link #opened}) go to the sink on one writer thread of
 * their own, in the order they were handed over: the sink writes to the store, and most records are
 * made on MINA's I/O threads (a channel's close, a refused channel), a few of which serve every
 * session. Up to {@value #QUEUE} records wait; beyond that (the store cannot keep up) the caller
 * writes its record itself, which slows that caller instead of growing the queue. {@link #close}
 * writes what waits.
 */
final class AuditContext implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditContext.class);
    /** Connection records that may wait for the writer. */
    static final int QUEUE = 4096;

    private final GatewayAudit audit;
    private final Clock clock;
    private final Duration connectTimeout;
    private final GatewayActivity activity;
    private final ThreadPoolExecutor writer = new ThreadPoolExecutor(
            1,
            1,
            0L,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(QUEUE),
            Thread.ofVirtual().name("hangar-gw-audit").factory(),
            // Queue full, or closed: the caller writes its record itself (the JDK's CallerRunsPolicy
            // would drop it once the writer is shut down).
            (task, executor) -> task.run());

    AuditContext(GatewayAudit audit, Clock clock, Duration connectTimeout) {
        this(audit, clock, connectTimeout, GatewayActivity.NONE);
    }

    AuditContext(GatewayAudit audit, Clock clock, Duration connectTimeout, GatewayActivity activity) {
        this.activity = Objects.requireNonNull(activity, "activity");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
    }

    Clock clock() {
        return clock;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    /** Reports relayed bytes to the activity sink, guarded so a failing sink cannot break a relay. */
    void activity(String workspaceId, long bytes) {
        try {
            activity.bytes(workspaceId, bytes);
        } catch (RuntimeException e) {
            LOG.warn("activity sink failed for workspace {}: {}", workspaceId, e.toString());
        }
    }

    void connection(ConnectionRecord r) {
        if (r.outcome() instanceof Outcome.Relayed) LOG.info("gateway connection: {}", r.summary());
        else LOG.warn("gateway connection: {}", r.summary());
        write(() -> audit.connection(r), "gateway connection record", r);
    }

    void opened(ConnectionRecord r) {
        write(() -> audit.opened(r), "an opened gateway connection", r);
    }

    private void write(Runnable call, String what, ConnectionRecord r) {
        Runnable guarded = () -> {
            try {
                call.run();
            } catch (RuntimeException e) {
                LOG.error("audit sink failed for {} ({})", what, r.summary(), e);
            }
        };
        writer.execute(guarded);
    }

    /** Writes the connection records that wait (at most 10 s); later ones are written by their caller. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(10, TimeUnit.SECONDS))
                LOG.warn(
                        "{} gateway connection records not written within 10 s",
                        writer.getQueue().size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void loginRejected(LoginRejection r) {
        LOG.warn(
                "gateway login rejected: user '{}' from {} offered keys {}",
                AccessPolicy.printable(r.user()),
                r.source(),
                r.offeredKeys());
        try {
            audit.loginRejected(r);
        } catch (RuntimeException e) {
            LOG.error("audit sink failed for a login rejection from {}", r.source(), e);
        }
    }

    /** @return {@code host:port} of an IP socket address, else its {@code toString()} */
    static String format(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            String host = i.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + i.getPort();
        }
        return String.valueOf(a);
    }
}
