package dev.hangar.provider.ssh;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.security.GeneralSecurityException;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntry;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.session.helpers.MissingAttachedSessionException;

/**
 * The readiness probe's SSH client: Apache MINA SSHD's default client whose sessions are {@link
 * ProbeSession}s, and which treats a TCP connection that the peer closed before MINA could start
 * the SSH session on it as a failed connect (the {@link ConnectFuture} fails with a {@link
 * SocketException}), logged at debug instead of MINA's warning "failed to signal completion of
 * session". A proxy in front of a workspace whose sshd is not up yet (QEMU's hostfwd, Docker's
 * userland proxy) does exactly that, often within a millisecond of the accept; the probe reports it
 * as {@link SshProbe.Outcome#UNREACHABLE}. The same failure on a connection that is still open is
 * MINA's as before (warning included). Logs under this class's own name.
 *
 * <p>Thread-safe, as MINA's client.
 */
final class ProbeClient extends SshClient {

    /** @return a started-up-ready default client (MINA's {@code setUpDefaultClient}) of this class */
    static SshClient create() {
        SshClient client = ClientBuilder.builder().factory(ProbeClient::new).build();
        client.setSessionFactory(ProbeSession.factory(client));
        return client;
    }

    @Override
    protected void onConnectOperationComplete(
            IoSession ioSession,
            ConnectFuture connectFuture,
            String username,
            SocketAddress address,
            KeyIdentityProvider identities,
            HostConfigEntry hostConfig)
            throws IOException, GeneralSecurityException {
        try {
            super.onConnectOperationComplete(ioSession, connectFuture, username, address, identities, hostConfig);
        } catch (MissingAttachedSessionException e) {
            if (ioSession.isOpen()) throw e; // not a dropped connection: MINA's handling and warning
            if (log.isDebugEnabled())
                log.debug("probe connection to {} closed before its SSH session started", address);
            connectFuture.setException(
                    new SocketException("connection closed by the peer before the SSH session started"));
        }
    }
}
