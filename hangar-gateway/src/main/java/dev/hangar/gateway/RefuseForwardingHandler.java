package dev.hangar.gateway;

import java.time.Duration;
import java.util.Set;
import org.apache.sshd.common.channel.RequestHandler.Result;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.ConnectionServiceRequestHandler;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * Refuses and audits requests to listen on the gateway itself: {@code tcpip-forward} (RFC 4254
 * 7.1, what {@code ssh -R} sends to the host it is connected to) and OpenSSH's {@code
 * streamlocal-forward@openssh.com}. Remote forwarding to a workspace is unaffected: that request
 * travels inside the end-to-end session and is served by the workspace's sshd.
 */
final class RefuseForwardingHandler implements ConnectionServiceRequestHandler {
    private static final Set<String> REQUESTS = Set.of("tcpip-forward", "streamlocal-forward@openssh.com");

    private final AuditContext context;

    RefuseForwardingHandler(AuditContext context) {
        this.context = context;
    }

    @Override
    public Result process(ConnectionService service, String request, boolean wantReply, Buffer buffer) {
        if (!REQUESTS.contains(request)) return Result.Unsupported;
        String what = request;
        try {
            what += " " + AccessPolicy.printable(buffer.getString());
            if ("tcpip-forward".equals(request)) what += ":" + buffer.getInt();
        } catch (RuntimeException malformed) {
            what += " (malformed)";
        }
        Session session = service.getSession();
        context.connection(new ConnectionRecord(
                String.valueOf(session.getUsername()),
                AuditContext.format(session.getIoSession().getRemoteAddress()),
                what,
                "",
                new Outcome.Denied(
                        Denial.FORWARDING_REFUSED,
                        "the Hangar gateway does not listen for forwarded ports; ssh -R <workspace>.hangar forwards"
                                + " from the workspace"),
                context.clock().instant(),
                Duration.ZERO,
                0,
                0));
        return Result.ReplyFailure;
    }
}
