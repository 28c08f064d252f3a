package dev.hangar.server.dashboard;

import io.javalin.http.Context;
import java.util.Locale;

/**
 * When the dashboard's cookies (the session's and the OIDC sign-in's) carry {@code Secure}: the
 * server setting {@code dashboard.secure-cookies}. {@link #AUTO} (the default) marks them Secure
 * when the request came over TLS, as the server sees it or as a TLS-terminating proxy says with
 * {@code X-Forwarded-Proto: https}; {@link #ALWAYS} for a server that is only reached over TLS
 * (e.g. behind a proxy that sends no such header); {@link #NEVER} only for plain-HTTP setups that
 * a proxy marks as https wrongly. Immutable; thread-safe.
 */
public enum SecureCookies {
    /** Secure when the request came over TLS. */
    AUTO,
    /** Always Secure. */
    ALWAYS,
    /** Never Secure. */
    NEVER;

    /**
     * @param value {@code auto}, {@code always} or {@code never} (any case, surrounding blanks ignored)
     * @throws IllegalArgumentException naming the allowed values for anything else
     */
    public static SecureCookies parse(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "always" -> ALWAYS;
            case "never" -> NEVER;
            default -> throw new IllegalArgumentException("must be auto, always or never, got '" + value.strip() + "'");
        };
    }

    /** @return the setting's value as {@code server.yaml} spells it */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return whether a cookie set in answer to a request that came over TLS ({@code overTls}) or not is Secure */
    public boolean secure(boolean overTls) {
        return switch (this) {
            case AUTO -> overTls;
            case ALWAYS -> true;
            case NEVER -> false;
        };
    }

    /** @return {@link #secure(boolean)} for this request ({@link WebSecurity#overTls}) */
    boolean secure(Context ctx) {
        return secure(WebSecurity.overTls(ctx));
    }
}
