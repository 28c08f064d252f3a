package dev.hangar.core.service;

import dev.hangar.core.domain.ApiToken;
import dev.hangar.core.domain.Names;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.SshPublicKey;
import dev.hangar.core.domain.TokenAndOwner;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.UserSshKey;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * Users, their SSH keys and their API tokens (create, list, revoke, authenticate). Managing other
 * users (role, disable, delete) is {@link UserAdminService}. Thread-safe; all state is in the
 * {@link Store}.
 */
public final class UserService {
    private final Store store;
    private final Clock clock;
    private final TokenUseRecorder tokenUses;

    /** A service that writes a token's last-used time before {@link #authenticate} returns. */
    public UserService(Store store, Clock clock) {
        this(store, clock, TokenUseRecorder.direct(store, LAST_USED_GRANULARITY));
    }

    /**
     * @param tokenUses where {@link #authenticate} notes a token's use (the server passes a
     *     background recorder, so the write is off the request path)
     */
    public UserService(Store store, Clock clock, TokenUseRecorder tokenUses) {
        this.store = store;
        this.clock = clock;
        this.tokenUses = java.util.Objects.requireNonNull(tokenUses, "tokenUses");
    }

    /** How often at most a token's last-used time is written. */
    public static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);

    /** The name of the token issued to the admin on first start. */
    public static final String INITIAL_TOKEN = "initial";

    /**
     * Creates an enabled user.
     *
     * @throws dev.hangar.core.domain.ValidationException with field {@code name} when the name is
     *     not a DNS-1123 label or is the reserved {@code me}
     * @throws dev.hangar.core.domain.ConflictException when the user exists
     */
    public User create(String name, Role role) {
        Names.requireDns1123Label("name", name);
        if (name.equals("me"))
            throw new ValidationException("name", "'me' is reserved (it names the caller in /api/v1/users/me)");
        return store.users().insert(new User(name, role, false, now()));
    }

    /**
     * Creates an enabled user and their first API token, named {@value #INITIAL_TOKEN}, in one
     * transaction: the admin hands the token over once; the user makes more with {@code hangar
     * token create}.
     *
     * @throws dev.hangar.core.domain.ValidationException as {@link #create(String, Role)}
     * @throws dev.hangar.core.domain.ConflictException when the user exists
     */
    public Tokens.Created createWithToken(String name, Role role) {
        return store.inTransaction(tx -> {
            new UserService(tx, clock).create(name, role);
            return new UserService(tx, clock).issueToken(name, INITIAL_TOKEN);
        });
    }

    /** Creates an enabled admin or member; see {@link #create(String, Role)}. */
    public User create(String name, boolean admin) {
        return create(name, admin ? Role.ADMIN : Role.MEMBER);
    }

    /** @return the user of that name */
    public Optional<User> find(String name) {
        return store.users().find(name);
    }

    /** @return all users ordered by name */
    public List<User> list() {
        return store.users().list();
    }

    /**
     * Issues a new never-expiring API token for {@code owner}; see {@link #createToken}.
     */
    public Tokens.Created issueToken(String owner, String name) {
        return createToken(owner, name, Optional.empty());
    }

    /**
     * Issues a new API token for {@code owner}. The returned {@link Tokens.Created#token()} is the
     * only copy of the secret; the store keeps its hash.
     *
     * @param name DNS-1123 label, unique among the owner's tokens
     * @param lifetime how long it works; empty for no expiry
     * @throws ValidationException with field {@code name} or {@code expires}
     * @throws dev.hangar.core.domain.ConflictException with field {@code name} when the owner has a
     *     token of that name
     */
    public Tokens.Created createToken(String owner, String name, Optional<Duration> lifetime) {
        Names.requireDns1123Label("name", name);
        lifetime.ifPresent(l -> {
            if (l.isNegative() || l.isZero()) throw new ValidationException("expires", "the lifetime must be positive");
        });
        Tokens.Issued issued = Tokens.issue();
        Instant now = now();
        ApiToken stored = store.users()
                .insertToken(new ApiToken(
                        issued.id(), owner, issued.secretHash(), name, now, lifetime.map(now::plus), Optional.empty()));
        return new Tokens.Created(stored, issued.token());
    }

    /**
     * @return the owner's tokens ordered by name (hashes included: callers must not show them),
     *     with every use noted before this call written first, so a list shows the request that
     *     came before it
     */
    public List<ApiToken> tokens(String owner) {
        tokenUses.flush();
        return store.users().tokens(owner);
    }

    /**
     * Revokes the owner's token of that name; it stops working on the next request.
     *
     * @throws NotFoundException when the owner has no such token
     */
    public void revokeToken(String owner, String name) {
        ApiToken t = store.users().tokens(owner).stream()
                .filter(x -> x.name().equals(name))
                .findFirst()
                .orElseThrow(
                        () -> new NotFoundException("you have no token named '" + name + "'; see 'hangar token list'"));
        store.users().removeToken(t.id());
    }

    /**
     * Authenticates a bearer token: well-formed, known, secret matching (constant time), not
     * expired, and its user enabled. One read of the store (the token and its owner's current row
     * together; no cache, so a revoked token or a disabled user fails the very next request)
     * answers both the decision and, when it is a rejection, the name of the presented token for
     * the audit entry. Records the use at most once per {@link #LAST_USED_GRANULARITY}, through the
     * {@link TokenUseRecorder} (with the server's, after the answer rather than before it).
     *
     * @return {@link Authentication.Authenticated} with the user the token acts as, or {@link
     *     Authentication.Rejected} (the caller answers 401 without saying why) naming the stored
     *     token whose id the string carries, if any
     */
    public Authentication authenticate(String bearerToken) {
        Optional<Tokens.Parsed> parsed = Tokens.parse(bearerToken);
        if (parsed.isEmpty()) return new Authentication.Rejected(Optional.empty());
        Optional<TokenAndOwner> read =
                store.users().findTokenWithOwner(parsed.get().id());
        if (read.isEmpty()) return new Authentication.Rejected(Optional.empty());
        TokenAndOwner found = read.get();
        ApiToken t = found.token();
        Instant now = clock.instant();
        if (!Tokens.matches(parsed.get().secret(), t.secretHash())
                || t.expiredAt(now)
                || found.owner().disabled())
            return new Authentication.Rejected(Optional.of(t.owner() + "/" + t.name()));
        Instant at = now.truncatedTo(ChronoUnit.MILLIS);
        if (t.lastUsedAt().map(l -> l.isBefore(at.minus(LAST_USED_GRANULARITY))).orElse(true)) {
            tokenUses.record(t.id(), at);
        }
        return new Authentication.Authenticated(found.owner());
    }

    /**
     * On first start (no users), creates the admin user and returns a token for it named {@value
     * #INITIAL_TOKEN}; later starts return empty. Replicas starting together on an empty database
     * may all find no users: the one whose transaction creates the admin gets the token, the others
     * (their create refused because the user exists) return empty.
     */
    public Optional<Tokens.Created> bootstrapAdmin(String adminName) {
        if (!store.users().list().isEmpty()) return Optional.empty();
        try {
            return Optional.of(store.inTransaction(tx -> {
                new UserService(tx, clock).create(adminName, Role.ADMIN);
                return new UserService(tx, clock).issueToken(adminName, INITIAL_TOKEN);
            }));
        } catch (dev.hangar.core.domain.ConflictException e) {
            return Optional.empty();
        }
    }

    /**
     * Registers an SSH public key for {@code owner}.
     *
     * @throws dev.hangar.core.domain.InvalidSshKeyException when the key is malformed or weak
     * @throws dev.hangar.core.domain.ConflictException when the key is registered already
     */
    public UserSshKey addKey(String owner, String authorizedKeyLine) {
        SshPublicKey key = SshPublicKey.parse(authorizedKeyLine);
        return store.users().addKey(new UserSshKey(owner, key, now()));
    }

    /** @return the user's keys, oldest first */
    public List<UserSshKey> keys(String owner) {
        return store.users().keys(owner);
    }

    /**
     * Removes one of the owner's keys by its SHA256 fingerprint.
     *
     * @throws NotFoundException when the owner has no such key
     */
    public void removeKey(String owner, String fingerprint) {
        if (!store.users().removeKey(owner, fingerprint)) {
            throw new NotFoundException("no SSH key with fingerprint " + fingerprint + " is registered for " + owner);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
