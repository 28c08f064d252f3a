package dev.hangar.testing.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's console WebSocket ({@code /ui/workspaces/{owner}/{name}/console/ws}) over a real
 * socket with the JDK's WebSocket client acting as a browser: it is opened with the dashboard's
 * session cookie and the server's own {@code Origin}, and refused without a session, without an
 * Origin, with another site's Origin (cross-site WebSocket hijacking), after sign-out, and on
 * another user's workspace. The console behind it is {@link ConsoleFixture}'s emulated one.
 */
class BrowserConsoleSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private ConsoleFixture f;
    private final HttpClient http = HttpClient.newHttpClient();
    private String origin;

    @BeforeEach
    void start() throws Exception {
        f = new ConsoleFixture();
        URI base = f.cp.baseUri();
        origin = base.getScheme() + "://" + base.getAuthority();
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    @Test
    void aSignedInPageOfThisServerAttachesAndTheBytesFlow() throws Exception {
        String cookie = signIn(f.alice.token());
        Collector out = new Collector();
        WebSocket ws = open(Optional.of(cookie), Optional.of(origin), "alice", "dev", out)
                .get(10, TimeUnit.SECONDS);
        ws.sendBinary(ByteBuffer.wrap("\r".getBytes(StandardCharsets.US_ASCII)), true)
                .join();
        await().atMost(WAIT).until(() -> out.received().contains(SerialConsoleEmulator.PROMPT));
        ws.abort();
    }

    @Test
    void refusedWithoutASessionOrWithoutOrWithAForeignOrigin() throws Exception {
        String cookie = signIn(f.alice.token());
        assertThat(refusal(Optional.empty(), Optional.of(origin), "alice", "dev"))
                .isEqualTo(401);
        assertThat(refusal(Optional.of(cookie), Optional.empty(), "alice", "dev"))
                .isEqualTo(401);
        assertThat(refusal(Optional.of(cookie), Optional.of("http://attacker.invalid"), "alice", "dev"))
                .isEqualTo(401);
        // another port of the same host is another origin (the SameSite cookie would still be sent)
        int otherPort = f.cp.baseUri().getPort() == 1 ? 2 : 1;
        assertThat(refusal(
                        Optional.of(cookie),
                        Optional.of("http://" + f.cp.baseUri().getHost() + ":" + otherPort),
                        "alice",
                        "dev"))
                .isEqualTo(401);
        assertThat(refusal(Optional.of("hangar_session=forged"), Optional.of(origin), "alice", "dev"))
                .isEqualTo(401);
        assertThat(f.emulator.connections()).isZero();
    }

    @Test
    void refusedAfterSignOut() throws Exception {
        String cookie = signIn(f.alice.token());
        String csrf = csrfOf(cookie);
        HttpResponse<String> out = http.send(
                HttpRequest.newBuilder(f.cp.baseUri().resolve("/ui/sign-out"))
                        .header("Cookie", cookie)
                        .header("Origin", origin)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(refusal(Optional.of(cookie), Optional.of(origin), "alice", "dev"))
                .isEqualTo(401);
    }

    @Test
    void anotherUsersWorkspaceIsNotFoundAndAKindWithoutAConsoleIsAConflict() throws Exception {
        String bob = signIn(f.bob.token());
        assertThat(refusal(Optional.of(bob), Optional.of(origin), "alice", "dev"))
                .isEqualTo(404);
        String alice = signIn(f.alice.token());
        assertThat(refusal(Optional.of(alice), Optional.of(origin), "alice", "pod"))
                .isEqualTo(409);
        assertThat(f.emulator.connections()).isZero();
    }

    @Test
    void theConsolePageAllowsOnlyItsOwnNoncedStylesBesideTheStrictPolicy() throws Exception {
        String cookie = signIn(f.alice.token());
        java.util.Set<String> nonces = new java.util.HashSet<>();
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> page = http.send(
                    HttpRequest.newBuilder(f.cp.baseUri().resolve("/ui/workspaces/alice/dev/console"))
                            .header("Cookie", cookie)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("style-src 'self' 'nonce-([A-Za-z0-9_-]{22})';")
                    .matcher(csp);
            assertThat(m.find()).withFailMessage("no style nonce in %s", csp).isTrue();
            assertThat(csp)
                    .contains("script-src 'self';", "connect-src 'self';", "default-src 'none'")
                    .doesNotContain("unsafe-inline", "unsafe-eval", "ws:", "*");
            assertThat(page.body()).contains("data-style-nonce=\"" + m.group(1) + "\"");
            assertThat(page.body())
                    .doesNotContainPattern("<script(?![^>]*\\bsrc=)")
                    .doesNotContain("style=");
            nonces.add(m.group(1));
        }
        assertThat(nonces).as("a fresh nonce per response").hasSize(2);
    }

    /** Signs in through the dashboard's form; @return the session cookie ({@code name=value}) */
    private String signIn(String token) throws Exception {
        HttpResponse<String> res = http.send(
                HttpRequest.newBuilder(f.cp.baseUri().resolve("/ui/sign-in"))
                        .header("Origin", origin)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(303);
        String setCookie = res.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    /** @return the CSRF token of the session (from the sign-out form of the workspaces page) */
    private String csrfOf(String cookie) throws Exception {
        String page = http.send(
                        HttpRequest.newBuilder(f.cp.baseUri().resolve("/"))
                                .header("Cookie", cookie)
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"")
                .matcher(page);
        assertThat(m.find())
                .withFailMessage("no csrf field on the page: %s", page)
                .isTrue();
        return m.group(1);
    }

    private java.util.concurrent.CompletableFuture<WebSocket> open(
            Optional<String> cookie, Optional<String> originHeader, String owner, String name, Collector out) {
        URI uri = URI.create(
                "ws://" + f.cp.baseUri().getAuthority() + "/ui/workspaces/" + owner + "/" + name + "/console/ws");
        WebSocket.Builder b = http.newWebSocketBuilder();
        cookie.ifPresent(c -> b.header("Cookie", c));
        originHeader.ifPresent(o -> b.header("Origin", o));
        return b.buildAsync(uri, out);
    }

    /** @return the HTTP status of a refused handshake (fails the test when it is accepted) */
    private int refusal(Optional<String> cookie, Optional<String> originHeader, String owner, String name)
            throws InterruptedException {
        Throwable t = catchThrowable(() -> open(cookie, originHeader, owner, name, new Collector())
                .get(10, TimeUnit.SECONDS)
                .abort());
        assertThat(t).withFailMessage("the handshake was accepted").isNotNull();
        Throwable cause = t instanceof ExecutionException || t instanceof CompletionException ? t.getCause() : t;
        assertThat(cause).isInstanceOf(WebSocketHandshakeException.class);
        return ((WebSocketHandshakeException) cause).getResponse().statusCode();
    }
}
