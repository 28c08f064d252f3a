package dev.hangar.gateway;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Public-key authentication against the users' registered keys (RFC 4252 section 7): a key is
 * accepted when the directory says it belongs to the user name the client asked for. Also records
 * each connection that closes unauthenticated as a {@link LoginRejection}. Thread-safe.
 */
final class KeyAuthenticator implements PublickeyAuthenticator, SessionListener {
    private static final Logger LOG = LoggerFactory.getLogger(KeyAuthenticator.class);
    /** Fingerprints offered on a session, in order; also marks that a key attempt was made. */
    private static final AttributeKey<Set<String>> OFFERED = new AttributeKey<>();
    /** The user name of the first key attempt. */
    private static final AttributeKey<String> FIRST_USER = new AttributeKey<>();
    /** Set once key exchange completed: only then is an unauthenticated close a rejected login. */
    private static final AttributeKey<Boolean> KEX_DONE = new AttributeKey<>();

    private final GatewayDirectory directory;
    private final AuditContext context;

    KeyAuthenticator(GatewayDirectory directory, AuditContext context) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.context = Objects.requireNonNull(context, "context");
    }

    @Override
    public boolean authenticate(String username, PublicKey key, ServerSession session) {
        String fingerprint = KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
        Set<String> offered = session.computeAttributeIfAbsent(OFFERED, k -> new LinkedHashSet<>());
        synchronized (offered) {
            offered.add(fingerprint);
        }
        session.computeAttributeIfAbsent(FIRST_USER, k -> username);
        Optional<String> owner;
        try {
            owner = directory.userForKey(key);
        } catch (RuntimeException e) {
            LOG.error("gateway directory failed looking up key {}", fingerprint, e);
            return false;
        }
        boolean ok = owner.isPresent() && owner.get().equals(username);
        if (!ok && LOG.isDebugEnabled()) {
            LOG.debug(
                    "key {} from {} not accepted for user '{}': {}",
                    fingerprint,
                    AuditContext.format(session.getIoSession().getRemoteAddress()),
                    AccessPolicy.printable(username),
                    owner.isPresent() ? "registered to another user" : "not registered");
        }
        return ok;
    }

    @Override
    public void sessionEvent(Session session, Event event) {
        if (event == Event.KexCompleted) session.setAttribute(KEX_DONE, Boolean.TRUE);
    }

    @Override
    public void sessionClosed(Session session) {
        if (session.isAuthenticated() || session.getAttribute(KEX_DONE) == null) return;
        Set<String> offered = session.getAttribute(OFFERED);
        ArrayList<String> keys = new ArrayList<>();
        if (offered != null) {
            synchronized (offered) {
                keys.addAll(offered);
            }
        }
        String user = session.getAttribute(FIRST_USER);
        context.loginRejected(new LoginRejection(
                user == null ? "" : AccessPolicy.printable(user),
                AuditContext.format(session.getIoSession().getRemoteAddress()),
                keys,
                context.clock().instant()));
    }
}
