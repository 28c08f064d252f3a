package dev.hangar.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;
import dev.hangar.core.secret.SecretCipher;
import dev.hangar.core.secret.SecretLimitException;
import dev.hangar.core.secret.SecretService;
import dev.hangar.core.secret.StoredSecret;
import dev.hangar.provider.spi.SecretFile;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The secrets part of the store contract (migration V9: encrypted user secrets), run by {@link
 * StoreContractTest} on SQLite and on PostgreSQL.
 */
interface SecretStoreContract {

    Instant S = Instant.parse("2026-12-03T09:00:00.123Z");

    /** @return the fresh store of the running test */
    JdbiStore secretStore();

    private static SecretCipher.Sealed sealed(String keyId, int n) {
        return new SecretCipher.Sealed(keyId, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, (byte) n}, new byte[] {
            (byte) 0xff, 0, (byte) n, 42
        });
    }

    @Test
    default void secretsRoundTripAreReplacedDeletedCountedAndGoWithTheirUser() {
        JdbiStore s = secretStore();
        s.users().insert(new User("sec-alice", Role.MEMBER, false, S));
        s.users().insert(new User("sec-bob", Role.MEMBER, false, S));
        assertThat(s.secrets().list("sec-alice")).isEmpty();
        assertThat(s.secrets().keyIds()).isEmpty();

        StoredSecret b = new StoredSecret("sec-alice", "b.token", sealed("k1", 1), 100, S);
        StoredSecret a = new StoredSecret("sec-alice", "a_key", sealed("k1", 2), 65536, S.plusSeconds(1));
        s.secrets().save(b);
        s.secrets().save(a);
        s.secrets().save(new StoredSecret("sec-bob", "a_key", sealed("k2", 3), 1, S));
        assertThat(s.secrets().list("sec-alice")).containsExactly(a, b);
        assertThat(s.secrets().find("sec-alice", "b.token")).contains(b);
        assertThat(s.secrets().find("sec-alice", "nope")).isEmpty();
        assertThat(s.secrets().count("sec-alice")).isEqualTo(2);
        assertThat(s.secrets().keyIds()).isEqualTo(Set.of("k1", "k2"));

        StoredSecret b2 = new StoredSecret("sec-alice", "b.token", sealed("k2", 9), 7, S.plusSeconds(5));
        s.secrets().save(b2);
        assertThat(s.secrets().find("sec-alice", "b.token")).contains(b2);
        assertThat(s.secrets().count("sec-alice")).isEqualTo(2);

        assertThat(s.secrets().delete("sec-alice", "b.token")).isTrue();
        assertThat(s.secrets().delete("sec-alice", "b.token")).isFalse();
        assertThat(s.secrets().list("sec-alice")).containsExactly(a);

        assertThatThrownBy(() -> s.secrets().save(new StoredSecret("sec-nobody", "x", sealed("k1", 1), 1, S)))
                .isInstanceOf(NotFoundException.class);

        s.users().delete("sec-alice");
        assertThat(s.secrets().list("sec-alice")).isEmpty();
        assertThat(s.secrets().list("sec-bob")).hasSize(1);
    }

    @Test
    default void theServiceEncryptsThroughTheStoreAndKeepsItsLimitInTheTransaction() {
        JdbiStore s = secretStore();
        s.users().insert(new User("sec-carol", Role.MEMBER, false, S));
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        SecretService service = new SecretService(s, new SecretCipher(key), Clock.fixed(S, ZoneOffset.UTC), 2);
        service.set("sec-carol", "one", "store-contract-value".getBytes(StandardCharsets.UTF_8));
        service.set("sec-carol", "two", new byte[] {0, 1, 2});
        assertThatThrownBy(() -> service.set("sec-carol", "three", new byte[] {1}))
                .isInstanceOf(SecretLimitException.class);
        assertThat(s.secrets().count("sec-carol")).isEqualTo(2);
        assertThat(service.files("sec-carol"))
                .containsExactly(
                        new SecretFile("one", "store-contract-value".getBytes(StandardCharsets.UTF_8)),
                        new SecretFile("two", new byte[] {0, 1, 2}));
        StoredSecret row = s.secrets().find("sec-carol", "one").orElseThrow();
        assertThat(new String(row.sealed().ciphertext(), StandardCharsets.ISO_8859_1))
                .doesNotContain("store-contract-value");
    }
}
