package dev.hangar.testing;

import static dev.hangar.testing.ProblemAssert.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.core.domain.Role;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Users and roles, and deleting users who own workspaces, through the real server over a real
 * socket (issue #15, items 1 and the bad-input rules).
 */
class UsersAndTokensTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static TestControlPlane cp;
    private static TestHttp http;

    @BeforeAll
    static void start() {
        cp = TestControlPlane.start();
        http = cp.http();
    }

    @AfterAll
    static void stop() {
        cp.close();
    }

    private static String unique(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet();
    }

    private static String admin() {
        return cp.adminToken();
    }

    @Test
    void adminCreatesAUserWhoseFirstTokenIsShownOnceAndWorks() {
        String name = unique("newbie");
        HttpResponse<String> r =
                http.post("/api/v1/users", admin(), "{\"name\":\"" + name + "\",\"role\":\"auditor\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/users/" + name);
        JsonNode created = TestHttp.json(r);
        assertThat(created.at("/user/role").asText()).isEqualTo("auditor");
        assertThat(created.at("/user/disabled").asBoolean()).isFalse();
        assertThat(created.at("/token/token/name").asText()).isEqualTo("initial");
        String secret = created.at("/token/secret").asText();
        assertThat(secret).startsWith("hgr_");

        JsonNode me = TestHttp.json(http.get("/api/v1/users/me", secret));
        assertThat(me.get("name").asText()).isEqualTo(name);
        assertThat(me.get("role").asText()).isEqualTo("auditor");
        // listed by admins and auditors, never by members
        assertThat(TestHttp.json(http.get("/api/v1/users", secret)).findValuesAsText("name"))
                .contains("admin", name);
        String member = cp.createUser(unique("plain"), Role.MEMBER).token();
        problem(http.get("/api/v1/users", member), 403, "");
        problem(http.post("/api/v1/users", member, "{\"name\":\"" + unique("x") + "\"}"), 403, "");
        // the secret appears nowhere after creation
        assertThat(http.get("/api/v1/users/me/tokens", secret).body()).doesNotContain(secret.substring(21));
    }

    @Test
    void badInputNamesTheField() {
        problem(http.post("/api/v1/users", admin(), "{\"name\":\"Not_A_Label\"}"), 422, "name");
        problem(http.post("/api/v1/users", admin(), "{\"name\":\"me\"}"), 422, "name");
        problem(
                http.post("/api/v1/users", admin(), "{\"name\":\"" + unique("r") + "\",\"role\":\"boss\"}"),
                422,
                "role");
        String dup = unique("dup");
        assertThat(http.post("/api/v1/users", admin(), "{\"name\":\"" + dup + "\"}")
                        .statusCode())
                .isEqualTo(201);
        problem(http.post("/api/v1/users", admin(), "{\"name\":\"" + dup + "\"}"), 409, "name");
        problem(http.send("PATCH", "/api/v1/users/" + dup, admin(), "{\"role\":\"root\"}"), 422, "role");
        problem(http.send("PATCH", "/api/v1/users/" + unique("ghost"), admin(), "{\"disabled\":true}"), 404, "");
        problem(http.delete("/api/v1/users/" + dup + "?delete-workspaces=yes", admin()), 400, "delete-workspaces");
    }

    @Test
    void theLastEnabledAdminCannotBeDisabledDemotedOrDeleted() {
        // Each control plane starts with one admin; a fresh one keeps this test independent of the others.
        try (TestControlPlane own = TestControlPlane.start()) {
            TestHttp h = own.http();
            String root = own.adminToken();
            JsonNode disable =
                    problem(h.send("PATCH", "/api/v1/users/admin", root, "{\"disabled\":true}"), 409, "disabled");
            assertThat(disable.get("detail").asText()).contains("last enabled admin");
            problem(h.send("PATCH", "/api/v1/users/admin", root, "{\"role\":\"member\"}"), 409, "role");
            problem(h.delete("/api/v1/users/admin", root), 409, "name");
            // a disabled second admin does not count
            own.createUser("second", Role.ADMIN);
            assertThat(h.send("PATCH", "/api/v1/users/second", root, "{\"disabled\":true}")
                            .statusCode())
                    .isEqualTo(200);
            problem(h.send("PATCH", "/api/v1/users/admin", root, "{\"role\":\"auditor\"}"), 409, "role");
            // once another admin is enabled, the first may step down
            assertThat(h.send("PATCH", "/api/v1/users/second", root, "{\"disabled\":false}")
                            .statusCode())
                    .isEqualTo(200);
            HttpResponse<String> demoted = h.send("PATCH", "/api/v1/users/admin", root, "{\"role\":\"member\"}");
            assertThat(demoted.statusCode()).as(demoted.body()).isEqualTo(200);
            assertThat(TestHttp.json(demoted).get("role").asText()).isEqualTo("member");
            // the demoted admin's token still works, as a member's
            problem(h.get("/api/v1/users", root), 403, "");
        }
    }

    @Test
    void aDisabledUsersTokensStopOnTheNextRequestAndWorkAgainWhenEnabled() {
        String name = unique("dis");
        String token = cp.createUser(name, Role.MEMBER).token();
        assertThat(http.get("/api/v1/users/me", token).statusCode()).isEqualTo(200);
        assertThat(http.send("PATCH", "/api/v1/users/" + name, admin(), "{\"disabled\":true}")
                        .statusCode())
                .isEqualTo(200);
        problem(http.get("/api/v1/users/me", token), 401, "");
        JsonNode listed = TestHttp.json(http.get("/api/v1/users/" + name, admin()));
        assertThat(listed.get("disabled").asBoolean()).isTrue();
        assertThat(http.send("PATCH", "/api/v1/users/" + name, admin(), "{\"disabled\":false}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(http.get("/api/v1/users/me", token).statusCode()).isEqualTo(200);
    }

    @Test
    void auditorsReadEveryWorkspaceButChangeNothing() {
        String owner = unique("own");
        String ownerToken = cp.createUser(owner, Role.MEMBER).token();
        String auditor = cp.createUser(unique("aud"), Role.AUDITOR).token();
        createRunning(ownerToken, "box");
        assertThat(http.get("/api/v1/workspaces/box?owner=" + owner, auditor).statusCode())
                .isEqualTo(200);
        assertThat(TestHttp.json(http.get("/api/v1/workspaces?owner=" + owner, auditor))
                        .findValuesAsText("name"))
                .containsExactly("box");
        JsonNode refused = problem(http.post("/api/v1/workspaces/box/stop?owner=" + owner, auditor, null), 403, "");
        assertThat(refused.get("detail").asText()).contains("auditors read everything and change nothing");
        problem(http.post("/api/v1/workspaces", auditor, "{\"name\":\"mine\",\"template\":\"fake\"}"), 403, "");
        // their own tokens are theirs to manage
        assertThat(http.post("/api/v1/users/me/tokens", auditor, "{\"name\":\"laptop\"}")
                        .statusCode())
                .isEqualTo(201);
    }

    /** {@code owner=me} names the caller: hangar list asks for its own workspaces in one request. */
    @Test
    void ownerMeListsTheCallersOwnWorkspacesForMembersAndAdmins() {
        String gus = unique("gus");
        String gusToken = cp.createUser(gus, Role.MEMBER).token();
        createRunning(gusToken, "box");
        String adminsOwn = unique("adm");
        createRunning(admin(), adminsOwn);
        String adminName =
                TestHttp.json(http.get("/api/v1/users/me", admin())).get("name").asText();

        JsonNode mine = TestHttp.json(http.get("/api/v1/workspaces?owner=me", gusToken));
        assertThat(mine.findValuesAsText("name")).containsExactly("box");
        assertThat(mine.findValuesAsText("owner")).containsExactly(gus);
        // for an admin the unfiltered list is everyone's; owner=me is only their own
        JsonNode adminsList = TestHttp.json(http.get("/api/v1/workspaces?owner=me", admin()));
        assertThat(adminsList.findValuesAsText("name")).contains(adminsOwn).doesNotContain("box");
        assertThat(adminsList.findValuesAsText("owner")).containsOnly(adminName);
        assertThat(TestHttp.json(http.get("/api/v1/workspaces", admin())).findValuesAsText("owner"))
                .contains(gus, adminName);
    }

    @Test
    void deletingAUserWithWorkspacesIsRefusedUnlessTheyAreTransferredOrDeleted() {
        String carl = unique("carl");
        String carlToken = cp.createUser(carl, Role.MEMBER).token();
        String dina = unique("dina");
        String dinaToken = cp.createUser(dina, Role.MEMBER).token();
        createRunning(carlToken, "one");
        createRunning(carlToken, "two");
        createRunning(dinaToken, "two");

        JsonNode refused = problem(http.delete("/api/v1/users/" + carl, admin()), 409, "workspaces");
        assertThat(refused.get("detail").asText())
                .contains("owns 2 workspace(s)", "--transfer-to", "--delete-workspaces");
        JsonNode clash =
                problem(http.delete("/api/v1/users/" + carl + "?transfer-to=" + dina, admin()), 409, "transfer-to");
        assertThat(clash.get("detail").asText()).contains("already has workspace(s) named two");
        problem(http.delete("/api/v1/users/" + carl + "?transfer-to=" + unique("nobody"), admin()), 404, "");
        problem(
                http.delete("/api/v1/users/" + carl + "?transfer-to=" + dina + "&delete-workspaces=true", admin()),
                400,
                "transfer-to");
        // nothing changed by the refusals
        assertThat(http.get("/api/v1/users/me", carlToken).statusCode()).isEqualTo(200);

        String erin = unique("erin");
        String erinToken = cp.createUser(erin, Role.MEMBER).token();
        assertThat(http.delete("/api/v1/users/" + carl + "?transfer-to=" + erin, admin())
                        .statusCode())
                .isEqualTo(204);
        assertThat(TestHttp.json(http.get("/api/v1/workspaces", erinToken)).findValuesAsText("name"))
                .containsExactlyInAnyOrder("one", "two");
        assertThat(TestHttp.json(http.get("/api/v1/workspaces/one/events", erinToken))
                        .findValuesAsText("type"))
                .contains("transferred");
        problem(http.get("/api/v1/users/me", carlToken), 401, "");
        problem(http.get("/api/v1/users/" + carl, admin()), 404, "");

        // now delete erin together with her workspaces: the normal delete, the reconciler removes them
        assertThat(http.delete("/api/v1/users/" + erin + "?delete-workspaces=true", admin())
                        .statusCode())
                .isEqualTo(204);
        problem(http.get("/api/v1/users/" + erin, admin()), 404, "");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TestHttp.json(http.get("/api/v1/workspaces?owner=" + erin, admin()))
                        .isEmpty());
    }

    private static void createRunning(String token, String ws) {
        HttpResponse<String> r =
                http.post("/api/v1/workspaces", token, "{\"name\":\"" + ws + "\",\"template\":\"fake\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TestHttp.json(http.get("/api/v1/workspaces/" + ws, token))
                        .get("phase")
                        .asText()
                        .equals("Running"));
    }
}
