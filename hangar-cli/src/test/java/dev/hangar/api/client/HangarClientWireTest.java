package dev.hangar.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hangar.api.CreateWorkspaceRequest;
import dev.hangar.api.UserView;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the client puts on the wire and how it reads odd answers. The real server cannot produce
 * the odd answers (an HTML page from a proxy, a problem body with unknown extensions), so this
 * test scripts them with the JDK's HTTP server on a real loopback socket; the client against the
 * real server is tested in hangar-testing.
 */
class HangarClientWireTest {
    /** One request as the server saw it. */
    record Seen(
            String method, String rawPath, String rawQuery, String authorization, String contentType, String body) {}

    private HttpServer server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String contentType = "application/json";
    private volatile String answer = "{}";
    /** Link headers of the next answers, one per answer. */
    private final Queue<String> links = new ConcurrentLinkedQueue<>();
    /** While set, the server closes each connection without an answer. */
    private volatile boolean drop;
    /** While set, the server holds its answers until this latch opens. */
    private volatile CountDownLatch hold;

    private HangarClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        client = new HangarClient(
                ClientSettings.of("http://127.0.0.1:" + server.getAddress().getPort() + "/", "hgr_secret"));
    }

    @AfterEach
    void stop() {
        client.close();
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        seen.add(new Seen(
                ex.getRequestMethod(),
                ex.getRequestURI().getRawPath(),
                ex.getRequestURI().getRawQuery(),
                ex.getRequestHeaders().getFirst("Authorization"),
                String.valueOf(ex.getRequestHeaders().getFirst("Content-Type")),
                body));
        if (drop) {
            ex.close(); // no answer: the JDK's server closes the connection
            return;
        }
        CountDownLatch h = hold;
        if (h != null) {
            try {
                h.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] out = answer.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        String link = links.poll();
        if (link != null) ex.getResponseHeaders().set("Link", link);
        if (status == 204) {
            ex.sendResponseHeaders(204, -1);
        } else {
            ex.sendResponseHeaders(status, out.length);
            ex.getResponseBody().write(out);
        }
        ex.close();
    }

    @Test
    void sendsBearerTokenAndPercentEncodesPathAndQuery() {
        status = 204;
        client.removeKey("SHA256:ab+c/d=");
        assertThat(seen).singleElement().satisfies(s -> {
            assertThat(s.method()).isEqualTo("DELETE");
            assertThat(s.rawPath()).isEqualTo("/api/v1/users/me/keys");
            assertThat(s.rawQuery()).isEqualTo("fingerprint=SHA256%3Aab%2Bc%2Fd%3D");
            assertThat(s.authorization()).isEqualTo("Bearer hgr_secret");
        });
        seen.clear();
        status = 404;
        contentType = "application/problem+json";
        answer = "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"no\"}";
        assertThatThrownBy(() -> client.workspace("a b/../c", "bob smith")).isInstanceOf(ApiException.class);
        assertThat(seen.getFirst().rawPath()).isEqualTo("/api/v1/workspaces/a%20b%2F..%2Fc");
        assertThat(seen.getFirst().rawQuery()).isEqualTo("owner=bob+smith");
    }

    @Test
    void leavesOutNullRequestFieldsAndEmptyFilters() {
        answer = "[]";
        client.listWorkspaces(WorkspaceFilter.NONE.withPhase("Running"));
        assertThat(seen.getFirst().rawQuery()).isEqualTo("phase=Running");
        client.listWorkspaces(WorkspaceFilter.NONE);
        assertThat(seen.get(1).rawQuery()).isNull();
        status = 400;
        contentType = "application/problem+json";
        answer = "{\"status\":400,\"detail\":\"x\",\"field\":\"cpus\"}";
        assertThatThrownBy(
                () -> client.createWorkspace(new CreateWorkspaceRequest("dev", "small", null, 4096, null, null, null)));
        assertThat(seen.get(2).body()).isEqualTo("{\"name\":\"dev\",\"template\":\"small\",\"memoryMiB\":4096}");
    }

    /** Every method but PATCH goes over HttpURLConnection (cheap to start); PATCH over HttpClient. */
    @Test
    void bodiesAndTheirTypeReachTheServerOnEitherClient() {
        status = 422;
        contentType = "application/problem+json";
        answer = "{\"status\":422,\"detail\":\"no\"}";
        List<Runnable> calls = List.of(
                () -> client.createWorkspace(new CreateWorkspaceRequest("dev", "small", null, null, null, null, null)),
                () -> client.secrets().set("s1", new byte[] {0, 1, 2}),
                () -> client.startWorkspace("dev", ""),
                () -> client.admin().updateUser("bob", new dev.hangar.api.UpdateUserRequest(null, true)));
        for (Runnable call : calls) {
            assertThatThrownBy(call::run)
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.status()).isEqualTo(422));
        }

        assertThat(seen).extracting(Seen::method).containsExactly("POST", "PUT", "POST", "PATCH");
        assertThat(seen.get(0).contentType()).isEqualTo("application/json");
        assertThat(seen.get(0).body()).isEqualTo("{\"name\":\"dev\",\"template\":\"small\"}");
        assertThat(seen.get(1).contentType()).isEqualTo("application/octet-stream");
        assertThat(seen.get(1).body()).isEqualTo("\u0000\u0001\u0002");
        assertThat(seen.get(2).body()).isEmpty();
        assertThat(seen.get(3).contentType()).isEqualTo("application/json");
        assertThat(seen.get(3).body()).isEqualTo("{\"disabled\":true}");
        assertThat(seen).extracting(Seen::authorization).containsOnly("Bearer hgr_secret");
    }

    /**
     * HttpURLConnection sends a request again when its connection fails before an answer, unless
     * the request is streamed: a create must reach the server once and its loss be reported.
     */
    @Test
    void aPostWhoseConnectionDropsIsSentOnceAndReportedUnanswered() {
        drop = true;
        assertThatThrownBy(() -> client.createWorkspace(
                        new CreateWorkspaceRequest("dev", "small", null, null, null, null, null)))
                .isInstanceOf(ServerUnreachableException.class)
                .hasMessageContaining(
                        "cannot reach the Hangar server at " + client.settings().baseUrl());
        assertThat(seen).singleElement().extracting(Seen::method).isEqualTo("POST");
    }

    @Test
    void problemBodiesBecomeApiExceptionsWithField() {
        status = 400;
        contentType = "application/problem+json";
        answer = """
                {"type":"https://hangar.dev/problems/validation","title":"Invalid request","status":400,
                 "detail":"cpus 99 is outside the template's allowed range 1-8","instance":"/api/v1/workspaces",
                 "field":"cpus","someFutureExtension":[1,2]}""";
        assertThatThrownBy(() ->
                        client.createWorkspace(new CreateWorkspaceRequest("dev", "small", 99, null, null, null, null)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.detail()).isEqualTo("cpus 99 is outside the template's allowed range 1-8");
                    assertThat(e.field()).isEqualTo("cpus");
                    assertThat(e.problem().type()).isEqualTo("https://hangar.dev/problems/validation");
                });
    }

    @Test
    void nonJsonErrorsAreSynthesisedIntoAProblemNamingStatusAndUrl() {
        status = 502;
        contentType = "text/html";
        answer = "<html>Bad Gateway</html>";
        assertThatThrownBy(() -> client.me()).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(502);
            assertThat(e.field()).isEmpty();
            assertThat(e.detail())
                    .isEqualTo("HTTP 502 from GET " + client.settings().baseUrl()
                            + "/api/v1/users/me: <html>Bad Gateway</html>");
        });
    }

    /** GETs go over HttpURLConnection (ApiTransport's cheap path): the Link header still pages. */
    @Test
    void listingsFollowTheNextLinkUntilTheLastPage() {
        answer = "[]";
        links.add("</api/v1/workspaces?continue=p%3D2>; rel=\"next\"");
        assertThat(client.listWorkspaces(new WorkspaceFilter("me", "", "", ""))).isEmpty();
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0).rawQuery()).isEqualTo("owner=me");
        assertThat(seen.get(1).rawQuery()).isEqualTo("owner=me&continue=p%3D2");
        assertThat(seen.get(1).authorization()).isEqualTo("Bearer hgr_secret");
    }

    @Test
    void aGetWithoutAnAnswerEndsAtTheRequestTimeoutNamingIt() {
        hold = new CountDownLatch(1);
        try (HangarClient impatient = new HangarClient(
                client.settings().withTimeouts(ClientSettings.DEFAULT_CONNECT_TIMEOUT, Duration.ofMillis(300)))) {
            assertThatThrownBy(impatient::me)
                    .isInstanceOf(ServerUnreachableException.class)
                    .hasMessageContaining("no answer within 300ms");
        } finally {
            hold.countDown();
        }
    }

    @Test
    void responsesWithUnknownFieldsStillParse() {
        answer = "{\"name\":\"alice\",\"admin\":true,\"role\":\"admin\",\"disabled\":false,"
                + "\"createdAt\":\"2026-11-21T00:00:00Z\",\"addedInV2\":\"x\"}";
        assertThat(client.me())
                .isEqualTo(new UserView("alice", true, "admin", false, Instant.parse("2026-11-21T00:00:00Z")));
    }

    @Test
    void garbageSuccessBodyIsAClearError() {
        answer = "not json";
        assertThatThrownBy(() -> client.me())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("the server at " + client.settings().baseUrl()
                        + " sent an unreadable answer to GET /api/v1/users/me");
    }

    @Test
    void readyIsFalseForNon200() {
        status = 503;
        assertThat(client.ready()).isFalse();
        status = 200;
        assertThat(client.ready()).isTrue();
        assertThat(seen.getFirst().rawPath()).isEqualTo("/readyz");
    }

    @Test
    void settingsRejectBadUrlsAndHideTheToken() {
        assertThatThrownBy(() -> ClientSettings.of("127.0.0.1:7080", ""))
                .hasMessage(
                        "server URL '127.0.0.1:7080' must start with http:// or https://, e.g. http://127.0.0.1:7080");
        assertThatThrownBy(() -> ClientSettings.of("ftp://h", ""))
                .hasMessageContaining("must be an http(s) URL with a host");
        assertThatThrownBy(() -> ClientSettings.of("http://h/?q=1", "")).hasMessageContaining("must not have a query");
        assertThatThrownBy(() -> ClientSettings.of("http://a b", "")).hasMessageContaining("is not a valid URL");
        assertThat(ClientSettings.of("http://h:1/", "hgr_secret").toString())
                .doesNotContain("hgr_secret")
                .contains("<redacted>");
        assertThat(ClientSettings.of("https://h/prefix//", "").baseUrl()).hasToString("https://h/prefix");
    }

    @Test
    void emptyNamesAreRejectedBeforeSending() {
        assertThatThrownBy(() -> client.workspace("")).hasMessage("a name must not be empty");
        assertThat(seen).isEmpty();
    }
}
