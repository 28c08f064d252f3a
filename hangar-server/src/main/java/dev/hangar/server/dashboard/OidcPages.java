package dev.hangar.server.dashboard;

import dev.hangar.core.domain.User;
import dev.hangar.server.ApiException;
import dev.hangar.server.OidcSignIn;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's side of OIDC sign-in (issue #15, item 3): {@code GET /ui/sign-in/oidc} starts an
 * authorization-code request with {@link OidcSignIn#begin} (PKCE S256, fresh state and nonce) and
 * sends the browser to the provider; {@code GET /auth/callback} checks the returned {@code state}
 * against the one kept for this browser and has {@link OidcSignIn#complete} redeem the code and
 * verify the ID token. The caller then starts the dashboard session.
 *
 * <p><b>What is kept between the two.</b> The state, nonce and PKCE verifier stay on the server, in
 * memory, under the SHA-256 of a random id that the browser holds in the cookie {@value #COOKIE}
 * (HttpOnly, {@code SameSite=Lax} because the provider's redirect back is a cross-site top-level
 * navigation, {@code Path=/auth/callback}, at most {@link #PENDING_FOR}). A pending sign-in is used
 * once: the callback removes it whatever the outcome. At most {@link #MAX_PENDING} are held.
 *
 * <p>Thread-safe.
 */
final class OidcPages {
    /** The cookie that ties a callback to the browser that started the sign-in. */
    static final String COOKIE = "hangar_oidc";

    /** The dashboard's redirect URI path (registered at the provider as {@code <origin>/auth/callback}). */
    static final String CALLBACK = "/auth/callback";

    /** How long a started sign-in may take at the provider. */
    static final Duration PENDING_FOR = Duration.ofMinutes(10);

    /** Started sign-ins held at most (a flood of starts is refused, not kept). */
    static final int MAX_PENDING = 10_000;

    private record Pending(OidcSignIn.Start start, URI redirect, Instant expires) {}

    private final OidcSignIn signIn;
    private final Clock clock;
    private final SecureCookies cookies;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    OidcPages(OidcSignIn signIn, Clock clock, SecureCookies cookies) {
        this.signIn = signIn;
        this.clock = clock;
        this.cookies = cookies;
    }

    /**
     * @return what the sign-in page's button says after "Sign in with": the provider's host (and
     *     port when it has one)
     */
    String providerName() {
        return signIn.issuerName();
    }

    /** Starts a sign-in: keeps its secrets for this browser and redirects to the provider. */
    void begin(Context ctx) {
        Instant now = clock.instant();
        pending.values().removeIf(p -> !now.isBefore(p.expires()));
        if (pending.size() >= MAX_PENDING)
            throw ApiException.unavailable("too many sign-ins are under way; try again in a few minutes");
        URI redirect = URI.create(origin(ctx) + CALLBACK);
        OidcSignIn.Start start = signIn.begin(redirect);
        String id = randomId();
        pending.put(hash(id), new Pending(start, redirect, now.plus(PENDING_FOR)));
        ctx.header(
                "Set-Cookie",
                COOKIE + "=" + id + "; Path=" + CALLBACK + "; Max-Age=" + PENDING_FOR.toSeconds()
                        + "; HttpOnly; SameSite=Lax" + (cookies.secure(ctx) ? "; Secure" : ""));
        ctx.redirect(start.authorizationUrl().toString(), HttpStatus.SEE_OTHER);
    }

    /**
     * Completes the sign-in the provider redirected back with.
     *
     * @return the signed-in user
     * @throws ApiException 401 when no sign-in was started from this browser (or it expired), the
     *     state differs, the provider reports an error, or the code or ID token is refused; 403 and
     *     503 as {@link OidcSignIn#complete}
     */
    User complete(Context ctx) {
        String id = ctx.cookie(COOKIE);
        ctx.header(
                "Set-Cookie",
                COOKIE + "=; Path=" + CALLBACK + "; Max-Age=0; HttpOnly; SameSite=Lax"
                        + (cookies.secure(ctx) ? "; Secure" : ""));
        Pending p = id == null || id.isEmpty() ? null : pending.remove(hash(id));
        if (p == null || !clock.instant().isBefore(p.expires()))
            throw ApiException.unauthorized("this sign-in was not started here or took too long; start it again");
        String error = ctx.queryParam("error");
        if (error != null)
            throw ApiException.unauthorized("the OIDC provider refused the sign-in: " + error
                    + Optional.ofNullable(ctx.queryParam("error_description"))
                            .map(d -> " (" + d + ")")
                            .orElse(""));
        String state = Optional.ofNullable(ctx.queryParam("state")).orElse("");
        if (!MessageDigest.isEqual(
                state.getBytes(StandardCharsets.UTF_8), p.start().state().getBytes(StandardCharsets.UTF_8)))
            throw ApiException.unauthorized("the sign-in's state does not match the one this browser started");
        String code = Optional.ofNullable(ctx.queryParam("code")).orElse("");
        if (code.isEmpty()) throw ApiException.unauthorized("the OIDC provider sent no authorization code");
        return signIn.complete(
                code, p.start().codeVerifier(), p.redirect(), p.start().nonce());
    }

    /** @return the origin the browser used: scheme (https behind TLS) and Host header */
    private static String origin(Context ctx) {
        String host = Optional.ofNullable(ctx.header("Host")).orElse(ctx.host());
        return (WebSecurity.overTls(ctx) ? "https" : "http") + "://" + host;
    }

    private String randomId() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String hash(String id) {
        try {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
