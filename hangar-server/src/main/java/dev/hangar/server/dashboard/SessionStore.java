package dev.hangar.server.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's sign-in sessions, in memory. A session id is 32 random bytes ({@link
 * SecureRandom}, base64url), handed to the browser once in its cookie; the map is keyed by the
 * id's SHA-256, so the ids themselves are never kept. Each session carries its CSRF synchronizer
 * token (32 more random bytes) and expires {@link #IDLE} after its last use or {@link #ABSOLUTE}
 * after sign-in, whichever comes first.
 *
 * <p>Why in memory rather than in the store: a session is short-lived, belongs to one server
 * process, and needs no migration; a server restart signs everyone out, which is the safe
 * direction. A multi-replica deployment would need sticky sessions or a store-backed variant.
 *
 * <p>Thread-safe. Expired sessions are dropped when looked up and by {@link #sweep()}, which
 * {@link #create} runs every so often, so the map stays bounded by the sessions of the last
 * {@link #ABSOLUTE}.
 */
public final class SessionStore {
    /** A session unused this long is over. */
    public static final Duration IDLE = Duration.ofHours(8);
    /** A session is over this long after sign-in, however busy. */
    public static final Duration ABSOLUTE = Duration.ofHours(24);

    /**
     * One signed-in browser.
     *
     * @param user the signed-in user's name (looked up again on every request, so disabling a user
     *     ends their sessions at once)
     * @param csrf the synchronizer token every state-changing form must carry
     * @param createdAt sign-in time
     * @param lastUsed last request
     */
    public record Session(String user, String csrf, Instant createdAt, Instant lastUsed) {}

    /** What {@link #create} hands out: the cookie value (shown once) and the session. */
    public record Created(String id, Session session) {}

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private int createdSinceSweep;

    /** @param clock the server's clock (tests move it to expire sessions) */
    public SessionStore(Clock clock) {
        this.clock = clock;
    }

    /** Starts a session for {@code user}. */
    public Created create(String user) {
        Instant now = clock.instant();
        String id = randomToken();
        Session s = new Session(user, randomToken(), now, now);
        sessions.put(hash(id), s);
        synchronized (this) {
            if (++createdSinceSweep >= 64) {
                createdSinceSweep = 0;
                sweep();
            }
        }
        return new Created(id, s);
    }

    /**
     * @param id the cookie value
     * @return the live session, its last use moved to now; empty when unknown or expired (an
     *     expired one is removed)
     */
    public Optional<Session> find(String id) {
        if (id == null || id.isEmpty()) return Optional.empty();
        String key = hash(id);
        Session s = sessions.get(key);
        if (s == null) return Optional.empty();
        Instant now = clock.instant();
        if (expired(s, now)) {
            sessions.remove(key);
            return Optional.empty();
        }
        Session touched = new Session(s.user(), s.csrf(), s.createdAt(), now);
        sessions.replace(key, s, touched);
        return Optional.of(touched);
    }

    /** Ends a session; idempotent. */
    public void remove(String id) {
        if (id != null && !id.isEmpty()) sessions.remove(hash(id));
    }

    /** Drops every expired session. */
    public void sweep() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> expired(s, now));
    }

    /** @return how many sessions are held (expired ones included until swept) */
    public int size() {
        return sessions.size();
    }

    private static boolean expired(Session s, Instant now) {
        return !now.isBefore(s.lastUsed().plus(IDLE))
                || !now.isBefore(s.createdAt().plus(ABSOLUTE));
    }

    private String randomToken() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String hash(String id) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
