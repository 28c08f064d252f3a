package dev.hangar.core.service;

import dev.hangar.core.domain.ApiToken;
import dev.hangar.core.domain.Names;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.SshPublicKey;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.UserSshKey;
import dev.hangar.core.store.Store;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * Users, their SSH keys and their API tokens. Thread-safe; all state is in the {@link Store}.
 */
public final class UserService {
    private final Store store;
    private final Clock clock;

    public UserService(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * Creates a user.
     *
     * @throws dev.hangar.core.domain.ValidationException when the name is not a DNS-1123 label
     * @throws dev.hangar.core.domain.ConflictException when the user exists
     */
    public User create(String name, boolean admin) {
        Names.requireDns1123Label("name", name);
        return store.users().insert(new User(name, admin, clock.instant().truncatedTo(ChronoUnit.MILLIS)));
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
     * Issues a new API token for {@code owner}. The returned {@link Tokens.Issued#token()} is the
     * only copy of the secret; the store keeps its hash.
     */
    public Tokens.Issued issueToken(String owner, String description) {
        Tokens.Issued issued = Tokens.issue();
        store.users()
                .insertToken(new ApiToken(
                        issued.id(),
                        owner,
                        issued.secretHash(),
                        description,
                        clock.instant().truncatedTo(ChronoUnit.MILLIS)));
        return issued;
    }

    /**
     * @return the user a bearer token acts as; empty for a malformed, unknown or wrong token (the
     *     caller answers 401 without saying which)
     */
    public Optional<User> authenticate(String bearerToken) {
        return Tokens.parse(bearerToken)
                .flatMap(p -> store.users().findToken(p.id()).filter(t -> Tokens.matches(p.secret(), t.secretHash())))
                .flatMap(t -> store.users().find(t.owner()));
    }

    /**
     * On first start (no users), creates the admin user and returns a token for it; later starts
     * return empty.
     */
    public Optional<Tokens.Issued> bootstrapAdmin(String adminName) {
        if (!store.users().list().isEmpty()) return Optional.empty();
        return Optional.of(store.inTransaction(tx -> {
            new UserService(tx, clock).create(adminName, true);
            return new UserService(tx, clock).issueToken(adminName, "bootstrap (written to the CLI config)");
        }));
    }

    /**
     * Registers an SSH public key for {@code owner}.
     *
     * @throws dev.hangar.core.domain.InvalidSshKeyException when the key is malformed or weak
     * @throws dev.hangar.core.domain.ConflictException when the key is registered already
     */
    public UserSshKey addKey(String owner, String authorizedKeyLine) {
        SshPublicKey key = SshPublicKey.parse(authorizedKeyLine);
        return store.users().addKey(new UserSshKey(owner, key, clock.instant().truncatedTo(ChronoUnit.MILLIS)));
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
}
