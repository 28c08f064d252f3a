package dev.hangar.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.hangar.api.OidcInfoView;
import dev.hangar.core.domain.User;
import dev.hangar.core.oidc.OidcProvisioning;
import dev.hangar.core.oidc.SignInRefusedException;
import dev.hangar.core.oidc.VerifiedClaims;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * OpenID Connect sign-in on the server side (issue #15, item 3), with the Nimbus OAuth 2.0 SDK:
 * discovery of the configured provider, the authorization-code token request (with the client's
 * PKCE verifier, and the client secret when one is configured), and validation of the ID token
 * ({@link IDTokenValidator}: signature against the provider's JWKS, issuer, audience = our client
 * id, expiry and issue time with 60 s clock skew, nonce). Nothing the client says about the person
 * is trusted: the server redeems the code at the provider itself.
 *
 * <p><b>Entry points.</b> The CLI ({@code hangar login --oidc}) and the web dashboard both call
 * {@link #begin} to build an authorization request and {@link #complete} with what the provider
 * sent to their redirect URI; {@code complete} returns the Hangar user (created on first sign-in
 * by {@link OidcProvisioning}). The dashboard keeps the {@link Start}'s state, nonce and verifier
 * in its session and checks the state itself before calling {@code complete}. See
 * docs/oidc.md.
 *
 * <p>The provider's discovery document is fetched on first use and kept; a failed fetch is retried
 * on the next call. Thread-safe.
 */
public final class OidcSignIn {
    /** HTTP timeouts towards the provider, milliseconds. */
    private static final int TIMEOUT_MS = 10_000;

    private final OidcConfig config;
    private final OidcProvisioning provisioning;
    private volatile Provider provider;

    /** The provider's metadata and the validator built from it. */
    private record Provider(OIDCProviderMetadata metadata, IDTokenValidator validator) {}

    /**
     * An authorization request ready to send the browser to, with the secrets to keep until the
     * callback (never sent anywhere but back to {@link #complete}).
     *
     * @param authorizationUrl where to send the browser
     * @param state the {@code state} the callback must carry (the caller compares it)
     * @param nonce the {@code nonce} the ID token must carry
     * @param codeVerifier the PKCE verifier whose S256 challenge is in the URL
     */
    public record Start(URI authorizationUrl, String state, String nonce, String codeVerifier) {
        @Override
        public String toString() {
            return "Start[" + authorizationUrl + ", secrets=<redacted>]";
        }
    }

    /**
     * @param config the provider and client; must be {@link OidcConfig#enabled()}
     * @param provisioning finds or creates the user of a verified identity
     */
    public OidcSignIn(OidcConfig config, OidcProvisioning provisioning) {
        this.config = Objects.requireNonNull(config, "config");
        this.provisioning = Objects.requireNonNull(provisioning, "provisioning");
        if (!config.enabled()) throw new IllegalArgumentException("OIDC sign-in is not configured (oidc.issuer)");
    }

    /**
     * @return how people know the provider, for a "Sign in with ..." button: the issuer's host, with
     *     its port when it has one (e.g. {@code login.example.com}); no network
     */
    public String issuerName() {
        URI u = URI.create(config.issuer());
        return u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
    }

    /**
     * @return what a client needs to start a sign-in: issuer, client id, scopes and the provider's
     *     endpoints
     * @throws ApiException 503 when the provider's discovery document cannot be fetched
     */
    public OidcInfoView info() {
        OIDCProviderMetadata m = provider().metadata();
        return new OidcInfoView(
                config.issuer(),
                config.clientId(),
                config.scopes(),
                m.getAuthorizationEndpointURI().toString(),
                m.getDeviceAuthorizationEndpointURI() == null
                        ? ""
                        : m.getDeviceAuthorizationEndpointURI().toString());
    }

    /**
     * Builds an authorization request (code flow, PKCE S256, fresh random state and nonce) for
     * {@code redirectUri}, e.g. the dashboard's {@code https://hangar.example/auth/callback}.
     *
     * @throws ApiException 503 when the provider's discovery document cannot be fetched
     */
    public Start begin(URI redirectUri) {
        CodeVerifier verifier = new CodeVerifier();
        State state = new State();
        Nonce nonce = new Nonce();
        AuthenticationRequest req = new AuthenticationRequest.Builder(
                        ResponseType.CODE,
                        new Scope(config.scopes().toArray(String[]::new)),
                        new ClientID(config.clientId()),
                        redirectUri)
                .endpointURI(provider().metadata().getAuthorizationEndpointURI())
                .state(state)
                .nonce(nonce)
                .codeChallenge(verifier, CodeChallengeMethod.S256)
                .build();
        return new Start(req.toURI(), state.getValue(), nonce.getValue(), verifier.getValue());
    }

    /**
     * Completes an authorization-code sign-in: redeems {@code code} at the provider's token
     * endpoint with the PKCE verifier and redirect URI, validates the ID token it answers (nonce
     * included) and signs the identity in. The caller has checked {@code state} already.
     *
     * @param code the authorization code from the callback
     * @param codeVerifier the PKCE verifier of the authorization request
     * @param redirectUri the redirect URI of the authorization request, exactly
     * @param nonce the nonce of the authorization request
     * @return the Hangar user, enabled, with its current role
     * @throws ApiException 400 for a missing field; 401 when the provider refuses the code or the ID
     *     token fails validation (the message says why, e.g. "Unexpected JWT nonce", "Expired JWT",
     *     "Unexpected JWT audience"); 403 when Hangar refuses the person (disabled, colliding or
     *     invalid name); 503 when the provider cannot be reached
     */
    public User complete(String code, String codeVerifier, URI redirectUri, String nonce) {
        require("code", code);
        require("codeVerifier", codeVerifier);
        require("nonce", nonce);
        Provider p = provider();
        AuthorizationCodeGrant grant =
                new AuthorizationCodeGrant(new AuthorizationCode(code), redirectUri, new CodeVerifier(codeVerifier));
        ClientID client = new ClientID(config.clientId());
        TokenRequest request = config.clientSecret().isEmpty()
                ? new TokenRequest(p.metadata().getTokenEndpointURI(), client, grant, null)
                : new TokenRequest(
                        p.metadata().getTokenEndpointURI(),
                        new ClientSecretBasic(client, new Secret(config.clientSecret())),
                        grant,
                        null);
        TokenResponse response;
        try {
            response = OIDCTokenResponseParser.parse(send(request.toHTTPRequest()));
        } catch (ParseException e) {
            throw ApiException.unauthorized("the OIDC provider's token response is not valid: " + e.getMessage());
        }
        if (!response.indicatesSuccess()) {
            ErrorObject err = response.toErrorResponse().getErrorObject();
            throw ApiException.unauthorized("the OIDC provider refused the authorization code: " + err.getCode()
                    + (err.getDescription() == null ? "" : " (" + err.getDescription() + ")"));
        }
        JWT idToken = ((OIDCTokenResponse) response.toSuccessResponse())
                .getOIDCTokens()
                .getIDToken();
        if (idToken == null) throw ApiException.unauthorized("the OIDC provider's token response has no ID token");
        IDTokenClaimsSet claims;
        try {
            claims = p.validator().validate(idToken, new Nonce(nonce));
        } catch (BadJOSEException | JOSEException e) {
            throw ApiException.unauthorized("the ID token failed verification: " + e.getMessage());
        }
        Map<String, Object> all = new LinkedHashMap<>();
        claims.toJSONObject().forEach((k, v) -> {
            if (v != null) all.put(k, v);
        });
        try {
            return provisioning.signIn(new VerifiedClaims(
                    claims.getIssuer().getValue(), claims.getSubject().getValue(), all));
        } catch (SignInRefusedException e) {
            throw ApiException.forbidden(e.getMessage());
        }
    }

    private static void require(String field, String value) {
        if (value == null || value.isBlank()) throw ApiException.badRequest(field, "'" + field + "' is required");
    }

    private static com.nimbusds.oauth2.sdk.http.HTTPResponse send(HTTPRequest request) {
        request.setConnectTimeout(TIMEOUT_MS);
        request.setReadTimeout(TIMEOUT_MS);
        try {
            return request.send();
        } catch (IOException e) {
            throw ApiException.unavailable("the OIDC provider cannot be reached: " + e.getMessage());
        }
    }

    private Provider provider() {
        Provider p = provider;
        if (p != null) return p;
        synchronized (this) {
            if (provider == null) provider = discover();
            return provider;
        }
    }

    private Provider discover() {
        OIDCProviderMetadata m;
        try {
            m = OIDCProviderMetadata.resolve(new Issuer(config.issuer()), TIMEOUT_MS, TIMEOUT_MS);
        } catch (GeneralException | IOException e) {
            throw ApiException.unavailable(
                    "the OIDC provider " + config.issuer() + " cannot be discovered: " + e.getMessage());
        }
        Set<JWSAlgorithm> algs = new HashSet<>();
        if (m.getIDTokenJWSAlgs() != null) {
            for (JWSAlgorithm a : m.getIDTokenJWSAlgs()) {
                // asymmetric only: HMAC keys would be the client secret, "none" is never accepted
                if (JWSAlgorithm.Family.SIGNATURE.contains(a)) algs.add(a);
            }
        }
        if (algs.isEmpty()) algs.add(JWSAlgorithm.RS256);
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.create(m.getJWKSetURI().toURL()).build();
        } catch (MalformedURLException | RuntimeException e) {
            throw ApiException.unavailable("the OIDC provider's jwks_uri is not usable: " + e.getMessage());
        }
        IDTokenValidator validator = new IDTokenValidator(
                m.getIssuer(), new ClientID(config.clientId()), new JWSVerificationKeySelector<>(algs, keys), null);
        return new Provider(m, validator);
    }
}
