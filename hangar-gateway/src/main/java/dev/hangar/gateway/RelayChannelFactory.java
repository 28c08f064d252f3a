package dev.hangar.gateway;

import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.session.Session;

/** Creates a {@link RelayChannel} for each {@code direct-tcpip} channel open request. */
final class RelayChannelFactory implements ChannelFactory {
    private final AccessPolicy policy;
    private final AuditContext context;

    RelayChannelFactory(AccessPolicy policy, AuditContext context) {
        this.policy = policy;
        this.context = context;
    }

    @Override
    public String getName() {
        return "direct-tcpip";
    }

    @Override
    public Channel createChannel(Session session) {
        return new RelayChannel(policy, context);
    }
}
