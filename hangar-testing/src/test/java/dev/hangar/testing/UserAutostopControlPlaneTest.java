package dev.hangar.testing;

import static dev.hangar.testing.ProblemAssert.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.cli.CliHarness;
import dev.hangar.core.autostop.AutostopSweep;
import dev.hangar.core.domain.Role;
import dev.hangar.server.AutostopSettings;
import dev.hangar.testfixtures.TestClock;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idle auto-stop as a user setting (issue #15, item 5) through the real server over a real socket
 * (TestControlPlane, SQLite, the fake provider) with an injected clock: a member sets their own
 * default ({@code PUT /api/v1/users/me/autostop}, and {@code hangar autostop set} through the CLI),
 * it replaces the template's setting for their workspaces created without {@code autostop}, a
 * workspace's own setting still wins, and clearing it brings the template's back. Bad values and
 * other users are refused as the API documents.
 */
class UserAutostopControlPlaneTest {
    private static final Duration T = Duration.ofSeconds(20);
    private static final TestClock CLOCK = new TestClock();
    private static TestControlPlane cp;
    private static TestHttp http;

    @TempDir
    static Path home;

    @BeforeAll
    static void start() {
        cp = TestControlPlane.builder()
                .clock(CLOCK)
                .configure(c -> c.withAutostop(new AutostopSettings(
                        Duration.ofMinutes(10), Duration.ofHours(4), Duration.ofHours(1), Duration.ofMinutes(1))))
                .start();
        http = cp.http();
    }

    @AfterAll
    static void stop() {
        cp.close();
    }

    private static JsonNode get(String path, String token) {
        HttpResponse<String> r = http.get(path, token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestHttp.json(r);
    }

    private static void create(String body, String token) {
        HttpResponse<String> r = http.post("/api/v1/workspaces", token, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    @Test
    void aUsersDefaultReplacesTheTemplatesSettingUntilCleared() {
        String uma = cp.createUser("uma", Role.MEMBER).token();
        String vic = cp.createUser("vic", Role.MEMBER).token();
        assertThat(get("/api/v1/users/me/autostop", uma).get("autostop").asText())
                .isEqualTo("template");

        // bad values and other users' settings
        JsonNode bad =
                problem(http.send("PUT", "/api/v1/users/me/autostop", uma, "{\"autostop\":\"5s\"}"), 422, "autostop");
        assertThat(bad.get("detail").asText()).isEqualTo("autostop must be at least 1m (or 'off'), got '5s'");
        problem(http.send("PUT", "/api/v1/users/me/autostop", uma, "{}"), 422, "autostop");
        problem(http.send("PUT", "/api/v1/users/uma/autostop", vic, "{\"autostop\":\"2h\"}"), 404, "");
        problem(http.get("/api/v1/users/uma/autostop", vic), 404, "");
        problem(http.get("/api/v1/users/nobody/autostop", cp.adminToken()), 404, "");

        // the CLI sets it; the API reads it back
        CliHarness cli =
                new CliHarness(home).env("HANGAR_URL", cp.baseUri().toString()).env("HANGAR_TOKEN", uma);
        CliHarness.Result set = cli.run("autostop", "set", "30m");
        assertThat(set.code()).as(set.toString()).isZero();
        assertThat(set.out())
                .isEqualTo("auto-stop of uma: after 30m idle (unless a workspace was created with" + " --autostop)\n");
        assertThat(get("/api/v1/users/uma/autostop", cp.adminToken())
                        .get("autostop")
                        .asText())
                .isEqualTo("30m");
        CliHarness.Result badCli = cli.run("autostop", "set", "soon");
        assertThat(badCli.code()).as(badCli.toString()).isNotZero();
        assertThat(badCli.err()).contains("autostop must be 'off' or a duration such as 30m, 2h or 1d, got 'soon'");

        create("{\"name\":\"follows\",\"template\":\"fake\"}", uma);
        create("{\"name\":\"own\",\"template\":\"fake\",\"autostop\":\"off\"}", uma);
        create("{\"name\":\"others\",\"template\":\"fake\"}", vic);
        for (String ws : new String[] {"follows", "own"})
            await().atMost(T)
                    .until(() -> get("/api/v1/workspaces/" + ws, uma)
                            .get("phase")
                            .asText()
                            .equals("Running"));
        await().atMost(T)
                .until(() -> get("/api/v1/workspaces/others", vic)
                        .get("phase")
                        .asText()
                        .equals("Running"));
        String follows = get("/api/v1/workspaces/follows", uma).get("id").asText();
        assertThat(get("/api/v1/workspaces/follows", uma)
                        .at("/autostop/autostop")
                        .asText())
                .isEqualTo("30m");
        assertThat(get("/api/v1/workspaces/own", uma).at("/autostop/autostop").asText())
                .isEqualTo("off");
        String templateSetting =
                get("/api/v1/workspaces/others", vic).at("/autostop/autostop").asText();
        assertThat(templateSetting).isNotEqualTo("30m");

        CLOCK.advance(Duration.ofMinutes(21));
        assertThat(cp.server().autostop().sweep().warned()).containsExactly(follows);
        CLOCK.advance(Duration.ofMinutes(10));
        AutostopSweep.Result r = cp.server().autostop().sweep();
        assertThat(r.stopped()).containsExactly(follows);
        await().atMost(T)
                .until(() -> get("/api/v1/workspaces/follows", uma)
                        .get("phase")
                        .asText()
                        .equals("Stopped"));
        assertThat(get("/api/v1/workspaces/follows", uma).get("reason").asText())
                .startsWith("autostop");
        assertThat(get("/api/v1/workspaces/own", uma).get("desired").asText()).isEqualTo("running");

        // an admin clears it: the template's setting is back for uma's workspaces
        HttpResponse<String> cleared =
                http.send("PUT", "/api/v1/users/uma/autostop", cp.adminToken(), "{\"autostop\":\"template\"}");
        assertThat(cleared.statusCode()).as(cleared.body()).isEqualTo(200);
        assertThat(TestHttp.json(cleared).get("autostop").asText()).isEqualTo("template");
        create("{\"name\":\"after\",\"template\":\"fake\"}", uma);
        assertThat(get("/api/v1/workspaces/after", uma).at("/autostop/autostop").asText())
                .isEqualTo(templateSetting);
        // and the change is audited
        JsonNode audit = get("/api/v1/audit?action=autostop.set", cp.adminToken());
        assertThat(audit)
                .extracting(
                        e -> e.get("actor").asText() + " " + e.get("outcome").asText())
                .contains("admin 200", "uma 200", "uma 422", "vic 404");
    }
}
