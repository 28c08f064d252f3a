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

    /** Stores a token (only its hash). */
    ApiToken insertToken(ApiToken token);

    /** @return the token with that public id, if any */
    Optional<ApiToken> findToken(String id);

    /** @return true if the token existed and was removed */
    boolean removeToken(String id);
}
