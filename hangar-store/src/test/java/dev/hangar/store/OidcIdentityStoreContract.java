package dev.hangar.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.OidcIdentity;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The OIDC identity part of the store contract (migration V10), run by {@link StoreContractTest}
 * on SQLite and on PostgreSQL.
 */
interface OidcIdentityStoreContract {

    Instant L = Instant.parse("2026-12-03T10:00:00.123Z");

    /** @return the fresh store of the running test */
    JdbiStore identityStore();

    @Test
    default void anIdentityLinksOnceIsFoundExactlyAndGoesWithItsUser() {
        JdbiStore s = identityStore();
        s.users().insert(new User("olga", Role.MEMBER, false, L));
        OidcIdentity link = new OidcIdentity("https://idp.example/", "sub-1", "olga", L);
        assertThat(s.users().linkIdentity(link)).isEqualTo(link);
        assertThat(s.users().findIdentity("https://idp.example/", "sub-1")).contains(link);
        // exact comparison: another issuer, a trailing-slash variant or another case is another identity
        assertThat(s.users().findIdentity("https://idp.example", "sub-1")).isEmpty();
        assertThat(s.users().findIdentity("https://idp.example/", "SUB-1")).isEmpty();
        assertThatThrownBy(() -> s.users().linkIdentity(link)).isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> s.users().linkIdentity(new OidcIdentity("https://idp.example/", "sub-2", "nobody", L)))
                .isInstanceOf(NotFoundException.class);
        assertThat(s.users().delete("olga")).isTrue();
        assertThat(s.users().findIdentity("https://idp.example/", "sub-1")).isEmpty();
    }
}
