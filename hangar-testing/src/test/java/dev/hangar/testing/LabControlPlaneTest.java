package dev.hangar.testing;

import static dev.hangar.testing.ProblemAssert.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.core.domain.Role;
import dev.hangar.core.lab.Lab;
import dev.hangar.core.lab.LabAddresses;
import dev.hangar.core.lab.LabMemberNetwork;
import dev.hangar.core.lab.LabService;
import dev.hangar.core.lab.LabSettings;
import dev.hangar.core.quota.QuotaLimits;
import dev.hangar.core.quota.QuotaPolicy;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Labs through the real server over a real socket (TestControlPlane, SQLite, the fake provider):
 * member naming and addresses, members provisioned concurrently, status aggregation (Ready,
 * Degraded naming the failing member, Stopped), partial failure (a provider failure and a refused
 * create) and a delete that leaves no lab row and no member workspace, ownership (another member's
 * lab is 404), a lab that moves with its workspaces when its owner is deleted with {@code
 * transfer-to}, and every kind of bad input as a problem naming the field with nothing created.
 */
class LabControlPlaneTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicInteger SEQ = new AtomicInteger();

    private static TestControlPlane cp;
    private static TestHttp http;
    private static String alice;
    private static String bob;

    @BeforeAll
    static void start() {
        cp = TestControlPlane.builder()
                .configure(c -> c.withLabs(new LabSettings(5, LabAddresses.parse("10.213.0.0/16"))))
                .start();
        http = cp.http();
        alice = cp.createUser("alice", Role.MEMBER).token();
        bob = cp.createUser("bob", Role.MEMBER).token();
    }

    @AfterAll
    static void stop() {
        cp.close();
    }

    private static String unique(String prefix) {
        return prefix + SEQ.incrementAndGet();
    }

    private static String lab(String name, String groups) {
        return "{\"name\":\"" + name + "\",\"template\":\"fake\",\"groups\":[" + groups + "]}";
    }

    private static JsonNode create(String token, String body) {
        HttpResponse<String> r = http.post("/api/v1/labs", token, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return TestHttp.json(r);
    }

    private static JsonNode get(String token, String name) {
        HttpResponse<String> r = http.get("/api/v1/labs/" + name, token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestHttp.json(r);
    }

    private static JsonNode awaitStatus(String token, String name, String status) {
        return await().atMost(WAIT)
                .until(() -> get(token, name), l -> l.get("status").asText().equals(status));
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asText()));
        return out;
    }

    @Test
    void membersAreNamedAddressedLinkedAndTheLabBecomesReady() {
        String name = unique("k");
        JsonNode created =
                create(alice, lab(name, "{\"name\":\"master\",\"count\":1},{\"name\":\"nodes\",\"count\":2}"));

        assertThat(created.get("total").asInt()).isEqualTo(3);
        assertThat(texts(created.get("members"), "name"))
                .containsExactly(name + "-master-1", name + "-nodes-1", name + "-nodes-2");
        String prefix = created.get("subnet").asText().replace("0/24", "");
        assertThat(created.get("subnet").asText()).matches("10\\.213\\.\\d+\\.0/24");
        assertThat(texts(created.get("members"), "address"))
                .containsExactly(prefix + "11", prefix + "12", prefix + "13");

        JsonNode ready = awaitStatus(alice, name, "Ready");
        assertThat(ready.get("message").asText()).isEqualTo("3/3 ready");
        assertThat(texts(ready.get("members"), "phase")).containsOnly("Running");
        // every member is an ordinary workspace of alice's, made from the lab's template
        for (String member : texts(ready.get("members"), "name")) {
            JsonNode w = TestHttp.json(http.get("/api/v1/workspaces/" + member, alice));
            assertThat(w.get("template").asText()).isEqualTo("fake");
            assertThat(w.get("owner").asText()).isEqualTo("alice");
        }
        // the provider got each member's place on the lab segment (the spec's LabNetwork)
        dev.hangar.provider.spi.LabNetwork net =
                cp.fake().lastSpec(name + "-nodes-2").orElseThrow().labNetwork();
        assertThat(net.isNone()).isFalse();
        assertThat(net.address()).isEqualTo(prefix + "13/24");
        assertThat(net.hosts())
                .containsExactly(
                        java.util.Map.entry(name + "-master-1", prefix + "11"),
                        java.util.Map.entry(name + "-nodes-1", prefix + "12"),
                        java.util.Map.entry(name + "-nodes-2", prefix + "13"));
        assertThat(cp.fake()
                        .lastSpec(name + "-master-1")
                        .orElseThrow()
                        .labNetwork()
                        .segment())
                .isEqualTo(net.segment());
        // a second lab gets another /24
        String other = unique("k");
        JsonNode second = create(alice, lab(other, "{\"name\":\"solo\",\"count\":1}"));
        assertThat(second.get("subnet").asText())
                .isNotEqualTo(created.get("subnet").asText());
    }

    @Test
    void concurrentLabCreatesGetDistinctSubnets() throws Exception {
        String token = cp.createUser(unique("racer-"), Role.MEMBER).token();
        List<java.util.concurrent.Future<HttpResponse<String>>> results = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6)) {
            for (int i = 0; i < 6; i++) {
                String body = lab(unique("r"), "{\"name\":\"n\",\"count\":1}");
                results.add(pool.submit(() -> {
                    go.await();
                    return http.post("/api/v1/labs", token, body);
                }));
            }
            go.countDown();
        }
        List<String> subnets = new ArrayList<>();
        for (var f : results) {
            HttpResponse<String> r = f.get();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            subnets.add(TestHttp.json(r).get("subnet").asText());
        }
        assertThat(subnets).doesNotHaveDuplicates().hasSize(6);
    }

    @Test
    void membersAreProvisionedConcurrently() {
        String name = unique("c");
        CountDownLatch gate = new CountDownLatch(1);
        cp.fake().holdApplies(gate);
        try {
            create(alice, lab(name, "{\"name\":\"nodes\",\"count\":3}"));
            // three applies held at once: the members do not wait for each other
            await().atMost(WAIT).until(() -> cp.fake().appliesInFlight() >= 3);
            assertThat(get(alice, name).get("status").asText()).isIn("Creating", "Starting");
        } finally {
            gate.countDown();
            cp.fake().holdApplies(new CountDownLatch(0));
        }
        awaitStatus(alice, name, "Ready");
    }

    @Test
    void aFailingMemberLeavesTheLabDegradedAndDeleteLeavesNothing() {
        String name = unique("f");
        cp.fake().failAppliesOf(name + "-nodes-2", "disk full on the fake host");
        create(alice, lab(name, "{\"name\":\"master\",\"count\":1},{\"name\":\"nodes\",\"count\":2}"));

        JsonNode degraded = awaitStatus(alice, name, "Degraded");
        assertThat(degraded.get("message").asText())
                .contains(name + "-nodes-2")
                .contains("Failed")
                .contains("disk full on the fake host");

        HttpResponse<String> deleted = http.delete("/api/v1/labs/" + name, alice);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
        assertThat(TestHttp.json(deleted).get("status").asText()).isEqualTo("Deleting");
        assertThat(http.get("/api/v1/labs/" + name, alice).statusCode()).isEqualTo(404);
        assertThat(cp.server().store().labs().find("alice", name)).isEmpty();
        for (String member : List.of(name + "-master-1", name + "-nodes-1", name + "-nodes-2")) {
            await().atMost(WAIT)
                    .until(() -> http.get("/api/v1/workspaces/" + member, alice).statusCode() == 404);
        }
    }

    @Test
    void aMemberWhoseCreateIsRefusedLeavesTheLabDegradedAndDeleteRemovesTheRest() {
        try (TestControlPlane quota = TestControlPlane.builder()
                .configure(c -> c.withQuotas(new QuotaPolicy(Map.of(
                        Role.MEMBER,
                        new QuotaLimits(
                                OptionalInt.of(2), OptionalInt.empty(), OptionalLong.empty(), OptionalLong.empty())))))
                .start()) {
            String token = quota.createUser("carol", Role.MEMBER).token();
            HttpResponse<String> r =
                    quota.http().post("/api/v1/labs", token, lab("q", "{\"name\":\"nodes\",\"count\":3}"));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            JsonNode l = TestHttp.json(r);
            assertThat(l.get("status").asText()).isEqualTo("Degraded");
            assertThat(l.get("message").asText())
                    .contains("Missing")
                    .contains("not created")
                    .contains("quota");
            assertThat(texts(l.get("members"), "phase")).containsOnlyOnce("Missing");

            assertThat(quota.http().delete("/api/v1/labs/q", token).statusCode())
                    .isEqualTo(202);
            assertThat(quota.server().store().labs().list("")).isEmpty();
            await().atMost(WAIT).until(() -> quota.server().store().workspaces().count() == 0);
        }
    }

    @Test
    void stopAndStartAggregateAndADirectlyDeletedMemberShowsDegraded() {
        String name = unique("s");
        create(alice, lab(name, "{\"name\":\"nodes\",\"count\":2}"));
        awaitStatus(alice, name, "Ready");

        assertThat(http.post("/api/v1/labs/" + name + "/stop", alice, "").statusCode())
                .isEqualTo(202);
        JsonNode stopped = awaitStatus(alice, name, "Stopped");
        assertThat(stopped.get("message").asText()).isEqualTo("0/2 ready");
        assertThat(http.post("/api/v1/labs/" + name + "/start", alice, "").statusCode())
                .isEqualTo(202);
        awaitStatus(alice, name, "Ready");

        // deleting a member on its own is allowed (it is alice's workspace); the lab says so
        assertThat(http.delete("/api/v1/workspaces/" + name + "-nodes-1", alice).statusCode())
                .isEqualTo(202);
        JsonNode degraded = awaitStatus(alice, name, "Degraded");
        assertThat(degraded.get("message").asText()).contains(name + "-nodes-1").contains("deleted outside the lab");
    }

    @Test
    void anotherMembersLabIsNotFoundAndAdminsSeeEveryLab() {
        String name = unique("o");
        create(alice, lab(name, "{\"name\":\"nodes\",\"count\":1}"));

        problem(http.get("/api/v1/labs/" + name, bob), 404, "");
        problem(http.get("/api/v1/labs/" + name + "?owner=alice", bob), 404, "");
        problem(http.delete("/api/v1/labs/" + name + "?owner=alice", bob), 404, "");
        problem(http.get("/api/v1/labs/" + name + "/inventory?owner=alice", bob), 404, "");
        assertThat(texts(TestHttp.json(http.get("/api/v1/labs", bob)), "name")).doesNotContain(name);
        assertThat(texts(TestHttp.json(http.get("/api/v1/labs", alice)), "name"))
                .contains(name);
        assertThat(texts(TestHttp.json(http.get("/api/v1/labs", cp.adminToken())), "name"))
                .contains(name);
        assertThat(http.get("/api/v1/labs/" + name + "?owner=alice", cp.adminToken())
                        .statusCode())
                .isEqualTo(200);
        // bob may use the same lab name for his own lab
        assertThat(http.post("/api/v1/labs", bob, lab(name + "b", "{\"name\":\"x\",\"count\":1}"))
                        .statusCode())
                .isEqualTo(201);
    }

    @Test
    void deletingTheOwnerWithTransferToMovesTheLabWithItsMembersUnlessTheNameIsTaken() {
        String leaver = unique("leaver");
        String heir = unique("heir");
        String leaverToken = cp.createUser(leaver, Role.MEMBER).token();
        String heirToken = cp.createUser(heir, Role.MEMBER).token();
        String name = unique("t");
        create(leaverToken, lab(name, "{\"name\":\"nodes\",\"count\":2}"));
        awaitStatus(leaverToken, name, "Ready");
        create(heirToken, lab(name, "{\"name\":\"solo\",\"count\":1}"));

        // the heir has a lab of that name: refused, and nothing moved
        JsonNode clash = problem(
                http.delete("/api/v1/users/" + leaver + "?transfer-to=" + heir, cp.adminToken()), 409, "transfer-to");
        assertThat(clash.get("detail").asText()).contains("already has lab(s) named " + name);
        assertThat(get(leaverToken, name).get("total").asInt()).isEqualTo(2);
        assertThat(http.get("/api/v1/workspaces/" + name + "-nodes-1", leaverToken)
                        .statusCode())
                .isEqualTo(200);

        String other = unique("heir");
        String otherToken = cp.createUser(other, Role.MEMBER).token();
        assertThat(http.delete("/api/v1/users/" + leaver + "?transfer-to=" + other, cp.adminToken())
                        .statusCode())
                .isEqualTo(204);

        JsonNode moved = awaitStatus(otherToken, name, "Ready");
        assertThat(moved.get("owner").asText()).isEqualTo(other);
        assertThat(texts(moved.get("members"), "name")).containsExactly(name + "-nodes-1", name + "-nodes-2");
        for (String member : texts(moved.get("members"), "name")) {
            JsonNode w = TestHttp.json(http.get("/api/v1/workspaces/" + member, otherToken));
            assertThat(w.get("owner").asText()).isEqualTo(other);
        }
        assertThat(http.get("/api/v1/labs/" + name, leaverToken).statusCode()).isEqualTo(401);
        // the heir's own lab of that name is untouched
        assertThat(get(heirToken, name).get("total").asInt()).isEqualTo(1);
    }

    @Test
    void badInputIsAProblemNamingTheFieldAndCreatesNothing() {
        String token = cp.createUser(unique("bad-"), Role.MEMBER).token();
        problem(http.post("/api/v1/labs", token, lab("b", "{\"name\":\"nodes\",\"count\":0}")), 422, "groups[0].count");
        problem(http.post("/api/v1/labs", token, lab("b", "{\"name\":\"nodes\"}")), 422, "groups[0].count");
        JsonNode tooMany = problem(
                http.post("/api/v1/labs", token, lab("b", "{\"name\":\"m\",\"count\":2},{\"name\":\"n\",\"count\":4}")),
                422,
                "groups");
        assertThat(tooMany.get("detail").asText()).contains("6 members").contains("at most 5");
        problem(
                http.post("/api/v1/labs", token, lab("b", "{\"name\":\"n\",\"count\":1},{\"name\":\"n\",\"count\":1}")),
                422,
                "groups[1].name");
        problem(http.post("/api/v1/labs", token, lab("b", "")), 422, "groups");
        problem(
                http.post(
                        "/api/v1/labs",
                        token,
                        "{\"name\":\"b\",\"groups\":[{\"name\":\"n\",\"count\":1,\"template\":\"no-such\"}]}"),
                422,
                "groups[0].template");
        problem(
                http.post(
                        "/api/v1/labs",
                        token,
                        lab("b", "{\"name\":\"n\",\"count\":1,\"userData\":\"packages: [git\\n  oops: {\"}")),
                422,
                "groups[0].userData");
        problem(
                http.post("/api/v1/labs", token, lab("b", "{\"name\":\"n\",\"count\":1,\"cpus\":0}")),
                422,
                "groups[0].cpus");
        String longName = "a".repeat(41);
        JsonNode tooLong = problem(
                http.post("/api/v1/labs", token, lab(longName, "{\"name\":\"" + "g".repeat(20) + "\",\"count\":1}")),
                422,
                "groups[0].name");
        assertThat(tooLong.get("detail").asText()).contains("64 characters").contains("1 over the limit of 63");
        problem(http.post("/api/v1/labs", token, lab("Bad_Name", "{\"name\":\"n\",\"count\":1}")), 422, "name");
        problem(
                http.post(
                        "/api/v1/labs",
                        token,
                        "{\"name\":\"b\",\"groups\":[{\"name\":\"n\",\"count\":1}],\"extra\":1}"),
                400,
                "extra");
        // nothing of all that was created
        assertThat(TestHttp.json(http.get("/api/v1/labs", token))).isEmpty();
        assertThat(TestHttp.json(http.get("/api/v1/workspaces", token))).isEmpty();

        create(token, lab("taken", "{\"name\":\"n\",\"count\":1}"));
        problem(http.post("/api/v1/labs", token, lab("taken", "{\"name\":\"m\",\"count\":1}")), 409, "name");
    }

    @Test
    void theInventoryIsServedInEveryFormatAndMemberNetworkDescribesTheSegment() {
        String name = unique("i");
        create(alice, lab(name, "{\"name\":\"master\",\"count\":1},{\"name\":\"nodes\",\"count\":2}"));

        HttpResponse<String> ini =
                http.get("/api/v1/labs/" + name + "/inventory?sshConfig=/home/alice/.ssh/hangar/config", alice);
        assertThat(ini.statusCode()).isEqualTo(200);
        assertThat(ini.body())
                .contains("[" + name + ":children]\nmaster\nnodes\n")
                .contains(name + "-master-1.hangar lab_address=")
                .contains("ansible_ssh_common_args='-F /home/alice/.ssh/hangar/config'")
                .doesNotContain("StrictHostKeyChecking=no");
        JsonNode list = TestHttp.json(http.get("/api/v1/labs/" + name + "/inventory?format=list", alice));
        assertThat(list.get("_meta").get("hostvars").size()).isEqualTo(3);
        assertThat(list.get(name).get("vars").get("ansible_ssh_common_args").asText())
                .isEqualTo("-F {{ lookup('env', 'HOME') }}/.ssh/hangar/config");
        problem(http.get("/api/v1/labs/" + name + "/inventory?format=toml", alice), 400, "format");
        problem(http.get("/api/v1/labs/" + name + "/inventory?sshConfig=relative/config", alice), 400, "sshConfig");

        Lab stored = cp.server().store().labs().find("alice", name).orElseThrow();
        LabService service =
                new LabService(cp.server().store(), cp.server().workspaces(), Clock.systemUTC(), LabSettings.DEFAULTS);
        String nodeId = stored.members().get(2).workspaceId();
        LabMemberNetwork net = service.memberNetwork(nodeId).orElseThrow();
        assertThat(net.segmentId()).isEqualTo(stored.id());
        assertThat(net.addressCidr()).isEqualTo(stored.members().get(2).address() + "/24");
        assertThat(net.hosts())
                .containsOnlyKeys(name + "-master-1", name + "-nodes-1", name + "-nodes-2")
                .containsEntry(name + "-master-1", stored.members().get(0).address());
        assertThat(service.memberNetwork("no-such-workspace")).isEmpty();
    }

    @Test
    void resetQueryValuesAreStrippedLikeEveryOtherQueryParameter() {
        String name = unique("r");
        create(alice, lab(name, "{\"name\":\"nodes\",\"count\":1}"));
        awaitStatus(alice, name, "Ready");

        // " nodes " names the group once its blanks are gone (QueryParams.all), so its member resets
        HttpResponse<String> padded = http.post("/api/v1/labs/" + name + "/reset?group=%20nodes%20", alice, "");
        assertThat(padded.statusCode()).as(padded.body()).isEqualTo(202);
        assertThat(texts(TestHttp.json(padded), "workspace")).containsExactly(name + "-nodes-1");

        HttpResponse<String> unknown = http.post("/api/v1/labs/" + name + "/reset?group=%20nope%20", alice, "");
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(422);
        assertThat(unknown.body()).contains("has no group 'nope'; groups: nodes");
    }
}
