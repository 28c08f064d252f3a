package dev.hangar.api.client;

import dev.hangar.api.OidcInfoView;
import dev.hangar.api.OidcLoginView;
import dev.hangar.api.OidcTokenRequest;

/**
 * OpenID Connect sign-in ({@code /api/v1/auth/oidc*}, issue #15 item 3): the two public routes the
 * CLI's {@code hangar login --oidc} calls; neither needs a token. Same errors as {@link
 * HangarClient}. Thread-safe; shares its {@link HangarClient}'s transport and lives as long as that
 * client.
 */
public final class OidcClient {
    private static final String BASE = "/api/v1/auth/oidc";

    private final ApiTransport transport;

    OidcClient(ApiTransport transport) {
        this.transport = transport;
    }

    /**
     * {@code GET /auth/oidc}: the provider this server trusts and the client id to use.
     *
     * @throws ApiException 404 when the server has no OIDC provider configured
     */
    public OidcInfoView info() {
        return transport.send("GET", BASE, null, OidcInfoView.class);
    }

    /**
     * {@code POST /auth/oidc/token}: redeems an authorization code (with its PKCE verifier, redirect
     * URI and nonce) for a Hangar API token; the server talks to the provider and verifies the ID
     * token.
     *
     * @throws ApiException 401 when the provider refuses the code or the ID token fails
     *     verification, 403 when Hangar refuses the person (disabled, colliding name), 404 when OIDC
     *     is not configured
     */
    public OidcLoginView token(OidcTokenRequest request) {
        return transport.send("POST", BASE + "/token", request, OidcLoginView.class);
    }
}
