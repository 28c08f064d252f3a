package dev.hangar.core.secret;

import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.store.Store;
import dev.hangar.provider.spi.SecretFile;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Users' secrets (issue #15, item 7): set, list (names, sizes, update times; never values) and
 * delete the caller's own secrets, encrypted at rest with the server key ({@link SecretCipher});
 * and the decrypted files the reconciler hands a provider when it starts one of the owner's
 * workspaces ({@link #files}).
 *
 * <p>Limits: a name is 1-63 characters of lower-case letters, digits, {@code -}, {@code _} and
 * {@code .}, starting and ending with a letter or digit (a DNS-1123 label that also allows
 * {@code _} and {@code .}, so {@code id_ed25519} and {@code token.json} work, and a name is always
 * one safe file name); a value is 1 byte to {@value #MAX_VALUE_BYTES} bytes; at most {@code
 * maxPerUser} secrets per user (replacing an existing one does not count). Values never appear in
 * an exception message or a log line. Thread-safe.
 */
public final class SecretService implements SecretFiles {
    /** Largest value: 64 KiB. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;

    /** Default of {@code maxPerUser}. */
    public static final int DEFAULT_MAX_PER_USER = 50;

    private final Store store;
    private final SecretCipher cipher;
    private final Clock clock;
    private final int maxPerUser;

    /**
     * @param maxPerUser at most this many secrets per user, at least 0
     */
    public SecretService(Store store, SecretCipher cipher, Clock clock, int maxPerUser) {
        this.store = Objects.requireNonNull(store, "store");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxPerUser < 0) throw new IllegalArgumentException("maxPerUser must be >= 0");
        this.maxPerUser = maxPerUser;
    }

    /**
     * What {@code secret list} shows of a secret: never its value.
     *
     * @param name the secret's name
     * @param size the value's size in bytes
     * @param updatedAt when it was last set (millisecond precision)
     */
    public record SecretInfo(String name, int size, Instant updatedAt) {}

    /**
     * Checks that every stored secret was sealed with the configured key; call at server start.
     *
     * @throws IllegalStateException naming the key ids when some were sealed with another key (the
     *     key file was replaced or lost)
     */
    public void checkKey() {
        Set<String> ids = store.secrets().keyIds();
        if (ids.isEmpty() || ids.equals(Set.of(cipher.keyId()))) return;
        throw new IllegalStateException("stored secrets were encrypted with key id(s) " + ids
                + " but the configured secrets key file holds key " + cipher.keyId()
                + ": restore the key file that was used (secrets.key-file), or delete those secrets");
    }

    /**
     * Sets (creates or replaces) the owner's secret. Idempotent for the same value.
     *
     * @return what is stored, without the value
     * @throws ValidationException for a bad name ({@code name}) or a value that is empty or too large
     *     ({@code value})
     * @throws SecretLimitException when a new secret would exceed the per-user count
     * @throws NotFoundException when the owner does not exist
     */
    public SecretInfo set(String owner, String name, byte[] value) {
        Objects.requireNonNull(owner, "owner");
        checkName(name);
        Objects.requireNonNull(value, "value");
        if (value.length == 0) throw new ValidationException("value", "the secret's value is empty");
        if (value.length > MAX_VALUE_BYTES)
            throw new ValidationException(
                    "value",
                    "the secret's value is " + value.length + " bytes; at most " + MAX_VALUE_BYTES + " (64 KiB)");
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        StoredSecret s = new StoredSecret(owner, name, cipher.seal(owner, name, value), value.length, now);
        store.inTransaction(tx -> {
            tx.quotas().lockOwner(owner); // serialises concurrent sets of one owner on PostgreSQL
            if (tx.secrets().find(owner, name).isEmpty()) {
                int count = tx.secrets().count(owner);
                if (count >= maxPerUser)
                    throw new SecretLimitException("user " + owner + " has " + count + " secrets; the limit is "
                            + maxPerUser + " (secrets.max-per-user): delete one first");
            }
            tx.secrets().save(s);
            return null;
        });
        return new SecretInfo(name, value.length, now);
    }

    /** @return the owner's secrets by name, without values */
    public List<SecretInfo> list(String owner) {
        return store.secrets().list(owner).stream()
                .map(s -> new SecretInfo(s.name(), s.size(), s.updatedAt()))
                .toList();
    }

    /**
     * Deletes the owner's secret.
     *
     * @throws NotFoundException when the owner has no secret of that name
     */
    public void delete(String owner, String name) {
        if (!store.secrets().delete(owner, name)) throw new NotFoundException("secret '" + name + "' does not exist");
    }

    /**
     * {@inheritDoc}
     *
     * @throws SecretCipher.OpenException when a stored secret does not decrypt with the configured key
     */
    @Override
    public List<SecretFile> files(String owner) {
        return store.secrets().list(owner).stream()
                .map(s -> new SecretFile(s.name(), cipher.open(owner, s.name(), s.sealed())))
                .toList();
    }

    /** @throws ValidationException ({@code name}) when {@code name} breaks the rule in the class comment */
    public static void checkName(String name) {
        if (name == null || !SecretFile.validName(name))
            throw new ValidationException(
                    "name",
                    "a secret name is 1-63 lower-case letters, digits, '-', '_' or '.', starting and ending"
                            + " with a letter or digit");
    }
}
