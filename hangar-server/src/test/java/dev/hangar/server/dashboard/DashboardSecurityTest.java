package dev.hangar.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.server.HangarServer;
import dev.hangar.server.ServerConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's HTTP-level security over a real socket (the real server, no provider, no
 * browser): security headers, sign-in and its cookie, redirects without a session, the refusal of
 * cross-site and token-less POSTs, sign-out, and that every asset comes from the jar. The browser
 * side is {@code DashboardBrowserTest} in hangar-testing.
 */
class DashboardSecurityTest {
    @TempDir
    static Path home;

    private static HangarServer server;
    private static String token;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start() {
        ServerConfig config = ServerConfig.defaults(home, Map.of("USER", "dashsec"))
                .withListen("127.0.0.1", 0)
                .withTemplates(home.resolve("templates"), false);
        server = HangarServer.builder(config).discoverProviders(false).start();
        token = server.users().issueToken("dashsec", "dashboard-security-test").token();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void pagesWithoutASessionGoToSignInAndFragmentsAnswer401() throws Exception {
        HttpResponse<String> root = get("/", "");
        assertThat(root.statusCode()).isEqualTo(303);
        assertThat(root.headers().firstValue("Location")).contains("/ui/sign-in");

        HttpResponse<String> stale = get("/", "hangar_session=not-a-live-session");
        assertThat(stale.statusCode()).isEqualTo(303);
        assertThat(stale.headers().firstValue("Location")).contains("/ui/sign-in?expired=1");

        assertThat(get("/ui/workspaces/rows", "hangar_session=gone").statusCode())
                .isEqualTo(401);
        HttpResponse<String> signIn = get("/ui/sign-in?expired=1", "");
        assertThat(signIn.body()).contains("Your session has ended");
    }

    @Test
    void everyPageCarriesAStrictContentSecurityPolicy() throws Exception {
        HttpResponse<String> r = get("/ui/sign-in", "");
        assertThat(r.statusCode()).isEqualTo(200);
        String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp)
                .contains("script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "default-src 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval");
        assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(r.headers().firstValue("Referrer-Policy")).contains("same-origin");
        // no inline script and no inline style attribute in what the server renders
        assertThat(r.body()).doesNotContainPattern("<script(?![^>]*\\bsrc=)").doesNotContain("style=");
    }

    @Test
    void signInSetsAnHttpOnlyStrictCookieSecureOnlyBehindTls() throws Exception {
        HttpResponse<String> wrong = post("/ui/sign-in", "", Map.of("token", "hgr_wrong"), Map.of());
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("not valid");
        assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();

        HttpResponse<String> plain = post("/ui/sign-in", "", Map.of("token", token), Map.of());
        assertThat(plain.statusCode()).isEqualTo(303);
        String cookie = plain.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith("hangar_session=").contains("HttpOnly", "SameSite=Strict", "Path=/");
        assertThat(cookie).doesNotContain("Secure");

        HttpResponse<String> tls =
                post("/ui/sign-in", "", Map.of("token", token), Map.of("X-Forwarded-Proto", "https"));
        assertThat(tls.headers().firstValue("Set-Cookie").orElseThrow()).contains("; Secure");
    }

    @Test
    void crossSiteAndTokenlessPostsAreRefusedAndSignOutEndsTheSession() throws Exception {
        String session = signIn();
        String csrf = csrfOf(get("/ui/keys", session).body());
        String key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl dash@test";

        HttpResponse<String> foreign =
                post("/ui/keys", session, Map.of("csrf", csrf, "key", key), Map.of("Origin", "http://evil.example"));
        assertThat(foreign.statusCode()).isEqualTo(403);
        HttpResponse<String> crossSite =
                post("/ui/keys", session, Map.of("csrf", csrf, "key", key), Map.of("Sec-Fetch-Site", "cross-site"));
        assertThat(crossSite.statusCode()).isEqualTo(403);
        HttpResponse<String> noToken = post("/ui/keys", session, Map.of("key", key), Map.of());
        assertThat(noToken.statusCode()).isEqualTo(403);
        HttpResponse<String> wrongToken = post("/ui/keys", session, Map.of("csrf", "x" + csrf, "key", key), Map.of());
        assertThat(wrongToken.statusCode()).isEqualTo(403);
        assertThat(server.users().keys("dashsec")).isEmpty();

        HttpResponse<String> ok = post("/ui/keys", session, Map.of("csrf", csrf, "key", key), Map.of());
        assertThat(ok.statusCode()).isEqualTo(303);
        assertThat(server.users().keys("dashsec")).hasSize(1);

        HttpResponse<String> out = post("/ui/sign-out", session, Map.of("csrf", csrf), Map.of());
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
        HttpResponse<String> after = get("/ui/keys", session);
        assertThat(after.statusCode()).isEqualTo(303);
        assertThat(after.headers().firstValue("Location")).contains("/ui/sign-in?expired=1");
    }

    @Test
    void assetsAndApiDocsComeFromTheJarAndOnlyListedFilesAreServed() throws Exception {
        HttpResponse<String> js = get("/ui/static/dashboard.js", "");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/javascript");
        assertThat(get("/ui/static/dashboard.css", "").statusCode()).isEqualTo(200);
        assertThat(get("/ui/static/docs.html", "").statusCode()).isEqualTo(404);

        HttpResponse<String> docs = get("/api/docs", "");
        assertThat(docs.statusCode()).isEqualTo(200);
        assertThat(docs.body()).contains("swagger-ui-bundle.js", "/ui/static/docs-init.js");
        assertThat(docs.body()).doesNotContainPattern("<script(?![^>]*\\bsrc=)");
        assertThat(docs.headers().firstValue("Content-Security-Policy").orElseThrow())
                .doesNotContain("unsafe-inline");
        HttpResponse<String> bundle = get("/api/docs/swagger-ui-bundle.js", "");
        assertThat(bundle.statusCode()).isEqualTo(200);
        assertThat(bundle.body()).contains("SwaggerUIBundle");
        assertThat(get("/api/docs/index.html", "").statusCode()).isEqualTo(404);
        assertThat(get("/ui/static/docs-init.js", "").body()).contains("/api/v1/openapi.yaml");
    }

    @Test
    void theDashboardStaysOutOfTheApiRouteTable() {
        assertThat(server.routes()).noneMatch(r -> DashboardRoutes.owns(r.substring(r.indexOf(' ') + 1)));
        assertThat(server.routes()).contains("GET /api/v1/workspaces");
        assertThat(DashboardRoutes.owns("/")).isTrue();
        assertThat(DashboardRoutes.owns("/ui/keys")).isTrue();
        assertThat(DashboardRoutes.owns("/api/docs")).isTrue();
        assertThat(DashboardRoutes.owns("/api/v1/workspaces")).isFalse();
        assertThat(DashboardRoutes.owns("/api/docsx")).isFalse();
        assertThat(DashboardRoutes.owns("/auth/callback")).isTrue();
    }

    @Test
    void theUsersPageAnswers403ToAMemberAndListsUsersForAnAdmin() throws Exception {
        server.users().create("dashsec-member", dev.hangar.core.domain.Role.MEMBER);
        String memberToken =
                server.users().issueToken("dashsec-member", "users-page").token();
        HttpResponse<String> signedIn = post("/ui/sign-in", "", Map.of("token", memberToken), Map.of());
        String cookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
        cookie = cookie.substring(0, cookie.indexOf(';'));
        HttpResponse<String> refused = get("/ui/users", cookie);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("only admins may list users").doesNotContain("href=\"/ui/users\"");
        assertThat(get("/", cookie).body()).doesNotContain("href=\"/ui/users\"");

        HttpResponse<String> admin = get("/ui/users", signIn());
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(admin.body()).contains("dashsec-member", "href=\"/ui/users\"");
    }

    @Test
    void withoutOidcTheSignInPageOffersNoProviderAndItsRoutesAnswer404() throws Exception {
        assertThat(get("/ui/sign-in", "").body()).doesNotContain("Sign in with", "sign-in-oidc");
        assertThat(get("/ui/sign-in/oidc", "").statusCode()).isEqualTo(404);
        assertThat(get("/auth/callback?code=x&state=y", "").statusCode()).isEqualTo(404);
    }

    private static String signIn() throws Exception {
        HttpResponse<String> r = post("/ui/sign-in", "", Map.of("token", token), Map.of());
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return cookie.substring(0, cookie.indexOf(';'));
    }

    static String csrfOf(String html) {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
        assertThat(m.find()).as("a csrf field in the page").isTrue();
        return m.group(1);
    }

    private static HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path));
        if (!cookie.isEmpty()) b.header("Cookie", cookie);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(
            String path, String cookie, Map<String, String> form, Map<String, String> headers) throws Exception {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (!cookie.isEmpty()) b.header("Cookie", cookie);
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return server.baseUri().resolve(path);
    }
}
