package dev.hangar.gateway;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.RequestHandler.Result;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.ConnectionServiceRequestHandler;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts the one remote forward the gateway serves itself (ADR 0019): {@code tcpip-forward} for
 * {@code <ws>[.<owner>].usbip} port {@value AccessPolicy#USBIP_PORT}, what {@code hangar usb
 * attach} sends with {@code ssh -R <ws>.usbip:3240:<usbipd> hangar-gateway}. Accepted only when
 * {@link AccessPolicy#decideUsbip} allows the user the workspace, the directory reports the VM's
 * guest USB/IP socket, and no other session holds that workspace's forward; then a {@link
 * UsbipForward} listens on the socket until the client cancels the forward or its session ends.
 * Every other {@code tcpip-forward} and {@code cancel-tcpip-forward} is left to {@link
 * RefuseForwardingHandler} (returns {@link Result#Unsupported} with the buffer untouched).
 *
 * <p>The decision may query the database, so it runs on a virtual thread and the reply ({@code
 * SSH_MSG_REQUEST_SUCCESS}/{@code FAILURE}, no port: the port was not 0) is written from there.
 * Accepts and refusals are audited as {@link ConnectionRecord}s. Thread-safe.
 */
final class UsbipForwardHandler implements ConnectionServiceRequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(UsbipForwardHandler.class);

    private final AccessPolicy policy;
    private final GatewayDirectory directory;
    private final AuditContext context;
    /** Workspace id to its standing forward: at most one per workspace. */
    private final Map<String, Held> forwards = new ConcurrentHashMap<>();

    private record Held(Session session, String host, UsbipForward forward) {}

    UsbipForwardHandler(AccessPolicy policy, GatewayDirectory directory, AuditContext context) {
        this.policy = policy;
        this.directory = directory;
        this.context = context;
    }

    @Override
    public Result process(ConnectionService service, String request, boolean wantReply, Buffer buffer) {
        boolean forward = "tcpip-forward".equals(request);
        if (!forward && !"cancel-tcpip-forward".equals(request)) return Result.Unsupported;
        int start = buffer.rpos();
        String host;
        int port;
        try {
            host = buffer.getString();
            port = buffer.getInt();
        } catch (RuntimeException malformed) {
            buffer.rpos(start);
            return Result.Unsupported;
        }
        if (!host.toLowerCase(Locale.ROOT).endsWith(AccessPolicy.USBIP_SUFFIX)) {
            buffer.rpos(start);
            return Result.Unsupported;
        }
        Session session = service.getSession();
        if (!forward) {
            forwards.values().removeIf(h -> {
                if (h.session() != session || !h.host().equalsIgnoreCase(host)) return false;
                h.forward().close();
                return true;
            });
            return Result.ReplySuccess;
        }
        Thread.ofVirtual()
                .name("hangar-usbip-forward")
                .start(() -> reply(session, wantReply, decide(service, session, host, port)));
        return Result.Replied;
    }

    /** @return true when the forward now stands */
    private boolean decide(ConnectionService service, Session session, String host, int port) {
        String user = String.valueOf(session.getUsername());
        String source = AuditContext.format(session.getIoSession().getRemoteAddress());
        String target = AccessPolicy.printable(host) + ":" + port;
        Instant now = context.clock().instant();
        AccessPolicy.Decision decision;
        Optional<Path> socket = Optional.empty();
        try {
            decision = policy.decideUsbip(user, host, port);
            if (decision instanceof AccessPolicy.Decision.Allow a)
                socket = directory.usbipGuestSocket(a.target().id());
        } catch (RuntimeException e) {
            LOG.error("gateway directory failed while authorising {} to forward {}", user, target, e);
            context.connection(new ConnectionRecord(
                    user,
                    source,
                    target,
                    "",
                    new Outcome.Unreachable("directory error: " + e),
                    now,
                    Duration.ZERO,
                    0,
                    0));
            return false;
        }
        switch (decision) {
            case AccessPolicy.Decision.Deny d -> {
                refused(user, source, target, d.workspaceId(), d.reason(), d.message(), now);
                return false;
            }
            case AccessPolicy.Decision.Allow a -> {
                String id = a.target().id();
                if (socket.isEmpty()) {
                    refused(
                            user,
                            source,
                            target,
                            id,
                            Denial.USBIP_UNAVAILABLE,
                            "the workspace's guest has no USB/IP guest forward (not a local VM, or launched without"
                                    + " python3 and socat); hangar usb attach --via ssh forwards through the workspace's sshd",
                            now);
                    return false;
                }
                ConnectionRecord opened =
                        new ConnectionRecord(user, source, target, id, new Outcome.Relayed(), now, Duration.ZERO, 0, 0);
                Path path = socket.get();
                Held[] made = new Held[1];
                Held held = forwards.computeIfAbsent(id, k -> {
                    try {
                        made[0] =
                                new Held(session, host, UsbipForward.start(service, path, host, port, opened, context));
                    } catch (RuntimeException e) {
                        LOG.warn("USB/IP forward {} for {}: {}", target, user, e.getMessage());
                        return null;
                    }
                    return made[0];
                });
                if (held == null) {
                    refused(user, source, target, id, Denial.USBIP_UNAVAILABLE, "cannot listen on " + path, now);
                    return false;
                }
                if (made[0] == null) {
                    refused(
                            user,
                            source,
                            target,
                            id,
                            Denial.USBIP_IN_USE,
                            "another session (user " + held.session().getUsername()
                                    + ") holds this workspace's USB/IP forward; one hangar usb attach per workspace",
                            now);
                    return false;
                }
                session.addCloseFutureListener(f -> {
                    if (forwards.remove(id, made[0])) made[0].forward().close();
                });
                if (session.isClosing() && forwards.remove(id, made[0]))
                    made[0].forward().close();
                return true;
            }
        }
    }

    private void refused(
            String user, String source, String target, String id, Denial reason, String message, Instant at) {
        context.connection(new ConnectionRecord(
                user, source, target, id, new Outcome.Denied(reason, message), at, Duration.ZERO, 0, 0));
    }

    private static void reply(Session session, boolean wantReply, boolean ok) {
        if (!wantReply) return;
        try {
            Buffer r = session.createBuffer(
                    ok ? SshConstants.SSH_MSG_REQUEST_SUCCESS : SshConstants.SSH_MSG_REQUEST_FAILURE, 0);
            session.writePacket(r);
        } catch (IOException e) {
            LOG.debug("reply to a USB/IP forward request failed: {}", e.toString());
        }
    }
}
