package dev.hangar.gateway;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.Service;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.session.AbstractServerSession;
import org.apache.sshd.server.session.ServerConnectionService;
import org.apache.sshd.server.session.ServerConnectionServiceFactory;

/**
 * MINA's connection service, except that a refused channel's SSH_MSG_CHANNEL_OPEN_FAILURE carries
 * the gateway's explanation (RFC 4254 5.1 "description"), which OpenSSH prints as {@code open
 * failed: administratively prohibited: <description>}. MINA 2.20 keeps the reason code of an {@code
 * SshChannelOpenException} but replaces its message with "Generic error while opening channel", so
 * a refusing channel leaves its message here, keyed by the client's channel number, via {@link
 * #explain}.
 */
final class ExplainingConnectionService extends ServerConnectionService {
    private static final AttributeKey<Map<Long, String>> EXPLANATIONS = new AttributeKey<>();

    private ExplainingConnectionService(AbstractServerSession session) throws IOException {
        super(session);
    }

    /** Leaves {@code message} for the open-failure reply to {@code channel}'s open request. */
    static void explain(Channel channel, String message) {
        channel.getSession()
                .computeAttributeIfAbsent(EXPLANATIONS, k -> new ConcurrentHashMap<>())
                .put(channel.getRecipient(), message);
    }

    @Override
    protected IoWriteFuture sendChannelOpenFailure(
            Buffer buffer, long sender, int reasonCode, String message, String lang) throws IOException {
        Map<Long, String> explanations = getSession().getAttribute(EXPLANATIONS);
        String why = explanations == null ? null : explanations.remove(sender);
        return super.sendChannelOpenFailure(buffer, sender, reasonCode, why == null ? message : why, lang);
    }

    /** Creates {@link ExplainingConnectionService}s in place of MINA's default. */
    static final class Factory extends ServerConnectionServiceFactory {
        @Override
        public Service create(Session session) throws IOException {
            ExplainingConnectionService service = new ExplainingConnectionService((AbstractServerSession) session);
            service.addPortForwardingEventListenerManager(this);
            return service;
        }
    }
}
