package dev.hangar.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.server.HangarServer;
import dev.hangar.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard cookies' attributes and when they are Secure ({@code dashboard.secure-cookies}):
 * the pure rules first, then the real server over a real socket with {@code always} and {@code
 * never} (the default {@code auto} is in {@link DashboardSecurityTest}).
 */
class SecureCookiesTest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @Test
    void theSettingParsesItsThreeValuesOnly() {
        assertThat(SecureCookies.parse("auto")).isEqualTo(SecureCookies.AUTO);
        assertThat(SecureCookies.parse(" ALWAYS ")).isEqualTo(SecureCookies.ALWAYS);
        assertThat(SecureCookies.parse("never")).isEqualTo(SecureCookies.NEVER);
        assertThatThrownBy(() -> SecureCookies.parse("true"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("must be auto, always or never, got 'true'");
        for (SecureCookies s : SecureCookies.values())
            assertThat(SecureCookies.parse(s.wireName())).isEqualTo(s);
    }

    @Test
    void autoFollowsTlsAlwaysAndNeverDoNot() {
        assertThat(SecureCookies.AUTO.secure(true)).isTrue();
        assertThat(SecureCookies.AUTO.secure(false)).isFalse();
        assertThat(SecureCookies.ALWAYS.secure(false)).isTrue();
        assertThat(SecureCookies.ALWAYS.secure(true)).isTrue();
        assertThat(SecureCookies.NEVER.secure(true)).isFalse();
        assertThat(SecureCookies.NEVER.secure(false)).isFalse();
    }

    @Test
    void theSessionCookieIsHttpOnlyStrictSiteWidePerBrowserSessionAndSecureWhenAsked() {
        assertThat(WebSecurity.sessionCookie("abc", true))
                .isEqualTo("hangar_session=abc; Path=/; HttpOnly; SameSite=Strict; Secure");
        assertThat(WebSecurity.sessionCookie("abc", false))
                .isEqualTo("hangar_session=abc; Path=/; HttpOnly; SameSite=Strict");
        assertThat(WebSecurity.clearedSessionCookie(true))
                .isEqualTo("hangar_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure");
        assertThat(WebSecurity.clearedSessionCookie(false)).doesNotContain("Secure");
    }

    @Test
    void alwaysMarksTheCookieSecureOverPlainHttpAndNeverDoesNotEvenBehindTls(@TempDir Path home) throws Exception {
        assertThat(signInCookie(home.resolve("always"), SecureCookies.ALWAYS, Map.of()))
                .startsWith("hangar_session=")
                .endsWith("; HttpOnly; SameSite=Strict; Secure");
        assertThat(signInCookie(home.resolve("never"), SecureCookies.NEVER, Map.of("X-Forwarded-Proto", "https")))
                .startsWith("hangar_session=")
                .endsWith("; HttpOnly; SameSite=Strict");
    }

    /** Starts a server with {@code policy}, signs in with a token and returns the cookie it sets. */
    private static String signInCookie(Path home, SecureCookies policy, Map<String, String> headers) throws Exception {
        ServerConfig config = ServerConfig.defaults(home, Map.of("USER", "cookies"))
                .withListen("127.0.0.1", 0)
                .withTemplates(home.resolve("templates"), false)
                .withDashboardSecureCookies(policy);
        try (HangarServer server =
                HangarServer.builder(config).discoverProviders(false).start()) {
            String token = server.users().issueToken("cookies", "cookie-test").token();
            URI uri = server.baseUri().resolve("/ui/sign-in");
            HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + token));
            headers.forEach(b::header);
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
            return r.headers().firstValue("Set-Cookie").orElseThrow();
        }
    }
}
