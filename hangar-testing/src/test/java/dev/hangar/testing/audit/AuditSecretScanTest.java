package dev.hangar.testing.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.hangar.core.audit.AuditQuery;
import dev.hangar.core.domain.Role;
import dev.hangar.testing.DatabaseFiles;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue #15, item 6: no token, secret or password the test handles ever reaches the audit log, the
 * server's log output or the SQLite database file (with its WAL). The test creates users and
 * tokens, uses revoked and forged tokens, sends secrets in request bodies, then scans all three
 * for every secret: zero hits. Non-secret values written alongside (a token's name) are found,
 * which shows the scan reads what the server wrote.
 */
class AuditSecretScanTest {
    /** Where the secret part of {@code hgr_<16 hex id>_<secret>} starts. */
    private static final int ID_END = "hgr_".length() + 16 + 1;

    @Test
    void noSecretReachesTheAuditLogTheServerLogOrTheDatabaseFile() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger hangar = (Logger) LoggerFactory.getLogger("dev.hangar");
        Level before = hangar.getLevel();
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        root.addAppender(log);
        hangar.setLevel(Level.DEBUG);
        List<String> secrets = new ArrayList<>();
        try (TestControlPlane cp = TestControlPlane.start()) {
            TestHttp http = cp.http();
            String admin = cp.adminToken();
            secrets.add(admin);
            String member = cp.createUser("scan-alice", Role.MEMBER).token();
            secrets.add(member);

            // a user created through the API: its first token's secret is in the answer only
            HttpResponse<String> u = http.post("/api/v1/users", admin, "{\"name\":\"scan-bob\",\"role\":\"member\"}");
            assertThat(u.statusCode()).as(u.body()).isEqualTo(201);
            String bob = TestHttp.json(u).path("token").path("secret").asText();
            assertThat(bob).startsWith("hgr_");
            secrets.add(bob);

            // a named token, used, revoked, used again
            HttpResponse<String> t = http.post("/api/v1/users/me/tokens", member, "{\"name\":\"scan-ci\"}");
            assertThat(t.statusCode()).isEqualTo(201);
            String ci = TestHttp.json(t).get("secret").asText();
            secrets.add(ci);
            assertThat(http.get("/api/v1/workspaces", ci).statusCode()).isEqualTo(200);
            assertThat(http.delete("/api/v1/users/me/tokens/scan-ci", member).statusCode())
                    .isEqualTo(204);
            assertThat(http.post("/api/v1/workspaces", ci, "{\"name\":\"x\"}").statusCode())
                    .isEqualTo(401);

            // a forged token: a real token's id with a wrong secret
            // hgr_<16 hex id>_<43 characters of secret>; the secret itself may contain '_'
            String forged = bob.substring(0, ID_END) + "Z".repeat(43);
            secrets.add(forged);
            assertThat(http.delete("/api/v1/workspaces/x", forged).statusCode()).isEqualTo(401);

            // secrets in request bodies that the server refuses, and in one it accepts
            String password = "Pw_" + java.util.UUID.randomUUID();
            secrets.add(password);
            assertThat(http.post(
                                    "/api/v1/users/me/tokens",
                                    member,
                                    "{\"name\":\"scan-x\",\"password\":\"" + password + "\"}")
                            .statusCode())
                    .isEqualTo(400);
            assertThat(http.send("PATCH", "/api/v1/users/scan-bob", admin, "{\"secret\":\"" + password + "\"}")
                            .statusCode())
                    .isEqualTo(400);
            assertThat(http.post("/api/v1/users/me/tokens", member, "{\"name\":\"" + password + "\"}")
                            .statusCode())
                    .isEqualTo(422);

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> cp.server().audit().list(AuditQuery.ALL, 1000).stream()
                                    .filter(e -> e.action().equals("auth.failed"))
                                    .count()
                            >= 2);
            // the secret part alone must not appear either
            for (String s : List.copyOf(secrets)) {
                if (s.startsWith("hgr_")) secrets.add(s.substring(ID_END));
            }

            String audit = cp.server().audit().list(AuditQuery.ALL, 10_000).toString();
            String logText = String.join(
                    "\n",
                    log.list.stream()
                            .map(e -> e.getFormattedMessage()
                                    + (e.getThrowableProxy() == null
                                            ? ""
                                            : ThrowableProxyUtil.asString(e.getThrowableProxy())))
                            .toList());
            String database = DatabaseFiles.text(cp.home());

            // the scan sees what the server wrote: the token's name is there, in all three
            assertThat(audit).contains("scan-alice/scan-ci");
            assertThat(database).contains("scan-ci");
            assertThat(logText).contains("Hangar");
            for (String s : secrets) {
                assertThat(audit).as("audit log holds a secret").doesNotContain(s);
                assertThat(logText).as("server log holds a secret").doesNotContain(s);
                assertThat(database).as("database file holds a secret").doesNotContain(s);
            }
        } finally {
            root.detachAppender(log);
            hangar.setLevel(before);
        }
    }
}
