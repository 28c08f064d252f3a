package dev.hangar.gateway;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.channel.AbstractServerChannel;

/**
 * A channel type the gateway refuses, with a message that tells the user what the gateway is for.
 * Registered for {@code session} (shell, exec, subsystems such as sftp, and with them agent and X11
 * forwarding, which are requests inside a session) and {@code direct-streamlocal@openssh.com}, so
 * these refusals are audited; MINA itself answers any other type with "unknown channel type".
 */
final class RefusedChannel extends AbstractServerChannel {
    static final String MESSAGE = "this is the Hangar SSH gateway: it runs no shell, command or subsystem and only"
            + " relays to workspaces; connect with 'ssh <workspace>.hangar' after 'hangar config-ssh'"
            + " (ProxyJump through this gateway)";

    private final String type;
    private final AuditContext context;

    private RefusedChannel(String type, AuditContext context) {
        super("", List.of(), null);
        this.type = type;
        this.context = context;
    }

    /** @return a factory that refuses every channel of {@code type} */
    static ChannelFactory factory(String type, AuditContext context) {
        return new ChannelFactory() {
            @Override
            public String getName() {
                return type;
            }

            @Override
            public Channel createChannel(Session session) {
                return new RefusedChannel(type, context);
            }
        };
    }

    @Override
    protected OpenFuture doInit(Buffer buffer) {
        Instant now = context.clock().instant();
        Session session = getSession();
        context.connection(new ConnectionRecord(
                String.valueOf(session.getUsername()),
                AuditContext.format(session.getIoSession().getRemoteAddress()),
                type,
                "",
                new Outcome.Denied(Denial.CHANNEL_TYPE_REFUSED, MESSAGE),
                now,
                Duration.ZERO,
                0,
                0));
        OpenFuture f = new DefaultOpenFuture(this, this);
        SshChannelOpenException e =
                new SshChannelOpenException(getChannelId(), SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, MESSAGE);
        ExplainingConnectionService.explain(this, MESSAGE);
        try {
            signalChannelOpenFailure(e);
            f.setException(e);
        } finally {
            close(true);
        }
        return f;
    }

    @Override
    protected void doWriteData(byte[] data, int off, long len) throws IOException {
        throw new IOException("refused channel " + type + " carries no data");
    }

    @Override
    protected void doWriteExtendedData(byte[] data, int off, long len) throws IOException {
        throw new IOException("refused channel " + type + " carries no data");
    }
}
