package dev.hangar.gateway;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What gateway channels share: the audit sink (guarded so a failing sink cannot break a relay), the
 * clock and the connect timeout. Thread-safe.
 */
final class AuditContext {
    private static final Logger LOG = LoggerFactory.getLogger(AuditContext.class);

    private final GatewayAudit audit;
    private final Clock clock;
    private final Duration connectTimeout;
    private final GatewayActivity activity;

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
        try {
            audit.connection(r);
        } catch (RuntimeException e) {
            LOG.error("audit sink failed for gateway connection record ({})", r.summary(), e);
        }
    }

    void opened(ConnectionRecord r) {
        try {
            audit.opened(r);
        } catch (RuntimeException e) {
            LOG.error("audit sink failed for an opened gateway connection ({})", r.summary(), e);
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
