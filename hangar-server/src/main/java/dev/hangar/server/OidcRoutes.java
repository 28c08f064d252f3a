package dev.hangar.server;

import dev.hangar.api.CreatedTokenView;
import dev.hangar.api.OidcLoginView;
import dev.hangar.api.OidcTokenRequest;
import dev.hangar.core.domain.User;
import dev.hangar.core.service.Tokens;
import dev.hangar.core.service.UserService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /api/v1/auth/oidc}: OpenID Connect sign-in for clients that hold no Hangar token yet (both
 * routes are public; issue #15, item 3). {@code GET} tells a client the provider and client id;
 * {@code POST .../token} takes an authorization code with its PKCE verifier, redirect URI and
 * nonce, has {@link OidcSignIn} redeem and verify it at the provider, and answers the user and a
 * new API token (named {@code oidc-<time>-<random>}, lifetime {@code oidc.token-expires}). When no
 * provider is configured both answer 404.
 */
final class OidcRoutes {
    static final String INFO = "/api/v1/auth/oidc";
    static final String TOKEN = "/api/v1/auth/oidc/token";

    /** The public paths of these routes, for {@link BearerAuth}. */
    static final Set<String> PUBLIC = Set.of(INFO, TOKEN);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Optional<OidcSignIn> signIn;
    private final UserService users;
    private final Duration tokenLifetime;

    OidcRoutes(Optional<OidcSignIn> signIn, UserService users, Duration tokenLifetime) {
        this.signIn = signIn;
        this.users = users;
        this.tokenLifetime = tokenLifetime;
    }

    void register(RoutesConfig r) {
        r.get(INFO, ctx -> ctx.json(signIn().info()));
        r.post(TOKEN, this::token);
    }

    private OidcSignIn signIn() {
        return signIn.orElseThrow(() -> new dev.hangar.core.domain.NotFoundException(
                "OIDC sign-in is not configured on this server (server config key oidc.issuer); log in with an"
                        + " API token instead"));
    }

    private void token(Context ctx) {
        OidcSignIn s = signIn();
        OidcTokenRequest req = RequestBodies.read(ctx, OidcTokenRequest.class);
        URI redirect;
        try {
            redirect = new URI(req.redirectUri() == null ? "" : req.redirectUri());
            if (!redirect.isAbsolute()) throw new URISyntaxException(req.redirectUri(), "not absolute");
        } catch (URISyntaxException e) {
            throw ApiException.badRequest(
                    "redirectUri",
                    "'redirectUri' must be the absolute redirect URI of the"
                            + " authorization request, e.g. http://127.0.0.1:53124/callback");
        }
        User user = s.complete(req.code(), req.codeVerifier(), redirect, req.nonce());
        // the audit entry of this request names the signed-in user as its actor
        ctx.attribute(BearerAuth.USER, user);
        byte[] suffix = new byte[3];
        RANDOM.nextBytes(suffix);
        String name = "oidc-" + Long.toString(System.currentTimeMillis() / 1000, 36) + "-"
                + HexFormat.of().formatHex(suffix);
        Tokens.Created created = users.createToken(user.name(), name, Optional.of(tokenLifetime));
        ctx.json(new OidcLoginView(
                Views.user(user), new CreatedTokenView(Views.token(created.stored()), created.token())));
    }
}
