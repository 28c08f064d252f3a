package dev.hangar.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.store.InMemoryStore;
import dev.hangar.provider.spi.SecretFile;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The secret service on an in-memory store: validation, limits, encryption at rest, the key check. */
class SecretServiceTest {
    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00.123456Z");

    private final InMemoryStore store = new InMemoryStore();
    private final Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    private final SecretCipher cipher = new SecretCipher(key());
    private final SecretService service = new SecretService(store, cipher, clock, 3);

    private static byte[] key() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @BeforeEach
    void users() {
        store.users().insert(new User("alice", Role.MEMBER, false, T0));
        store.users().insert(new User("bob", Role.MEMBER, false, T0));
    }

    @Test
    void setListFilesDelete() {
        SecretService.SecretInfo info = service.set("alice", "github-token", bytes("svc-value-1"));
        assertThat(info)
                .isEqualTo(new SecretService.SecretInfo(
                        "github-token", 11, T0.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
        service.set("alice", "id_ed25519", bytes("svc-value-2"));
        assertThat(service.list("alice"))
                .extracting(SecretService.SecretInfo::name)
                .containsExactly("github-token", "id_ed25519");
        assertThat(service.list("bob")).isEmpty();
        assertThat(service.files("alice"))
                .containsExactly(
                        new SecretFile("github-token", bytes("svc-value-1")),
                        new SecretFile("id_ed25519", bytes("svc-value-2")));
        // stored encrypted, bound to the owner
        StoredSecret stored = store.secrets().find("alice", "github-token").orElseThrow();
        assertThat(new String(stored.sealed().ciphertext(), StandardCharsets.ISO_8859_1))
                .doesNotContain("svc-value");
        service.set("alice", "github-token", bytes("replaced"));
        assertThat(service.files("alice").getFirst().value()).isEqualTo(bytes("replaced"));
        service.delete("alice", "github-token");
        assertThat(service.list("alice"))
                .extracting(SecretService.SecretInfo::name)
                .containsExactly("id_ed25519");
        assertThatThrownBy(() -> service.delete("alice", "github-token")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> service.delete("bob", "id_ed25519")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void badNamesAndValuesAreRefusedNamingTheField() {
        for (String bad : new String[] {"", "Upper", "-lead", "trail-", ".", "..", "a/b", "x".repeat(64), "sp ace"}) {
            assertThatThrownBy(() -> service.set("alice", bad, bytes("v")))
                    .as(bad)
                    .isInstanceOfSatisfying(
                            ValidationException.class,
                            e -> assertThat(e.field()).isEqualTo("name"));
        }
        assertThat(service.set("alice", "a.b_c-9", bytes("v")).name()).isEqualTo("a.b_c-9");
        assertThatThrownBy(() -> service.set("alice", "empty", new byte[0]))
                .isInstanceOfSatisfying(
                        ValidationException.class, e -> assertThat(e.field()).isEqualTo("value"));
        assertThatThrownBy(() -> service.set("alice", "big", new byte[SecretService.MAX_VALUE_BYTES + 1]))
                .isInstanceOfSatisfying(
                        ValidationException.class,
                        e -> assertThat(e.getMessage()).contains("65537 bytes"));
        assertThat(service.set("alice", "max", new byte[SecretService.MAX_VALUE_BYTES])
                        .size())
                .isEqualTo(65536);
    }

    @Test
    void theCountLimitRefusesANewSecretButNotAReplacement() {
        service.set("alice", "one", bytes("1"));
        service.set("alice", "two", bytes("2"));
        service.set("alice", "three", bytes("3"));
        assertThatThrownBy(() -> service.set("alice", "four", bytes("4")))
                .isInstanceOfSatisfying(SecretLimitException.class, e -> {
                    assertThat(e.kind()).isEqualTo("secret-limit");
                    assertThat(e.getMessage()).contains("has 3 secrets").contains("limit is 3");
                });
        service.set("alice", "three", bytes("3b"));
        assertThat(service.list("alice")).hasSize(3);
        service.set("bob", "four", bytes("4")); // per user
    }

    @Test
    void anUnknownOwnerIsNotFound() {
        assertThatThrownBy(() -> service.set("nobody", "n", bytes("v"))).isInstanceOf(NotFoundException.class);
    }

    @Test
    void aRowCopiedToAnotherOwnerDoesNotDecrypt() {
        service.set("alice", "token", bytes("alice-only"));
        StoredSecret a = store.secrets().find("alice", "token").orElseThrow();
        store.secrets().save(new StoredSecret("bob", "token", a.sealed(), a.size(), a.updatedAt()));
        assertThatThrownBy(() -> service.files("bob"))
                .isInstanceOf(SecretCipher.OpenException.class)
                .hasMessageNotContaining("alice-only");
    }

    @Test
    void theStartCheckRefusesAnotherKeyClearly() {
        service.checkKey(); // no secrets: any key will do
        service.set("alice", "token", bytes("v"));
        service.checkKey();
        SecretService withOtherKey = new SecretService(store, new SecretCipher(key()), clock, 3);
        assertThatThrownBy(withOtherKey::checkKey)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(cipher.keyId())
                .hasMessageContaining("secrets.key-file");
    }
}
