package dev.hangar.api;

import java.util.List;

/**
 * Answer of {@code GET /api/v1/auth/oidc} (no token needed): what a client needs to start an
 * OpenID Connect sign-in with the provider this server trusts (issue #15, item 3).
 *
 * @param issuer the provider's issuer identifier
 * @param clientId the OAuth client id to use in the authorization request
 * @param scopes the scopes to request, {@code openid} first
 * @param authorizationEndpoint the provider's authorization endpoint (from its discovery document)
 * @param deviceAuthorizationEndpoint the provider's device authorization endpoint (RFC 8628); empty
 *     when the provider does not offer the device grant
 */
public record OidcInfoView(
        String issuer,
        String clientId,
        List<String> scopes,
        String authorizationEndpoint,
        String deviceAuthorizationEndpoint) {
    public OidcInfoView {
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
        deviceAuthorizationEndpoint = deviceAuthorizationEndpoint == null ? "" : deviceAuthorizationEndpoint;
    }
}
