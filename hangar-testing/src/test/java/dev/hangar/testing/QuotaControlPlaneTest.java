package dev.hangar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.core.domain.Role;
import dev.hangar.core.quota.QuotaLimits;
import dev.hangar.core.quota.QuotaPolicy;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Quotas through the real server over a real socket (TestControlPlane, SQLite): 16 concurrent
 * creates of one member admit exactly the limit, the refusal is an RFC 9457 problem naming the limit
 * and the use, an admin's per-user override changes what is admitted, and a user's workspaces go
 * to another user ({@code DELETE /users/{name}?transfer-to=}) only within the receiver's quota.
 */
class QuotaControlPlaneTest {
    private static final int LIMIT = 4;

    private static TestControlPlane start() {
        return TestControlPlane.builder()
                .configure(c -> c.withQuotas(new QuotaPolicy(Map.of(
                        Role.MEMBER,
                        new QuotaLimits(
                                OptionalInt.of(LIMIT),
                                OptionalInt.empty(),
                                OptionalLong.empty(),
                                OptionalLong.empty())))))
                .start();
    }

    private static String create(TestHttp http, String token, String name) {
        return "{\"name\":\"" + name + "\",\"template\":\"fake\"}";
    }

    @Test
    void sixteenConcurrentCreatesAdmitExactlyTheLimitAndTheRestGetAQuotaProblem() throws Exception {
        try (TestControlPlane cp = start()) {
            TestHttp http = cp.http();
            String token = cp.createUser("quota-racer", Role.MEMBER).token();
            int threads = 16;
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> results = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                for (int i = 0; i < threads; i++) {
                    String body = create(http, token, "race-" + i);
                    results.add(pool.submit(() -> {
                        go.await();
                        return http.post("/api/v1/workspaces", token, body);
                    }));
                }
                go.countDown();
            }
            List<HttpResponse<String>> created = new ArrayList<>();
            List<HttpResponse<String>> refused = new ArrayList<>();
            for (Future<HttpResponse<String>> f : results) {
                HttpResponse<String> r = f.get();
                (r.statusCode() == 201 ? created : refused).add(r);
            }
            assertThat(created).hasSize(LIMIT);
            assertThat(refused).hasSize(threads - LIMIT).allSatisfy(r -> {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
                assertThat(r.headers().firstValue("Content-Type"))
                        .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
                JsonNode p = TestHttp.json(r);
                assertThat(p.get("type").asText()).isEqualTo("https://hangar.dev/problems/quota-exceeded");
                assertThat(p.get("field").asText()).isEqualTo("running");
                assertThat(p.get("detail").asText())
                        .isEqualTo("quota: running workspaces 4 of 4 (member); stop one or ask an admin");
            });
            JsonNode list = TestHttp.json(http.get("/api/v1/workspaces", token));
            assertThat(list).hasSize(LIMIT);
            JsonNode quota = TestHttp.json(http.get("/api/v1/users/me/quota", token));
            assertThat(quota.get("user").asText()).isEqualTo("quota-racer");
            assertThat(quota.at("/used/running").asInt()).isEqualTo(LIMIT);
            assertThat(quota.at("/effective/running").asInt()).isEqualTo(LIMIT);
            assertThat(quota.at("/effective/cpus").isNull()).isTrue();
            assertThat(quota.get("override").isNull()).isTrue();
        }
    }

    @Test
    void deletingAUserWithTransferToIsCheckedAgainstTheReceiversQuota() {
        try (TestControlPlane cp = start()) {
            TestHttp http = cp.http();
            String leaver = cp.createUser("quota-leaver", Role.MEMBER).token();
            String heir = cp.createUser("quota-heir", Role.MEMBER).token();
            for (int i = 0; i < 3; i++) {
                assertThat(http.post("/api/v1/workspaces", leaver, create(http, leaver, "l-" + i))
                                .statusCode())
                        .isEqualTo(201);
            }
            for (int i = 0; i < 2; i++) {
                assertThat(http.post("/api/v1/workspaces", heir, create(http, heir, "h-" + i))
                                .statusCode())
                        .isEqualTo(201);
            }

            // 2 running + 3 more is past the member limit of 4: refused, nothing moves
            HttpResponse<String> refused =
                    http.delete("/api/v1/users/quota-leaver?transfer-to=quota-heir", cp.adminToken());
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
            JsonNode p = TestHttp.json(refused);
            assertThat(p.get("type").asText()).isEqualTo("https://hangar.dev/problems/quota-exceeded");
            assertThat(p.get("field").asText()).isEqualTo("transfer-to.running");
            assertThat(p.get("detail").asText())
                    .isEqualTo("cannot give the workspaces of 'quota-leaver' to 'quota-heir': quota: running"
                            + " workspaces 2 of 4 (member); stop one or ask an admin; raise the quota of"
                            + " 'quota-heir' (hangar quota set), or choose another user");
            assertThat(TestHttp.json(http.get("/api/v1/workspaces", leaver))).hasSize(3);
            assertThat(TestHttp.json(http.get("/api/v1/workspaces", heir))).hasSize(2);

            // a stopped workspace counts for disk only, so stopping two makes room
            for (String ws : List.of("l-0", "l-1")) {
                assertThat(http.post("/api/v1/workspaces/" + ws + "/stop", leaver, "")
                                .statusCode())
                        .isEqualTo(202);
            }
            assertThat(http.delete("/api/v1/users/quota-leaver?transfer-to=quota-heir", cp.adminToken())
                            .statusCode())
                    .isEqualTo(204);
            assertThat(TestHttp.json(http.get("/api/v1/workspaces", heir))).hasSize(5);
            assertThat(TestHttp.json(http.get("/api/v1/users/me/quota", heir))
                            .at("/used/running")
                            .asInt())
                    .isEqualTo(3);
        }
    }

    @Test
    void anAdminOverrideRaisesTheLimitStopMakesRoomAndStartIsCheckedToo() {
        try (TestControlPlane cp = start()) {
            TestHttp http = cp.http();
            String token = cp.createUser("quota-owner", Role.MEMBER).token();
            for (int i = 0; i < LIMIT; i++) {
                HttpResponse<String> r = http.post("/api/v1/workspaces", token, create(http, token, "ws-" + i));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            }
            assertThat(http.post("/api/v1/workspaces", token, create(http, token, "extra"))
                            .statusCode())
                    .isEqualTo(409);

            // a member may not set quotas, even their own
            assertThat(http.send("PUT", "/api/v1/users/quota-owner/quota", token, "{\"running\":9}")
                            .statusCode())
                    .isEqualTo(403);
            HttpResponse<String> set =
                    http.send("PUT", "/api/v1/users/quota-owner/quota", cp.adminToken(), "{\"running\":5}");
            assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
            assertThat(TestHttp.json(set).at("/override/running").asInt()).isEqualTo(5);
            assertThat(TestHttp.json(set).at("/roleLimits/running").asInt()).isEqualTo(LIMIT);
            // the write is audited under quota.set, the member's refused attempt too
            JsonNode audit = TestHttp.json(http.get("/api/v1/audit?action=quota.set", cp.adminToken()));
            assertThat(audit)
                    .extracting(e -> e.get("actor").asText() + " "
                            + e.get("target").asText() + " " + e.get("outcome").asText())
                    .containsExactly("admin quota-owner 200", "quota-owner quota-owner 403");

            assertThat(http.post("/api/v1/workspaces", token, create(http, token, "extra"))
                            .statusCode())
                    .isEqualTo(201);
            HttpResponse<String> over = http.post("/api/v1/workspaces", token, create(http, token, "extra-2"));
            assertThat(over.statusCode()).isEqualTo(409);
            assertThat(TestHttp.json(over).get("detail").asText())
                    .isEqualTo("quota: running workspaces 5 of 5 (per-user override); stop one or ask an admin");

            // stopping one frees a slot; starting it again while full is refused
            assertThat(http.post("/api/v1/workspaces/ws-0/stop", token, "").statusCode())
                    .isEqualTo(202);
            assertThat(http.post("/api/v1/workspaces", token, create(http, token, "extra-2"))
                            .statusCode())
                    .isEqualTo(201);
            HttpResponse<String> start = http.post("/api/v1/workspaces/ws-0/start", token, "");
            assertThat(start.statusCode()).as(start.body()).isEqualTo(409);
            assertThat(TestHttp.json(start).get("type").asText()).endsWith("/quota-exceeded");

            // an empty override removes it: back to the role's 4, and the admin (unlimited) is not limited
            HttpResponse<String> cleared = http.send("PUT", "/api/v1/users/quota-owner/quota", cp.adminToken(), "{}");
            assertThat(TestHttp.json(cleared).get("override").isNull()).isTrue();
            assertThat(http.post("/api/v1/workspaces", cp.adminToken(), create(http, "", "admin-ws"))
                            .statusCode())
                    .isEqualTo(201);
            // other members' quotas are not found, names cannot be probed
            String other = cp.createUser("quota-other", Role.MEMBER).token();
            assertThat(http.get("/api/v1/users/quota-owner/quota", other).statusCode())
                    .isEqualTo(404);
            assertThat(http.get("/api/v1/users/quota-nobody/quota", other).statusCode())
                    .isEqualTo(404);
        }
    }
}
