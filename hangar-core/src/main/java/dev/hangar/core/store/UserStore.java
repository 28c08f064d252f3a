package dev.hangar.core.store;

import dev.hangar.core.domain.ApiToken;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.UserSshKey;
import java.util.List;
import java.util.Optional;

/** Users, their SSH public keys and their API tokens. Thread-safe. */
public interface UserStore {

    /**
     * @throws dev.hangar.core.domain.ConflictException with field {@code name} when it exists
     */
    User insert(User user);

    /** @return the user with that name, if any */
    Optional<User> find(String name);

    /** @return all users ordered by name */
    List<User> list();

    /**
     * Stores a new role and disabled flag for an existing user (the name and creation time are
     * kept).
     *
     * @throws dev.hangar.core.domain.NotFoundException when no such user exists
     */
    User update(User user);

    /**
     * Deletes the user with their SSH keys and API tokens (not their workspaces: the caller
     * transfers or deletes those first). Idempotent.
     *
     * @return true if the user existed
     */
    boolean delete(String name);

    /**
     * @throws dev.hangar.core.domain.ConflictException with field {@code key} when a key with the
     *     same fingerprint is registered (to anyone: a key identifies one user at the gateway)
     */
    UserSshKey addKey(UserSshKey key);

    /** @return the user's keys ordered by when they were added */
    List<UserSshKey> keys(String owner);

    /** @return the key with this SHA256 fingerprint, whoever owns it */
    Optional<UserSshKey> findKey(String fingerprint);

    /** @return true if the owner's key with that fingerprint existed and was removed */
    boolean removeKey(String owner, String fingerprint);

    /**
     * Stores a token (only its hash).
     *
     * @throws dev.hangar.core.domain.ConflictException with field {@code name} when the owner has a
     *     token of that name, with field {@code id} when the id exists
     * @throws dev.hangar.core.domain.NotFoundException when the owner does not exist
     */
    ApiToken insertToken(ApiToken token);

    /** @return the owner's tokens ordered by name */
    List<ApiToken> tokens(String owner);

    /**
     * Records that the token was used at {@code at}, but only when its last use is unknown or
     * before {@code unlessSince}; a conditional update, so concurrent requests write at most once.
     *
     * @return true when the row was written
     */
    boolean touchToken(String id, java.time.Instant at, java.time.Instant unlessSince);

    /** @return the token with that public id, if any */
    Optional<ApiToken> findToken(String id);

    /**
     * Reads the token with that public id and its owner's row in one statement (a join), for
     * authenticating a request with one read instead of two. Always read from the store, never from
     * a cache: a revoked token or a disabled user is seen by the next call.
     *
     * @return the token and its owner, if the token exists
     */
    Optional<dev.hangar.core.domain.TokenAndOwner> findTokenWithOwner(String id);

    /** @return true if the token existed and was removed */
    boolean removeToken(String id);

    /**
     * Links an OpenID Connect identity to an existing user (issue #15, item 3).
     *
     * @throws dev.hangar.core.domain.ConflictException when the identity is linked already
     * @throws dev.hangar.core.domain.NotFoundException when the user does not exist
     */
    dev.hangar.core.domain.OidcIdentity linkIdentity(dev.hangar.core.domain.OidcIdentity identity);

    /** @return the link of the identity {@code (issuer, subject)}, compared exactly, if any */
    Optional<dev.hangar.core.domain.OidcIdentity> findIdentity(String issuer, String subject);
}
