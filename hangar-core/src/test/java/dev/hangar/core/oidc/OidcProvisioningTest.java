package dev.hangar.core.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;
import dev.hangar.core.store.InMemoryStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OidcProvisioningTest {
    private static final String ISS = "https://idp.test";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T10:00:00Z"), ZoneOffset.UTC);
    private static final OidcPolicy GROUPS = new OidcPolicy(
            "preferred_username",
            "groups",
            Map.of(Role.ADMIN, Set.of("hangar-admins"), Role.AUDITOR, Set.of("auditors")),
            Role.MEMBER);

    private final InMemoryStore store = new InMemoryStore();

    private static VerifiedClaims claims(String sub, String name, List<String> groups) {
        return new VerifiedClaims(ISS, sub, Map.of("preferred_username", name, "groups", groups));
    }

    @Test
    void firstSignInCreatesTheUserWithTheMappedRoleAndLaterOnesFindItBySubject() {
        OidcProvisioning p = new OidcProvisioning(store, CLOCK, GROUPS);
        User first = p.signIn(claims("s1", "ada", List.of("hangar-admins", "auditors")));
        assertThat(first.name()).isEqualTo("ada");
        assertThat(first.role()).isEqualTo(Role.ADMIN);
        // the username claim changed at the provider: the link, not the name, finds the user
        User again = p.signIn(claims("s1", "ada-renamed", List.of("hangar-admins")));
        assertThat(again.name()).isEqualTo("ada");
        assertThat(store.users().find("ada-renamed")).isEmpty();
    }

    @Test
    void aGroupsChangeChangesTheRoleAtTheNextSignIn() {
        OidcProvisioning p = new OidcProvisioning(store, CLOCK, GROUPS);
        assertThat(p.signIn(claims("s2", "bea", List.of("hangar-admins"))).role())
                .isEqualTo(Role.ADMIN);
        assertThat(p.signIn(claims("s2", "bea", List.of("auditors"))).role()).isEqualTo(Role.AUDITOR);
        assertThat(p.signIn(claims("s2", "bea", List.of())).role()).isEqualTo(Role.MEMBER);
        assertThat(store.users().find("bea").orElseThrow().role()).isEqualTo(Role.MEMBER);
    }

    @Test
    void withoutAGroupsClaimNewUsersGetTheDefaultRoleAndAdminsKeepControlOfIt() {
        OidcProvisioning p = new OidcProvisioning(store, CLOCK, OidcPolicy.DEFAULTS);
        assertThat(p.signIn(claims("s3", "cid", List.of("hangar-admins"))).role())
                .isEqualTo(Role.MEMBER);
        store.users().update(store.users().find("cid").orElseThrow().withRole(Role.AUDITOR));
        assertThat(p.signIn(claims("s3", "cid", List.of())).role()).isEqualTo(Role.AUDITOR);
    }

    @Test
    void aCollidingNameIsRefusedAndNeverTakesOverTheExistingUser() {
        store.users().insert(new User("admin", Role.ADMIN, false, CLOCK.instant()));
        OidcProvisioning p = new OidcProvisioning(store, CLOCK, GROUPS);
        assertThatThrownBy(() -> p.signIn(claims("attacker", "admin", List.of())))
                .isInstanceOf(SignInRefusedException.class)
                .hasMessageContaining("'admin' already exists and is not linked to this identity");
        assertThat(store.users().findIdentity(ISS, "attacker")).isEmpty();
        assertThat(store.users().find("admin").orElseThrow().role()).isEqualTo(Role.ADMIN);
    }

    @Test
    void aUsernameThatIsNoDns1123LabelOrMissingIsRefusedClearly() {
        OidcProvisioning p = new OidcProvisioning(store, CLOCK, GROUPS);
        assertThatThrownBy(() -> p.signIn(claims("s4", "Dora.Smith@example.com", List.of())))
                .isInstanceOf(SignInRefusedException.class)
                .hasMessageContaining(
                        "'Dora.Smith@example.com' cannot be a Hangar user name: it must be a DNS-1123 label");
        assertThatThrownBy(() -> p.signIn(new VerifiedClaims(ISS, "s5", Map.of())))
                .isInstanceOf(SignInRefusedException.class)
                .hasMessageContaining("no 'preferred_username' claim");
        assertThat(store.users().list()).isEmpty();
    }

    @Test
    void aDisabledUserCannotSignIn() {
        OidcProvisioning p = new OidcProvisioning(store, CLOCK, GROUPS);
        User u = p.signIn(claims("s6", "eve", List.of()));
        store.users().update(u.withDisabled(true));
        assertThatThrownBy(() -> p.signIn(claims("s6", "eve", List.of())))
                .isInstanceOf(SignInRefusedException.class)
                .hasMessageContaining("'eve' is disabled");
    }
}
