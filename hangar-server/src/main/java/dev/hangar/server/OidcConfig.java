package dev.hangar.server;

import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.oidc.OidcPolicy;
import dev.hangar.core.service.Tokens;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * OIDC sign-in settings ({@code oidc.*} keys, issue #15 item 3). Sign-in is off while {@code
 * oidc.issuer} is empty (the default).
 *
 * @param issuer the provider's issuer URL ({@code oidc.issuer}); its discovery document is {@code
 *     <issuer>/.well-known/openid-configuration}; empty: OIDC sign-in off
 * @param clientId the OAuth client id registered at the provider ({@code oidc.client-id})
 * @param clientSecret the client secret ({@code oidc.client-secret}); empty for a public client
 *     (PKCE only). A secret; never logged or shown
 * @param scopes the scopes clients request ({@code oidc.scopes}), {@code openid} always first
 * @param policy username claim, groups claim, role mapping and default role
 * @param tokenLifetime lifetime of the Hangar API token a sign-in issues ({@code oidc.token-expires})
 */
public record OidcConfig(
        String issuer,
        String clientId,
        String clientSecret,
        List<String> scopes,
        OidcPolicy policy,
        Duration tokenLifetime) {

    /** Off: no issuer. */
    public static final OidcConfig OFF =
            new OidcConfig("", "", "", List.of("openid", "profile"), OidcPolicy.DEFAULTS, Duration.ofDays(30));

    public OidcConfig {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(clientId, "clientId");
        clientSecret = clientSecret == null ? "" : clientSecret;
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(tokenLifetime, "tokenLifetime");
        scopes = scopes.contains("openid")
                ? List.copyOf(scopes)
                : java.util.stream.Stream.concat(java.util.stream.Stream.of("openid"), scopes.stream())
                        .toList();
        if (!issuer.isEmpty() && clientId.isBlank())
            throw new ConfigException("oidc.client-id must be set when oidc.issuer is set");
    }

    /** @return true when sign-in is configured */
    public boolean enabled() {
        return !issuer.isEmpty();
    }

    /** @return a copy pointing at another provider and client (tests and embedders) */
    public OidcConfig withProvider(String issuerUrl, String client, String secret) {
        return new OidcConfig(issuerUrl, client, secret, scopes, policy, tokenLifetime);
    }

    /** @return a copy with another sign-in policy */
    public OidcConfig withPolicy(OidcPolicy p) {
        return new OidcConfig(issuer, clientId, clientSecret, scopes, p, tokenLifetime);
    }

    @Override
    public String toString() {
        return "OidcConfig[issuer=" + issuer + ", clientId=" + clientId + ", clientSecret="
                + (clientSecret.isEmpty() ? "" : "<redacted>") + ", scopes=" + scopes + ", policy=" + policy
                + ", tokenLifetime=" + tokenLifetime + "]";
    }

    /**
     * Reads the {@code oidc.*} keys over {@code base}; an absent key keeps the base's value.
     *
     * @throws ConfigException naming the key of a malformed value
     */
    static OidcConfig parse(Map<String, String> values, OidcConfig base) {
        String issuer = values.getOrDefault("oidc.issuer", base.issuer()).strip();
        if (!issuer.isEmpty()) {
            try {
                URI u = new URI(issuer);
                if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme()) || u.getHost() == null)
                    throw new ConfigException("oidc.issuer must be an http(s) URL, got '" + issuer + "'");
            } catch (URISyntaxException e) {
                throw new ConfigException("oidc.issuer must be an http(s) URL, got '" + issuer + "'");
            }
        }
        List<String> scopes = values.containsKey("oidc.scopes")
                ? Arrays.stream(values.get("oidc.scopes").split("[\\s,]+"))
                        .filter(s -> !s.isBlank())
                        .toList()
                : base.scopes();
        OidcPolicy p = base.policy();
        Map<Role, Set<String>> mapping = new EnumMap<>(Role.class);
        mapping.putAll(p.roleGroups());
        for (Role r : Role.values()) {
            String key = "oidc.role-mapping." + r.wireName();
            if (!values.containsKey(key)) continue;
            Set<String> g = groups(values.get(key));
            if (g.isEmpty()) mapping.remove(r);
            else mapping.put(r, g);
        }
        Role defaultRole = p.defaultRole();
        if (values.containsKey("oidc.default-role")) {
            try {
                defaultRole = Role.parse("oidc.default-role", values.get("oidc.default-role"));
            } catch (ValidationException e) {
                throw new ConfigException("oidc.default-role: " + e.getMessage());
            }
        }
        String usernameClaim =
                values.getOrDefault("oidc.username-claim", p.usernameClaim()).strip();
        if (usernameClaim.isEmpty()) throw new ConfigException("oidc.username-claim must not be empty");
        OidcPolicy policy = new OidcPolicy(
                usernameClaim,
                values.getOrDefault("oidc.groups-claim", p.groupsClaim()).strip(),
                mapping,
                defaultRole);
        Duration lifetime = base.tokenLifetime();
        if (values.containsKey("oidc.token-expires")) {
            try {
                lifetime = Tokens.parseLifetime("oidc.token-expires", values.get("oidc.token-expires"));
            } catch (ValidationException e) {
                throw new ConfigException("oidc.token-expires: " + e.getMessage());
            }
        }
        return new OidcConfig(
                issuer,
                values.getOrDefault("oidc.client-id", base.clientId()).strip(),
                values.getOrDefault("oidc.client-secret", base.clientSecret()),
                scopes,
                policy,
                lifetime);
    }

    private static Set<String> groups(String v) {
        return Arrays.stream(v.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }
}
