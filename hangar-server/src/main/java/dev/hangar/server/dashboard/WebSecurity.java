package dev.hangar.server.dashboard;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * The dashboard's browser-facing security rules, in one place: response headers (a strict
 * Content-Security-Policy without inline script or style, {@code frame-ancestors 'none'}, {@code
 * nosniff}, {@code Referrer-Policy: same-origin}), the session cookie's attributes ({@link
 * SecureCookies} decides {@code Secure}), and the cross-site checks of
 * every state-changing request. Stateless; thread-safe.
 */
final class WebSecurity {
    /** The session cookie's name. */
    static final String COOKIE = "hangar_session";

    /** The form field that carries the CSRF synchronizer token. */
    static final String CSRF_FIELD = "csrf";

    /**
     * Everything from this origin only; no inline script, no inline style (attributes included),
     * no plugins, no framing, forms post only here.
     */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none';"
            + " frame-ancestors 'none'; object-src 'none'";

    private WebSecurity() {}

    /** Sets the security headers on a dashboard response. */
    static void headers(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        // same-origin, not no-referrer: under no-referrer browsers send "Origin: null" on form posts,
        // which the cross-site check would refuse; nothing leaks to other origins either way.
        ctx.header("Referrer-Policy", "same-origin");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        ctx.header("Cache-Control", "no-store");
    }

    /**
     * @return whether this request came over TLS, as the server sees it or as a TLS-terminating
     *     proxy says with {@code X-Forwarded-Proto: https}; the session cookie is then {@code
     *     Secure} (a forged header can only make the client's own cookie stricter)
     */
    static boolean overTls(Context ctx) {
        String forwarded = ctx.header("X-Forwarded-Proto");
        return "https".equalsIgnoreCase(ctx.scheme())
                || (forwarded != null
                        && forwarded.strip().toLowerCase(Locale.ROOT).equals("https"));
    }

    /**
     * @return the {@code Set-Cookie} value of the session cookie: HttpOnly, SameSite=Strict, Path=/,
     *     a browser-session cookie (no Max-Age), and Secure when {@code secure}
     */
    static String sessionCookie(String id, boolean secure) {
        return COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /** @return the {@code Set-Cookie} value that clears the session cookie (same attributes, Max-Age=0) */
    static String clearedSessionCookie(boolean secure) {
        return COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /** Sets the session cookie ({@link #sessionCookie}), Secure as {@code policy} says for this request. */
    static void setSessionCookie(Context ctx, String id, SecureCookies policy) {
        ctx.header("Set-Cookie", sessionCookie(id, policy.secure(ctx)));
    }

    /** Clears the session cookie. */
    static void clearSessionCookie(Context ctx, SecureCookies policy) {
        ctx.header("Set-Cookie", clearedSessionCookie(policy.secure(ctx)));
    }

    /**
     * @return whether a state-changing request may come from where it says it comes from: refused
     *     when the browser marks it cross-site or same-site-but-other-origin ({@code Sec-Fetch-Site}),
     *     or when its {@code Origin} is not this server's own origin. A request with neither header
     *     (a non-browser client) passes this check and still needs the CSRF token.
     */
    static boolean sameOrigin(Context ctx) {
        String site = ctx.header("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) return false;
        String origin = ctx.header("Origin");
        if (origin == null) return true;
        String host = ctx.header("Host");
        if (host == null) return false;
        return origin.equals("http://" + host) || origin.equals("https://" + host);
    }

    /**
     * @return whether a WebSocket handshake comes from this server's own pages: unlike {@link
     *     #sameOrigin}, the {@code Origin} header is required (browsers always send it on a
     *     WebSocket handshake, and the same-site session cookie alone does not stop a page on
     *     another port of this host) and must be this server's own origin
     */
    static boolean webSocketFromOwnPage(Context ctx) {
        return ctx.header("Origin") != null && sameOrigin(ctx);
    }

    /**
     * Sets the security headers of a page whose library adds {@code <style>} elements at run time
     * (xterm.js): {@link #CSP} with {@code style-src} also allowing elements that carry {@code
     * nonce} (fresh per response; never {@code 'unsafe-inline'}), nothing else relaxed.
     */
    static void headers(Context ctx, String styleNonce) {
        headers(ctx);
        ctx.header(
                "Content-Security-Policy",
                CSP.replace("style-src 'self';", "style-src 'self' 'nonce-" + styleNonce + "';"));
    }

    /** @return a fresh nonce for {@link #headers(Context, String)}: 128 random bits, base64url */
    static String nonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** @return whether the form's CSRF token equals the session's (constant-time comparison) */
    static boolean csrfMatches(Context ctx, String expected) {
        String given = ctx.formParam(CSRF_FIELD);
        if (given == null) return false;
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }
}
