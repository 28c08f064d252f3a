package dev.hangar.core.store;

import dev.hangar.core.secret.StoredSecret;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Users' secrets, encrypted (issue #15, item 7): the store never sees a value in clear. Removed with
 * their owner. Thread-safe.
 */
public interface SecretStore {

    /** @return the owner's secrets, by name */
    List<StoredSecret> list(String owner);

    /** @return the owner's secret {@code name}, if stored */
    Optional<StoredSecret> find(String owner, String name);

    /**
     * Stores the secret, replacing one of the same owner and name. Idempotent.
     *
     * @throws dev.hangar.core.domain.NotFoundException when the owner does not exist
     */
    void save(StoredSecret secret);

    /**
     * Deletes the owner's secret {@code name}. Idempotent.
     *
     * @return whether one was deleted
     */
    boolean delete(String owner, String name);

    /** @return how many secrets the owner has */
    int count(String owner);

    /** @return the ids of the keys that sealed any stored secret (to check the configured key at start) */
    Set<String> keyIds();
}
