package dev.hangar.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;
import dev.hangar.core.store.InMemoryStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link UserService#authenticate}: one read of the store answers both the decision and, for a
 * rejection, the presented token's name for the audit entry; no cache between requests.
 */
class UserServiceAuthenticateTest {
    private static final Instant T0 = Instant.parse("2026-12-05T09:00:00Z");

    private final InMemoryStore store = new InMemoryStore();
    private final UserService users = new UserService(store, Clock.fixed(T0, ZoneOffset.UTC));

    private String token(String user) {
        users.create(user, Role.MEMBER);
        return users.issueToken(user, "laptop").token();
    }

    private Authentication authenticateCountingReads(UserService service, String token, int expectedReads) {
        int before = store.tokenReads();
        Authentication a = service.authenticate(token);
        assertThat(store.tokenReads() - before).as("token reads").isEqualTo(expectedReads);
        return a;
    }

    @Test
    void aValidTokenIsTheUserInOneRead() {
        String token = token("auth-alice");
        assertThat(authenticateCountingReads(users, token, 1))
                .isInstanceOfSatisfying(
                        Authentication.Authenticated.class,
                        a -> assertThat(a.authenticatedUser().name()).isEqualTo("auth-alice"));
    }

    @Test
    void aForgedSecretForAKnownIdIsRejectedWithTheTokensNameFromTheSameRead() {
        String token = token("auth-bob");
        char last = token.charAt(token.length() - 1);
        String forged = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');
        Authentication a = authenticateCountingReads(users, forged, 1);
        assertThat(a).isEqualTo(new Authentication.Rejected(Optional.of("auth-bob/laptop")));
        assertThat(a.user()).isEmpty();
    }

    @Test
    void anUnknownIdIsRejectedWithoutANameAndAMalformedStringWithoutARead() {
        token("auth-carol");
        assertThat(authenticateCountingReads(users, "hgr_ffffffffffffffff_" + "x".repeat(43), 1))
                .isEqualTo(new Authentication.Rejected(Optional.empty()));
        assertThat(authenticateCountingReads(users, "not-a-token", 0))
                .isEqualTo(new Authentication.Rejected(Optional.empty()));
    }

    @Test
    void aRevokedTokenOrADisabledUserFailsTheVeryNextCall() {
        String token = token("auth-dave");
        assertThat(users.authenticate(token).user()).isPresent();
        store.users().update(new User("auth-dave", Role.MEMBER, true, T0));
        assertThat(users.authenticate(token)).isEqualTo(new Authentication.Rejected(Optional.of("auth-dave/laptop")));
        store.users().update(new User("auth-dave", Role.MEMBER, false, T0));
        assertThat(users.authenticate(token).user()).isPresent();
        users.revokeToken("auth-dave", "laptop");
        assertThat(users.authenticate(token)).isEqualTo(new Authentication.Rejected(Optional.empty()));
    }

    @Test
    void anExpiredTokenIsRejectedWithItsName() {
        users.create("auth-erin", Role.MEMBER);
        String token = users.createToken("auth-erin", "short", Optional.of(Duration.ofHours(1)))
                .token();
        assertThat(users.authenticate(token).user()).isPresent();
        UserService later = new UserService(store, Clock.fixed(T0.plus(Duration.ofHours(2)), ZoneOffset.UTC));
        assertThat(authenticateCountingReads(later, token, 1))
                .isEqualTo(new Authentication.Rejected(Optional.of("auth-erin/short")));
    }
}
