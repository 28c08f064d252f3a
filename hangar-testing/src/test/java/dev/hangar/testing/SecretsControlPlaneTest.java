package dev.hangar.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.hangar.core.audit.AuditEntry;
import dev.hangar.core.audit.AuditQuery;
import dev.hangar.core.domain.Role;
import dev.hangar.provider.spi.SecretFile;
import dev.hangar.server.SecretSettings;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * User secrets (issue #15, item 7) through the real server over a real socket: the routes and
 * their problems, isolation between users, delivery to the fake provider on start (and the new
 * value on the next start), the value never in an answer, the server log, the audit log or the
 * database file, and a server that refuses to start with another key than its secrets were
 * sealed with.
 */
class SecretsControlPlaneTest {

    private static HttpResponse<String> put(TestControlPlane cp, String token, String name, byte[] value, String type) {
        HttpRequest.Builder b = HttpRequest.newBuilder(cp.baseUri().resolve("/api/v1/secrets/" + name))
                .header("Authorization", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(value));
        if (!type.isEmpty()) b.header("Content-Type", type);
        return cp.http().send(b.build());
    }

    private static HttpResponse<String> put(TestControlPlane cp, String token, String name, String value) {
        return put(cp, token, name, value.getBytes(StandardCharsets.UTF_8), "application/octet-stream");
    }

    private static void awaitPhase(TestControlPlane cp, String token, String ws, String phase) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TestHttp.json(cp.http().get("/api/v1/workspaces/" + ws, token))
                        .get("phase")
                        .asText()
                        .equals(phase));
    }

    @Test
    void setListDeleteWithClearProblemsAndNoWayToAnotherUsersSecret() {
        try (TestControlPlane cp = TestControlPlane.builder()
                .configure(c -> c.withSecrets(new SecretSettings(c.secrets().keyFile(), 2)))
                .start()) {
            TestHttp http = cp.http();
            String alice = cp.createUser("sec-alice", Role.MEMBER).token();
            String bob = cp.createUser("sec-bob", Role.MEMBER).token();
            String auditor = cp.createUser("sec-audrey", Role.AUDITOR).token();
            String value = "rest-value-" + UUID.randomUUID();

            HttpResponse<String> set = put(cp, alice, "github-token", value);
            assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
            assertThat(set.body()).doesNotContain(value).contains("\"name\":\"github-token\"");
            assertThat(TestHttp.json(set).get("size").asLong()).isEqualTo(value.length());

            HttpResponse<String> list = http.get("/api/v1/secrets", alice);
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body()).doesNotContain(value);
            assertThat(TestHttp.json(list)).hasSize(1);
            assertThat(TestHttp.json(list).get(0).get("name").asText()).isEqualTo("github-token");
            assertThat(TestHttp.json(list).get(0).has("updatedAt")).isTrue();

            // bob sees none of alice's and cannot delete it: it is simply not his (404)
            assertThat(TestHttp.json(http.get("/api/v1/secrets", bob))).isEmpty();
            ProblemAssert.problem(http.delete("/api/v1/secrets/github-token", bob), 404, "");
            // the auditor changes nothing
            assertThat(put(cp, auditor, "x", "v").statusCode()).isEqualTo(403);

            // problems: bad name, empty, too large, JSON instead of raw bytes, over the count
            ProblemAssert.problem(put(cp, alice, "Bad_Name", "v"), 422, "name");
            ProblemAssert.problem(put(cp, alice, "empty", ""), 422, "value");
            assertThat(put(cp, alice, "big", new byte[64 * 1024 + 1], "application/octet-stream")
                            .statusCode())
                    .isEqualTo(413);
            assertThat(put(cp, alice, "max", new byte[64 * 1024], "application/octet-stream")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(put(cp, alice, "json", "{}".getBytes(StandardCharsets.UTF_8), "application/json")
                            .statusCode())
                    .isEqualTo(415);
            HttpResponse<String> third = put(cp, alice, "third", "v");
            assertThat(ProblemAssert.problem(third, 409, "name").get("detail").asText())
                    .contains("limit is 2");
            assertThat(put(cp, alice, "max", "replaced").statusCode()).isEqualTo(200); // replacing is fine

            assertThat(http.delete("/api/v1/secrets/max", alice).statusCode()).isEqualTo(204);
            ProblemAssert.problem(http.delete("/api/v1/secrets/max", alice), 404, "");
            assertThat(TestHttp.json(http.get("/api/v1/secrets", alice))).hasSize(1);
        }
    }

    @Test
    void theProviderGetsTheOwnersSecretsOnEveryStartAndTheNewValueOnTheNext() {
        try (TestControlPlane cp = TestControlPlane.start()) {
            TestHttp http = cp.http();
            String alice = cp.createUser("dlv-alice", Role.MEMBER).token();
            String bob = cp.createUser("dlv-bob", Role.MEMBER).token();
            assertThat(put(cp, alice, "token", "first").statusCode()).isEqualTo(200);
            assertThat(put(cp, bob, "bobs", "bob-only").statusCode()).isEqualTo(200);

            String ws = "dlv-ws-" + UUID.randomUUID().toString().substring(0, 8);
            assertThat(http.post("/api/v1/workspaces", alice, "{\"name\":\"" + ws + "\",\"template\":\"fake\"}")
                            .statusCode())
                    .isEqualTo(201);
            awaitPhase(cp, alice, ws, "Running");
            assertThat(cp.fake().lastSpec(ws).orElseThrow().secrets())
                    .containsExactly(new SecretFile("token", "first".getBytes(StandardCharsets.UTF_8)));

            // a new value arrives with the next start, not before
            assertThat(put(cp, alice, "token", "second").statusCode()).isEqualTo(200);
            assertThat(http.post("/api/v1/workspaces/" + ws + "/stop", alice, "")
                            .statusCode())
                    .isEqualTo(202);
            awaitPhase(cp, alice, ws, "Stopped");
            assertThat(cp.fake().lastSpec(ws).orElseThrow().secrets()).isEmpty(); // a stop carries none
            assertThat(http.post("/api/v1/workspaces/" + ws + "/start", alice, "")
                            .statusCode())
                    .isEqualTo(202);
            awaitPhase(cp, alice, ws, "Running");
            assertThat(cp.fake().lastSpec(ws).orElseThrow().secrets())
                    .containsExactly(new SecretFile("token", "second".getBytes(StandardCharsets.UTF_8)));
            assertThat(cp.fake().lastSpec(ws).orElseThrow().toString()).doesNotContain("second");
        }
    }

    @Test
    void theValueOfASecretSetReachesNeitherTheServerLogNorTheAuditLogNorTheDatabaseFile() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger hangar = (Logger) LoggerFactory.getLogger("dev.hangar");
        Level before = hangar.getLevel();
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        root.addAppender(log);
        hangar.setLevel(Level.DEBUG);
        String value = "scan-value-" + UUID.randomUUID();
        try (TestControlPlane cp = TestControlPlane.start()) {
            String alice = cp.createUser("scan-sec-alice", Role.MEMBER).token();
            assertThat(put(cp, alice, "scan-secret", value).statusCode()).isEqualTo(200);
            // a refused set with the value in it too (bad name)
            assertThat(put(cp, alice, "Scan_Secret", value).statusCode()).isEqualTo(422);
            String ws = "scan-ws-" + UUID.randomUUID().toString().substring(0, 8);
            cp.http().post("/api/v1/workspaces", alice, "{\"name\":\"" + ws + "\",\"template\":\"fake\"}");
            awaitPhase(cp, alice, ws, "Running"); // delivered: the value went through the reconciler too
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> cp.server().audit().list(AuditQuery.ALL, 1000).stream()
                            .anyMatch(e -> e.action().equals("secret.set")));

            List<AuditEntry> entries = cp.server().audit().list(AuditQuery.ALL, 10_000);
            assertThat(entries).anySatisfy(e -> {
                assertThat(e.action()).isEqualTo("secret.set");
                assertThat(e.target()).isEqualTo("scan-sec-alice/scan-secret");
                assertThat(e.outcome()).isEqualTo("200");
            });
            String audit = entries.toString();
            String logText = String.join(
                    "\n",
                    log.list.stream()
                            .map(e -> e.getFormattedMessage()
                                    + (e.getThrowableProxy() == null
                                            ? ""
                                            : ThrowableProxyUtil.asString(e.getThrowableProxy())))
                            .toList());
            String database = DatabaseFiles.text(cp.home());
            assertThat(logText).contains("Hangar"); // the scan reads what the server logged
            assertThat(database).contains("scan-secret"); // and what it stored
            for (String s :
                    List.of(value, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)))) {
                assertThat(audit).as("audit log holds the value").doesNotContain(s);
                assertThat(logText).as("server log holds the value").doesNotContain(s);
                assertThat(database).as("database file holds the value").doesNotContain(s);
            }
        } finally {
            root.detachAppender(log);
            hangar.setLevel(before);
        }
    }

    @Test
    void theKeyFileIsCreatedOwnerOnlyAndAnotherKeyStopsTheStartClearly() throws Exception {
        Path home;
        try (TestControlPlane cp = TestControlPlane.builder().keepHome().start()) {
            home = cp.home();
            Path key = home.resolve("secrets.key");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                    .isEqualTo("rw-------");
            String alice = cp.createUser("key-alice", Role.MEMBER).token();
            assertThat(put(cp, alice, "token", "sealed-with-the-first-key").statusCode())
                    .isEqualTo(200);
        }
        try {
            // the same key: starts again
            TestControlPlane.builder().home(home).start().close();
            byte[] other = new byte[32];
            new java.security.SecureRandom().nextBytes(other);
            Files.writeString(home.resolve("secrets.key"), Base64.getEncoder().encodeToString(other) + "\n");
            assertThatThrownBy(() -> TestControlPlane.builder().home(home).start())
                    .hasMessageContaining("secrets.key-file")
                    .hasMessageContaining("restore the key file");
        } finally {
            try (Stream<Path> walk = Files.walk(home)) {
                walk.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }
}
