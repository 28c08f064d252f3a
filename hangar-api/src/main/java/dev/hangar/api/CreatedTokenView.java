package dev.hangar.api;

/**
 * Answer of {@code POST /api/v1/users/me/tokens}: the only time the secret is shown.
 *
 * @param token the listing view
 * @param secret the full bearer token, {@code hgr_<id>_<secret>}; store it now, it cannot be shown
 *     again
 */
public record CreatedTokenView(TokenView token, String secret) {
    @Override
    public String toString() {
        return "CreatedTokenView[" + token + ", secret=<redacted>]";
    }
}
