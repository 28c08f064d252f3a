package dev.hangar.api;

/**
 * Body of {@code POST /api/v1/auth/oidc/token}: the result of an authorization-code sign-in with
 * PKCE, which the server redeems at the provider itself (it never takes a token from the client on
 * trust).
 *
 * @param code the authorization code the provider sent to the redirect URI
 * @param codeVerifier the PKCE code verifier (RFC 7636) whose S256 challenge was in the authorization
 *     request
 * @param redirectUri the exact redirect URI of the authorization request, e.g. {@code
 *     http://127.0.0.1:53124/callback}
 * @param nonce the nonce of the authorization request; the ID token must carry it
 */
public record OidcTokenRequest(String code, String codeVerifier, String redirectUri, String nonce) {
    @Override
    public String toString() {
        return "OidcTokenRequest[code=<redacted>, codeVerifier=<redacted>, redirectUri=" + redirectUri + "]";
    }
}
