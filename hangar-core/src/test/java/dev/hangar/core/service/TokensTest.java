package dev.hangar.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokensTest {
    @Test
    void issuedTokenParsesAndMatchesOnlyItsOwnHash() {
        Tokens.Issued a = Tokens.issue();
        Tokens.Issued b = Tokens.issue();
        assertThat(a.token()).matches("hgr_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
        Tokens.Parsed pa = Tokens.parse(a.token()).orElseThrow();
        assertThat(pa.id()).isEqualTo(a.id());
        assertThat(Tokens.matches(pa.secret(), a.secretHash())).isTrue();
        assertThat(Tokens.matches(pa.secret(), b.secretHash())).isFalse();
        assertThat(a.secretHash()).hasSize(64).doesNotContain(pa.secret());
        assertThat(a.toString()).doesNotContain(a.token());
    }

    @Test
    void malformedTokensDoNotParse() {
        for (String bad : new String[] {
            "", "hgr_", "Bearer x", "hgr_0123456789abcdef_short", "hgr_XYZ3456789abcdef_" + "a".repeat(43)
        }) {
            assertThat(Tokens.parse(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void idsAndSecretsDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++)
            assertThat(seen.add(Tokens.issue().token())).isTrue();
    }
}
