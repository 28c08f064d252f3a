package dev.hangar.testing;

import static dev.hangar.testing.ProblemAssert.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.core.domain.Role;
import dev.hangar.testfixtures.TestClock;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * API tokens through the real server with an injected clock: create (secret shown once), list
 * (never the secret or hash), revoke, expiry and the once-a-minute last-used time (issue #15, item
 * 2). The clock only moves when a test moves it, so nothing waits.
 */
class ApiTokensTest {
    private static final TestClock CLOCK = new TestClock(Instant.parse("2026-12-03T10:00:00Z"));
    private static TestControlPlane cp;
    private static TestHttp http;

    @BeforeAll
    static void start() {
        cp = TestControlPlane.builder().clock(CLOCK).start();
        http = cp.http();
    }

    @AfterAll
    static void stop() {
        cp.close();
    }

    private static JsonNode token(String owner, String name) {
        for (JsonNode t : TestHttp.json(http.get("/api/v1/users/me/tokens", owner))) {
            if (t.get("name").asText().equals(name)) return t;
        }
        throw new AssertionError("no token " + name);
    }

    @Test
    void theFirstStartTokenIsTheAdminsTokenNamedInitial() {
        JsonNode initial = token(cp.adminToken(), "initial");
        assertThat(initial.get("expiresAt").isNull()).isTrue();
    }

    @Test
    void createdTokensWorkAreListedWithoutSecretsAndRevokedTokensStopAtOnce() {
        String alice = cp.createUser("tok-alice", Role.MEMBER).token();
        HttpResponse<String> r = http.post("/api/v1/users/me/tokens", alice, "{\"name\":\"ci\",\"expires\":\"30d\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode created = TestHttp.json(r);
        String secret = created.get("secret").asText();
        assertThat(created.at("/token/expiresAt").asText())
                .isEqualTo(CLOCK.instant().plus(Duration.ofDays(30)).toString());
        assertThat(http.get("/api/v1/users/me", secret).statusCode()).isEqualTo(200);

        HttpResponse<String> listed = http.get("/api/v1/users/me/tokens", alice);
        String secretPart = secret.substring(secret.lastIndexOf('_') + 1);
        assertThat(listed.body())
                .doesNotContain(secretPart)
                .doesNotContain("secret")
                .doesNotContain("hash");
        assertThat(TestHttp.json(listed).findValuesAsText("name")).contains("ci");
        // the store holds only the hash
        assertThat(cp.server()
                        .store()
                        .users()
                        .findToken(secret.substring(4, 20))
                        .orElseThrow()
                        .secretHash())
                .doesNotContain(secretPart);

        problem(http.post("/api/v1/users/me/tokens", alice, "{\"name\":\"ci\"}"), 409, "name");
        problem(http.post("/api/v1/users/me/tokens", alice, "{\"name\":\"Bad Name\"}"), 422, "name");
        problem(http.post("/api/v1/users/me/tokens", alice, "{\"name\":\"x\",\"expires\":\"soon\"}"), 422, "expires");
        problem(http.post("/api/v1/users/me/tokens", alice, "{\"name\":\"x\",\"expires\":\"0d\"}"), 422, "expires");
        // names are per user: another user may have a "ci" too, and cannot revoke alice's
        String bob = cp.createUser("tok-bob", Role.MEMBER).token();
        assertThat(http.post("/api/v1/users/me/tokens", bob, "{\"name\":\"ci\"}")
                        .statusCode())
                .isEqualTo(201);
        assertThat(http.delete("/api/v1/users/me/tokens/ci", bob).statusCode()).isEqualTo(204);
        assertThat(http.get("/api/v1/users/me", secret).statusCode()).isEqualTo(200);

        assertThat(http.delete("/api/v1/users/me/tokens/ci", alice).statusCode())
                .isEqualTo(204);
        problem(http.get("/api/v1/users/me", secret), 401, "");
        problem(http.delete("/api/v1/users/me/tokens/ci", alice), 404, "");
    }

    @Test
    void expiryIsEnforcedOnEveryRequest() {
        String carol = cp.createUser("tok-carol", Role.MEMBER).token();
        String secret = TestHttp.json(
                        http.post("/api/v1/users/me/tokens", carol, "{\"name\":\"short\",\"expires\":\"12h\"}"))
                .get("secret")
                .asText();
        assertThat(http.get("/api/v1/users/me", secret).statusCode()).isEqualTo(200);
        CLOCK.advance(Duration.ofHours(12).minusSeconds(1));
        assertThat(http.get("/api/v1/users/me", secret).statusCode()).isEqualTo(200);
        CLOCK.advance(Duration.ofSeconds(1));
        JsonNode p = problem(http.get("/api/v1/users/me", secret), 401, "");
        assertThat(p.get("detail").asText()).doesNotContain("expired"); // 401 never says why
        assertThat(http.get("/api/v1/users/me", carol).statusCode()).isEqualTo(200);
    }

    @Test
    void lastUsedIsWrittenAtMostOnceAMinute() {
        String dave = cp.createUser("tok-dave", Role.MEMBER).token();
        String secret = TestHttp.json(http.post("/api/v1/users/me/tokens", dave, "{\"name\":\"probe\"}"))
                .get("secret")
                .asText();
        assertThat(token(dave, "probe").get("lastUsedAt").isNull()).isTrue();
        Instant first = CLOCK.instant();
        http.get("/api/v1/users/me", secret);
        // written off the request path, a moment after the answer
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(token(dave, "probe").get("lastUsedAt").asText())
                                .isEqualTo(first.toString()));
        CLOCK.advance(Duration.ofSeconds(59));
        http.get("/api/v1/users/me", secret);
        assertThat(token(dave, "probe").get("lastUsedAt").asText()).isEqualTo(first.toString());
        CLOCK.advance(Duration.ofSeconds(2));
        http.get("/api/v1/users/me", secret);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(token(dave, "probe").get("lastUsedAt").asText())
                                .isEqualTo(first.plusSeconds(61).toString()));
    }
}
