package dev.hangar.oidctest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import dev.hangar.api.CliConfig;
import dev.hangar.cli.CliHarness;
import dev.hangar.core.domain.Role;
import dev.hangar.core.oidc.OidcPolicy;
import dev.hangar.core.oidc.OidcProvisioning;
import dev.hangar.server.ApiException;
import dev.hangar.server.OidcConfig;
import dev.hangar.server.OidcSignIn;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OIDC sign-in end to end (issue #15, item 3) against a real provider (Spring Authorization
 * Server, {@link TestOidcProvider}) and the real Hangar server over a real socket (TestControlPlane,
 * SQLite), browser-less: {@link ProviderBrowser} follows the provider's redirects and posts its
 * login form as a browser would. The CLI ({@code hangar login --oidc}) runs in-process and gets the
 * callback on its loopback listener; the refusals are checked on the server's route with a client
 * built here from the Nimbus SDK, so that each can be made wrong in exactly one way.
 */
class OidcSignInTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final OidcPolicy POLICY = new OidcPolicy(
            "preferred_username",
            "groups",
            Map.of(Role.ADMIN, Set.of("hangar-admins"), Role.AUDITOR, Set.of("hangar-auditors")),
            Role.MEMBER);

    private static TestOidcProvider provider;
    private static TestControlPlane cp;
    private static TestHttp http;
    private static OidcConfig oidc;
    private static final HttpClient PLAIN = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        provider = TestOidcProvider.start();
        oidc = OidcConfig.OFF
                .withProvider(provider.issuer(), TestOidcProvider.CLIENT_ID, "")
                .withPolicy(POLICY);
        cp = TestControlPlane.builder().configure(c -> c.withOidc(oidc)).start();
        http = cp.http();
    }

    @AfterAll
    static void stop() {
        if (cp != null) cp.close();
        if (provider != null) provider.close();
    }

    /** A provider user with a unique login; its preferred_username is {@code name}. */
    private static String person(String name, List<String> groups) {
        String login = "login-" + SEQ.incrementAndGet();
        provider.addUser(login, "pw-" + login, name, groups);
        return login;
    }

    private static String unique(String base) {
        return base + "-" + SEQ.incrementAndGet();
    }

    // ---- the CLI ---------------------------------------------------------------------------

    @Test
    void theCliSignsInCreatesTheUserWithTheMappedRoleReusesItAndFollowsAGroupsChange(@TempDir Path home)
            throws Exception {
        String name = unique("ada");
        String login = person(name, List.of("hangar-admins", "staff"));

        String token = cliLogin(home, login);
        JsonNode me = TestHttp.json(http.get("/api/v1/users/me", token));
        assertThat(me.get("name").asText()).isEqualTo(name);
        assertThat(me.get("role").asText()).isEqualTo("admin");
        int users = TestHttp.json(http.get("/api/v1/users", cp.adminToken())).size();

        // the second sign-in finds the same user (by issuer and subject) and creates no other
        String second = cliLogin(home, login);
        assertThat(second).isNotEqualTo(token);
        assertThat(TestHttp.json(http.get("/api/v1/users/me", second))
                        .get("name")
                        .asText())
                .isEqualTo(name);
        assertThat(TestHttp.json(http.get("/api/v1/users", cp.adminToken())).size())
                .isEqualTo(users);
        JsonNode tokens = TestHttp.json(http.get("/api/v1/users/me/tokens", second));
        assertThat(tokens.findValuesAsText("name")).hasSize(2).allMatch(n -> n.startsWith("oidc-"));

        // removed from hangar-admins at the provider: a member from the next sign-in on
        provider.setGroups(login, List.of("staff"));
        String third = cliLogin(home, login);
        assertThat(TestHttp.json(http.get("/api/v1/users/me", third))
                        .get("role")
                        .asText())
                .isEqualTo("member");
        // the role is the user's: the earlier tokens act as a member too
        assertThat(http.get("/api/v1/users", token).statusCode()).isEqualTo(403);

        // the sign-ins are in the audit log with the user as the actor
        JsonNode audit = TestHttp.json(http.get("/api/v1/audit?action=auth.oidc&user=" + name, cp.adminToken()));
        assertThat(audit.toString()).contains("\"auth.oidc\"");
    }

    @Test
    void theCliRefusesACallbackWithAnotherStateAndSavesNothing(@TempDir Path home) throws Exception {
        String login = person(unique("bea"), List.of());
        CliHarness cli = new CliHarness(home);
        CliHarness.Running running = startCliLogin(cli);
        URI callback = new ProviderBrowser().authorize(authorizationUrl(running), login, "pw-" + login);
        URI forged = URI.create(callback.toString().replaceAll("state=[^&]+", "state=forged"));
        HttpResponse<String> answer =
                PLAIN.send(HttpRequest.newBuilder(forged).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(running.exit().get(60, TimeUnit.SECONDS)).as(running.soFar()).isEqualTo(7);
        assertThat(running.err().toString()).contains("state does not match");
        assertThat(home.resolve("hangar/cli.yaml")).doesNotExist();
    }

    @Test
    void theCliSaysClearlyWhenTheServerHasNoOidcProvider(@TempDir Path home) {
        try (TestControlPlane off = TestControlPlane.start()) {
            CliHarness.Result r = new CliHarness(home)
                    .run("login", "--oidc", "--server", off.baseUri().toString(), "--no-browser", "--timeout", "5s");
            assertThat(r.code()).as(r.toString()).isEqualTo(4);
            assertThat(r.err()).contains("OIDC sign-in is not configured on this server");
            assertThat(home.resolve("hangar/cli.yaml")).doesNotExist();
        }
    }

    // ---- the server's checks, one wrong thing at a time ------------------------------------

    @Test
    void aWrongNonceIsRefusedWith401() throws Exception {
        String name = unique("cid");
        String login = person(name, List.of());
        Flow f = Flow.start();
        HttpResponse<String> r = exchange(f.code(login), f.verifier, f.redirect, new Nonce().getValue());
        assertProblem(r, 401, "nonce");
        assertThat(userExists(name)).isFalse();
    }

    @Test
    void anIdTokenForAnotherAudienceIsRefusedWith401() throws Exception {
        String login = person(unique("dan"), List.of());
        provider.issueForAudience(Optional.of("someone-else"));
        try {
            Flow f = Flow.start();
            assertProblem(exchange(f.code(login), f.verifier, f.redirect, f.nonce), 401, "audience");
        } finally {
            provider.issueForAudience(Optional.empty());
        }
    }

    @Test
    void anExpiredIdTokenIsRefusedWith401() throws Exception {
        String login = person(unique("eli"), List.of());
        provider.issueExpired(true);
        try {
            Flow f = Flow.start();
            assertProblem(exchange(f.code(login), f.verifier, f.redirect, f.nonce), 401, "expired");
        } finally {
            provider.issueExpired(false);
        }
    }

    @Test
    void aCodeWorksOnceAndOnlyWithItsVerifier() throws Exception {
        String login = person(unique("fay"), List.of());
        Flow f = Flow.start();
        String code = f.code(login);
        assertProblem(exchange(code, new CodeVerifier().getValue(), f.redirect, f.nonce), 401, "invalid_grant");
        Flow g = Flow.start();
        String other = g.code(login);
        assertThat(exchange(other, g.verifier, g.redirect, g.nonce).statusCode())
                .isEqualTo(200);
        assertProblem(exchange(other, g.verifier, g.redirect, g.nonce), 401, "invalid_grant");
    }

    @Test
    void aUserDisabledInHangarCannotSignIn() throws Exception {
        String name = unique("gus");
        String login = person(name, List.of());
        Flow f = Flow.start();
        HttpResponse<String> first = exchange(f.code(login), f.verifier, f.redirect, f.nonce);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String token = TestHttp.json(first).get("token").get("secret").asText();
        assertThat(http.send("PATCH", "/api/v1/users/" + name, cp.adminToken(), "{\"disabled\":true}")
                        .statusCode())
                .isEqualTo(200);
        Flow g = Flow.start();
        assertProblem(exchange(g.code(login), g.verifier, g.redirect, g.nonce), 403, "is disabled in hangar");
        assertThat(http.get("/api/v1/users/me", token).statusCode()).isEqualTo(401);
    }

    @Test
    void aNameThatBelongsToAnotherUserIsNeverTakenOver() throws Exception {
        String victim = unique("hal");
        String victimToken = cp.createUser(victim, Role.ADMIN).token();
        String login = person(victim, List.of());
        Flow f = Flow.start();
        assertProblem(
                exchange(f.code(login), f.verifier, f.redirect, f.nonce), 403, "already exists and is not linked");
        // the admin named the same is untouched, and still the only one of that name
        JsonNode me = TestHttp.json(http.get("/api/v1/users/me", victimToken));
        assertThat(me.get("role").asText()).isEqualTo("admin");
    }

    @Test
    void aUsernameClaimThatIsNoDns1123LabelIsRefusedClearly() throws Exception {
        String login = person("Ivy.Smith@example.com", List.of());
        Flow f = Flow.start();
        assertProblem(exchange(f.code(login), f.verifier, f.redirect, f.nonce), 403, "dns-1123 label");
    }

    @Test
    void theDashboardEntryPointBeginsAndCompletesASignIn() throws Exception {
        String name = unique("jo");
        String login = person(name, List.of("hangar-auditors"));
        OidcSignIn signIn =
                new OidcSignIn(oidc, new OidcProvisioning(cp.server().store(), Clock.systemUTC(), POLICY));
        URI redirect = URI.create("http://127.0.0.1:9/auth/callback");
        OidcSignIn.Start start = signIn.begin(redirect);
        URI callback = new ProviderBrowser().authorize(start.authorizationUrl(), login, "pw-" + login);
        Map<String, String> q = query(callback);
        assertThat(q.get("state")).isEqualTo(start.state());
        var user = signIn.complete(q.get("code"), start.codeVerifier(), redirect, start.nonce());
        assertThat(user.name()).isEqualTo(name);
        assertThat(user.role()).isEqualTo(Role.AUDITOR);
        // a second completion with the same code is refused by the provider
        try {
            signIn.complete(q.get("code"), start.codeVerifier(), redirect, start.nonce());
            throw new AssertionError("a replayed code must be refused");
        } catch (ApiException e) {
            assertThat(e.status()).isEqualTo(401);
        }
    }

    /**
     * The dashboard's "Sign in with ..." end to end: the sign-in page offers the provider, {@code
     * /ui/sign-in/oidc} sends the browser there (PKCE S256, state, nonce, the dashboard's {@code
     * /auth/callback}), and the callback starts a session on the dashboard. A callback with another
     * state, a replayed one and one from a browser that started nothing are refused without a session.
     */
    @Test
    void theDashboardSignsInThroughTheProviderAndRefusesAForeignOrReplayedCallback() throws Exception {
        String name = unique("dash");
        String login = person(name, List.of("hangar-auditors"));
        HttpClient browser = HttpClient.newBuilder()
                .cookieHandler(new java.net.CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpResponse<String> page = send(browser, cp.baseUri().resolve("/ui/sign-in"));
        assertThat(page.body())
                .contains("Sign in with " + provider.issuerUri().getHost() + ":"
                        + provider.issuerUri().getPort());

        // a callback whose state is not the one this browser started: refused, no session
        URI tampered = callbackOf(browser, login);
        String otherState = tampered.toString().replaceFirst("state=[^&]+", "state=" + new State().getValue());
        HttpResponse<String> refused = send(browser, URI.create(otherState));
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("state does not match");
        assertThat(refused.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("hangar_session="));

        // the real thing
        URI callback = callbackOf(browser, login);
        HttpResponse<String> done = send(browser, callback);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(303);
        assertThat(done.headers().firstValue("Location")).contains("/");
        String session = done.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("hangar_session="))
                .findFirst()
                .orElseThrow();
        assertThat(session).contains("HttpOnly", "SameSite=Strict");
        HttpResponse<String> home = send(browser, cp.baseUri().resolve("/"));
        assertThat(home.statusCode()).isEqualTo(200);
        assertThat(home.body()).contains(name + " (auditor)");

        // the same callback again (replayed), and from a browser that started no sign-in
        assertThat(send(browser, callback).statusCode()).isEqualTo(401);
        assertThat(send(HttpClient.newHttpClient(), callback).body()).contains("not started here");
        JsonNode audit = TestHttp.json(http.get("/api/v1/audit?action=auth.oidc&user=" + name, cp.adminToken()));
        assertThat(audit.toString()).contains("\"auth.oidc\"");
    }

    /** Starts a dashboard sign-in in {@code browser} and logs in at the provider; the callback URI, not yet requested. */
    private static URI callbackOf(HttpClient browser, String login) throws Exception {
        HttpResponse<String> begin = send(browser, cp.baseUri().resolve("/ui/sign-in/oidc"));
        assertThat(begin.statusCode()).as(begin.body()).isEqualTo(303);
        assertThat(begin.headers().firstValue("Set-Cookie").orElseThrow())
                .startsWith("hangar_oidc=")
                .contains("Path=/auth/callback", "HttpOnly", "SameSite=Lax");
        URI auth = URI.create(begin.headers().firstValue("Location").orElseThrow());
        Map<String, String> q = query(auth);
        assertThat(q.get("code_challenge_method")).isEqualTo("S256");
        assertThat(q).containsKeys("state", "nonce", "code_challenge");
        assertThat(q.get("redirect_uri"))
                .isEqualTo(cp.baseUri().resolve("/auth/callback").toString());
        URI callback = new ProviderBrowser().authorize(auth, login, "pw-" + login);
        assertThat(callback.getPath()).isEqualTo("/auth/callback");
        assertThat(query(callback).get("state")).isEqualTo(q.get("state"));
        return callback;
    }

    private static HttpResponse<String> send(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theDiscoveryInfoNamesTheProviderAndTheClient() {
        JsonNode info = TestHttp.json(http.get("/api/v1/auth/oidc", ""));
        assertThat(info.get("issuer").asText()).isEqualTo(provider.issuer());
        assertThat(info.get("clientId").asText()).isEqualTo(TestOidcProvider.CLIENT_ID);
        assertThat(info.get("authorizationEndpoint").asText()).startsWith(provider.issuer() + "/");
        assertThat(info.get("scopes").get(0).asText()).isEqualTo("openid");
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** An authorization request made here (the client's side), to be made wrong one way at a time. */
    private record Flow(URI url, URI redirect, String state, String nonce, String verifier) {
        static Flow start() {
            JsonNode info = TestHttp.json(http.get("/api/v1/auth/oidc", ""));
            URI redirect = URI.create("http://127.0.0.1:9/callback");
            CodeVerifier verifier = new CodeVerifier();
            State state = new State();
            Nonce nonce = new Nonce();
            URI url = new AuthenticationRequest.Builder(
                            ResponseType.CODE,
                            new Scope("openid", "profile"),
                            new ClientID(info.get("clientId").asText()),
                            redirect)
                    .endpointURI(URI.create(info.get("authorizationEndpoint").asText()))
                    .state(state)
                    .nonce(nonce)
                    .codeChallenge(verifier, CodeChallengeMethod.S256)
                    .build()
                    .toURI();
            return new Flow(url, redirect, state.getValue(), nonce.getValue(), verifier.getValue());
        }

        /** Signs {@code login} in at the provider; checks the state; returns the code. */
        String code(String login) throws Exception {
            Map<String, String> q = query(new ProviderBrowser().authorize(url, login, "pw-" + login));
            assertThat(q.get("state")).isEqualTo(state);
            return q.get("code");
        }
    }

    private static HttpResponse<String> exchange(String code, String verifier, URI redirect, String nonce) {
        String body = "{\"code\":\"" + code + "\",\"codeVerifier\":\"" + verifier + "\",\"redirectUri\":\"" + redirect
                + "\",\"nonce\":\"" + nonce + "\"}";
        return http.post("/api/v1/auth/oidc/token", "", body);
    }

    private static void assertProblem(HttpResponse<String> r, int status, String detailContains) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(TestHttp.json(r).get("detail").asText().toLowerCase(java.util.Locale.ROOT))
                .contains(detailContains.toLowerCase(java.util.Locale.ROOT));
    }

    private static boolean userExists(String name) {
        return cp.server().store().users().find(name).isPresent();
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            out.put(
                    URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static CliHarness.Running startCliLogin(CliHarness cli) {
        return cli.start("login", "--oidc", "--server", cp.baseUri().toString(), "--no-browser", "--timeout", "60s");
    }

    private static final Pattern AUTH_URL = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/oauth2/authorize\\S+)");

    /** @return the sign-in URL the running CLI printed */
    private static URI authorizationUrl(CliHarness.Running running) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> AUTH_URL.matcher(running.err().toString()).find());
        Matcher m = AUTH_URL.matcher(running.err().toString());
        assertThat(m.find()).isTrue();
        return URI.create(m.group(1));
    }

    /** Runs {@code hangar login --oidc} to the end as {@code login}; returns the token it saved. */
    private static String cliLogin(Path home, String login) throws Exception {
        CliHarness cli = new CliHarness(home);
        CliHarness.Running running = startCliLogin(cli);
        URI callback = new ProviderBrowser().authorize(authorizationUrl(running), login, "pw-" + login);
        HttpResponse<String> page =
                PLAIN.send(HttpRequest.newBuilder(callback).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(running.exit().get(60, TimeUnit.SECONDS)).as(running.soFar()).isZero();
        assertThat(running.out().toString()).contains("logged in to " + cp.baseUri());
        return CliConfig.load(home.resolve("hangar/cli.yaml"), Map.of()).token();
    }
}
