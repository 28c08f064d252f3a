package dev.hangar.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code oidc.*} keys: off by default; from the file, the environment and flags. */
class OidcConfigTest {

    @Test
    void offByDefault(@TempDir Path home) {
        ServerConfig c = ServerConfigLoader.load(Map.of("HANGAR_HOME", home.toString()), List.of(), home);
        assertThat(c.oidc()).isEqualTo(OidcConfig.OFF);
        assertThat(c.oidc().enabled()).isFalse();
    }

    @Test
    void theFileAndTheEnvironmentConfigureProviderClaimsAndRoles(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("server.yaml"), """
                oidc:
                  issuer: https://idp.example/realms/dev
                  client-id: hangar
                  scopes: profile, groups
                  groups-claim: groups
                  role-mapping: {admin: "hangar-admins, ops", auditor: audit}
                  default-role: auditor
                  token-expires: 12h
                """);
        ServerConfig c = ServerConfigLoader.load(
                Map.of("HANGAR_HOME", home.toString(), "HANGAR_OIDC_CLIENT_SECRET", "s3cret"),
                List.of("--set", "oidc.username-claim=email_local"),
                home);
        OidcConfig o = c.oidc();
        assertThat(o.enabled()).isTrue();
        assertThat(o.issuer()).isEqualTo("https://idp.example/realms/dev");
        assertThat(o.clientId()).isEqualTo("hangar");
        assertThat(o.clientSecret()).isEqualTo("s3cret");
        assertThat(o.scopes()).containsExactly("openid", "profile", "groups");
        assertThat(o.policy().usernameClaim()).isEqualTo("email_local");
        assertThat(o.policy().groupsClaim()).isEqualTo("groups");
        assertThat(o.policy().roleGroups())
                .isEqualTo(Map.of(Role.ADMIN, Set.of("hangar-admins", "ops"), Role.AUDITOR, Set.of("audit")));
        assertThat(o.policy().defaultRole()).isEqualTo(Role.AUDITOR);
        assertThat(o.tokenLifetime()).isEqualTo(Duration.ofHours(12));
        // the secret is never in the config's text (which is logged)
        assertThat(c.toString()).doesNotContain("s3cret").contains("clientSecret=<redacted>");
    }

    @Test
    void malformedValuesAreRefusedNamingTheKey(@TempDir Path home) {
        assertThatThrownBy(() -> load(home, "oidc.issuer=ftp://idp.example"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("oidc.issuer must be an http(s) URL");
        assertThatThrownBy(() -> load(home, "oidc.issuer=https://idp.example"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("oidc.client-id must be set");
        assertThatThrownBy(() -> load(home, "oidc.default-role=root"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("oidc.default-role");
        assertThatThrownBy(() -> load(home, "oidc.token-expires=forever"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("oidc.token-expires");
        assertThatThrownBy(() -> load(home, "oidc.username-claim= "))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("oidc.username-claim must not be empty");
    }

    private static ServerConfig load(Path home, String set) {
        return ServerConfigLoader.load(Map.of("HANGAR_HOME", home.toString()), List.of("--set", set), home);
    }
}
