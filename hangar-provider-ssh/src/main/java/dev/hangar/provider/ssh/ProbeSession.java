package dev.hangar.provider.ssh;

import java.io.IOException;
import org.apache.sshd.client.ClientFactoryManager;
import org.apache.sshd.client.session.ClientSessionImpl;
import org.apache.sshd.client.session.SessionFactory;
import org.apache.sshd.common.io.IoSession;

/**
 * The readiness probe's client session: Apache MINA SSHD's own, except that an I/O error before the
 * server sent its identification line ({@code SSH-2.0-...}) is logged at debug, not as MINA's
 * {@code exceptionCaught} warning, and closes the session as MINA would.
 *
 * <p>Why: QEMU's user networking (hostfwd) and Docker's userland proxy accept every TCP connection
 * themselves and reset or close it while the workspace's sshd is not listening yet, so a probe every
 * 100 ms during a half-minute boot would log hundreds of warnings that say only "not up yet"; the
 * probe reports that as {@link SshProbe.Outcome#UNREACHABLE}. Nothing else is quieted: everything
 * after the identification line (a key exchange that fails, a wrong or invalid host key, a
 * disconnect) is logged as MINA logs it, and the logger is this class's own (MINA names a session's
 * logger after its class), so no other MINA session of the process (the gateway's) loses a warning.
 * An sshd that drops connections before its identification line because it is overloaded ({@code
 * MaxStartups}) looks the same as one not up yet; the probe's caller retries either.
 *
 * <p>Thread-safety: as MINA's session (its I/O threads call {@link #exceptionCaught}).
 */
final class ProbeSession extends ClientSessionImpl {

    /** @throws Exception what MINA's session constructor throws */
    ProbeSession(ClientFactoryManager client, IoSession ioSession) throws Exception {
        super(client, ioSession);
    }

    /** @return a session factory for {@code client} that creates {@link ProbeSession}s */
    static SessionFactory factory(ClientFactoryManager client) {
        return new SessionFactory(client) {
            @Override
            protected ClientSessionImpl doCreateSession(IoSession ioSession) throws Exception {
                return new ProbeSession(getClient(), ioSession);
            }
        };
    }

    @Override
    public void exceptionCaught(Throwable t) {
        if (getServerVersion() == null && t instanceof IOException) {
            // A proxy in front of a workspace whose sshd is not up yet dropped the connection: the
            // probe's answer is UNREACHABLE, not a warning (class Javadoc).
            if (log.isDebugEnabled())
                log.debug("probe connection {} dropped before an SSH identification: {}", this, t.toString());
            close(true);
            return;
        }
        super.exceptionCaught(t);
    }
}
