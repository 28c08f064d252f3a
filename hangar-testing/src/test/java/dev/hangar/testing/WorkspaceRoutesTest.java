package dev.hangar.testing;

import static dev.hangar.testing.ProblemAssert.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.api.DesiredState;
import dev.hangar.api.EventView;
import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.WorkspaceView;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every /api/v1/workspaces route over a real socket against the real server (SQLite, fake provider). */
class WorkspaceRoutesTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static TestControlPlane cp;
    private static TestHttp http;
    private static String admin;

    @BeforeAll
    static void start() {
        cp = TestControlPlane.start();
        http = cp.http();
        admin = cp.adminToken();
    }

    @AfterAll
    static void stop() {
        cp.close();
    }

    private static String unique(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet();
    }

    private static WorkspaceView create(String token, String name) {
        HttpResponse<String> r =
                http.post("/api/v1/workspaces", token, "{\"name\":\"" + name + "\",\"template\":\"fake\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return TestHttp.read(r, WorkspaceView.class);
    }

    private static WorkspaceView get(String token, String name) {
        HttpResponse<String> r = http.get("/api/v1/workspaces/" + name, token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestHttp.read(r, WorkspaceView.class);
    }

    private static void awaitPhase(String token, String name, String phase) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> get(token, name).phase().name().equals(phase));
    }

    @Test
    void createReturns201WithLocationAndTemplateDefaults() {
        String name = unique("create");
        HttpResponse<String> r =
                http.post("/api/v1/workspaces", admin, "{\"name\":\"" + name + "\",\"template\":\"fake\",\"cpus\":2}");
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/workspaces/" + name);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        WorkspaceView w = TestHttp.read(r, WorkspaceView.class);
        assertThat(w.name()).isEqualTo(name);
        assertThat(w.owner()).isEqualTo(TestControlPlane.ADMIN);
        assertThat(w.provider()).isEqualTo("fake");
        assertThat(w.cpus()).isEqualTo(2);
        assertThat(w.memoryMiB()).isEqualTo(512);
        assertThat(w.diskGiB()).isEqualTo(1);
        assertThat(w.desired()).isEqualTo(DesiredState.RUNNING);
        assertThat(w.hostKey()).startsWith("ssh-ed25519 ");
        assertThat(r.body()).doesNotContain("PRIVATE KEY");
        awaitPhase(admin, name, "Running");
    }

    @Test
    void getAndListWithFilters() {
        String name = unique("list");
        create(admin, name);
        awaitPhase(admin, name, "Running");
        List<WorkspaceView> all =
                TestHttp.read(http.get("/api/v1/workspaces", admin), new TypeReference<List<WorkspaceView>>() {});
        assertThat(all).extracting(WorkspaceView::name).contains(name);
        List<WorkspaceView> running = TestHttp.read(
                http.get("/api/v1/workspaces?phase=Running&template=fake&provider=fake&owner=admin", admin),
                new TypeReference<List<WorkspaceView>>() {});
        assertThat(running).extracting(WorkspaceView::name).contains(name);
        assertThat(running).allMatch(w -> w.phase() == WorkspacePhase.Running);
        List<WorkspaceView> stopped = TestHttp.read(
                http.get("/api/v1/workspaces?phase=stopped,failed", admin),
                new TypeReference<List<WorkspaceView>>() {});
        assertThat(stopped).extracting(WorkspaceView::name).doesNotContain(name);
        List<WorkspaceView> otherTemplate = TestHttp.read(
                http.get("/api/v1/workspaces?template=nope", admin), new TypeReference<List<WorkspaceView>>() {});
        assertThat(otherTemplate).isEmpty();
        problem(http.get("/api/v1/workspaces?phase=Sleeping", admin), 400, "phase");
    }

    @Test
    void listIsPagedWithLinkHeadersAndTheClientFollowsThem() {
        TestControlPlane.Credentials pager = cp.createUser(unique("pager"), false);
        List<String> names = List.of("p-a", "p-b", "p-c", "p-d", "p-e");
        for (String n : names) create(pager.token(), n);

        List<String> seen = new java.util.ArrayList<>();
        String next = "/api/v1/workspaces?template=fake&limit=2";
        int pages = 0;
        while (next != null) {
            HttpResponse<String> r = http.get(next, pager.token());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            List<WorkspaceView> page = TestHttp.read(r, new TypeReference<List<WorkspaceView>>() {});
            assertThat(page).hasSizeLessThanOrEqualTo(2);
            page.forEach(w -> seen.add(w.name()));
            pages++;
            next = r.headers()
                    .firstValue("Link")
                    .map(l -> {
                        // RFC 8288: <URI-Reference>; rel="next"; the filters travel with the link
                        assertThat(l)
                                .endsWith(">; rel=\"next\"")
                                .contains("template=fake")
                                .contains("limit=2");
                        return l.substring(1, l.indexOf('>'));
                    })
                    .orElse(null);
        }
        assertThat(seen).containsExactlyElementsOf(names);
        assertThat(pages).isEqualTo(3);

        try (var client = new dev.hangar.api.client.HangarClient(
                dev.hangar.api.client.ClientSettings.of(cp.baseUri().toString(), pager.token()))) {
            assertThat(client.listWorkspaces(dev.hangar.api.client.WorkspaceFilter.NONE, 2))
                    .extracting(WorkspaceView::name)
                    .containsExactlyElementsOf(names);
            assertThat(client.listWorkspaces(dev.hangar.api.client.WorkspaceFilter.NONE))
                    .extracting(WorkspaceView::name)
                    .containsExactlyElementsOf(names);
        }
        problem(http.get("/api/v1/workspaces?limit=0", admin), 400, "limit");
        problem(http.get("/api/v1/workspaces?limit=1001", admin), 400, "limit");
        problem(http.get("/api/v1/workspaces?limit=ten", admin), 400, "limit");
        problem(http.get("/api/v1/workspaces?continue=%21%21", admin), 400, "continue");
        problem(http.get("/api/v1/workspaces?continue=bm9zbGFzaA", admin), 400, "continue");
    }

    /**
     * A list row is the single workspace's answer without its auto-stop state, byte for byte (same
     * fields, same order), although the list reads summaries and never opens the host key; with
     * {@code Accept-Encoding: gzip} the streamed page arrives compressed and decodes to the same.
     */
    @Test
    void aListRowIsTheWorkspaceWithoutAutostopByteForByte() throws Exception {
        TestControlPlane.Credentials carol = cp.createUser(unique("carol"), false);
        // five rows: a page over Javalin's 1,500-byte threshold for compression
        List<String> names = List.of("row-a", "row-b", "row-c", "row-d", "row-e");
        for (String n : names) create(carol.token(), n);
        for (String n : names) awaitPhase(carol.token(), n, "Running");
        List<String> singles = new java.util.ArrayList<>();
        for (String n : names) {
            com.fasterxml.jackson.databind.node.ObjectNode single = (com.fasterxml.jackson.databind.node.ObjectNode)
                    TestHttp.json(http.get("/api/v1/workspaces/" + n, carol.token()));
            assertThat(single.has("autostop")).isTrue();
            single.remove("autostop");
            singles.add(single.toString());
        }

        HttpResponse<String> list = http.get("/api/v1/workspaces", carol.token());
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(list.body()).isEqualTo("[" + String.join(",", singles) + "]").doesNotContain("PRIVATE KEY");

        HttpResponse<byte[]> gzipped = http.client()
                .send(
                        java.net.http.HttpRequest.newBuilder(cp.baseUri().resolve("/api/v1/workspaces"))
                                .header("Authorization", "Bearer " + carol.token())
                                .header("Accept-Encoding", "gzip")
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gzipped.body()))) {
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(list.body());
        }
    }

    @Test
    void usersSeeOnlyTheirOwnWorkspacesAndAdminsSeeAll() {
        TestControlPlane.Credentials alice = cp.createUser(unique("alice"), false);
        TestControlPlane.Credentials bob = cp.createUser(unique("bob"), false);
        String name = unique("mine");
        create(alice.token(), name);
        // bob cannot see it, not even its existence
        problem(http.get("/api/v1/workspaces/" + name + "?owner=" + alice.name(), bob.token()), 404, "");
        problem(http.get("/api/v1/workspaces/" + name, bob.token()), 404, "");
        problem(http.post("/api/v1/workspaces/" + name + "/stop?owner=" + alice.name(), bob.token(), null), 404, "");
        problem(http.get("/api/v1/workspaces?owner=" + alice.name(), bob.token()), 403, "");
        List<WorkspaceView> bobs =
                TestHttp.read(http.get("/api/v1/workspaces", bob.token()), new TypeReference<List<WorkspaceView>>() {});
        assertThat(bobs).isEmpty();
        // the admin sees and acts on it through ?owner=
        WorkspaceView w = get(admin, name + "?owner=" + alice.name());
        assertThat(w.owner()).isEqualTo(alice.name());
        assertThat(http.post("/api/v1/workspaces/" + name + "/stop?owner=" + alice.name(), admin, null)
                        .statusCode())
                .isEqualTo(202);
        // the same name is free for another owner
        assertThat(create(bob.token(), name).owner()).isEqualTo(bob.name());
    }

    @Test
    void stopStartRestartDeleteAnswer202AndConverge() {
        String name = unique("cycle");
        create(admin, name);
        awaitPhase(admin, name, "Running");

        HttpResponse<String> stop = http.post("/api/v1/workspaces/" + name + "/stop", admin, null);
        assertThat(stop.statusCode()).isEqualTo(202);
        assertThat(TestHttp.read(stop, WorkspaceView.class).desired()).isEqualTo(DesiredState.STOPPED);
        awaitPhase(admin, name, "Stopped");

        assertThat(http.post("/api/v1/workspaces/" + name + "/start", admin, null)
                        .statusCode())
                .isEqualTo(202);
        awaitPhase(admin, name, "Running");

        int appliesBefore = cp.fake().calls("apply", name).size();
        assertThat(http.post("/api/v1/workspaces/" + name + "/restart", admin, null)
                        .statusCode())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(get(admin, name).phase()).isEqualTo(WorkspacePhase.Running);
            assertThat(cp.fake().calls("apply", name).stream()
                            .skip(appliesBefore)
                            .anyMatch(c -> c.outcome().equals("Stopped")))
                    .as("restart stopped the compute once")
                    .isTrue();
        });

        HttpResponse<String> del = http.delete("/api/v1/workspaces/" + name, admin);
        assertThat(del.statusCode()).isEqualTo(202);
        assertThat(TestHttp.read(del, WorkspaceView.class).desired()).isEqualTo(DesiredState.DELETED);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> http.get("/api/v1/workspaces/" + name, admin).statusCode() == 404);
    }

    @Test
    void eventsAreListedOldestFirstWithLimit() {
        String name = unique("events");
        create(admin, name);
        awaitPhase(admin, name, "Running");
        List<EventView> events = TestHttp.read(
                http.get("/api/v1/workspaces/" + name + "/events", admin), new TypeReference<List<EventView>>() {});
        assertThat(events).isNotEmpty();
        assertThat(events.getFirst().type()).isEqualTo("created");
        assertThat(events.getFirst().actor()).isEqualTo(TestControlPlane.ADMIN);
        assertThat(events).extracting(EventView::type).contains("phase");
        assertThat(events).extracting(EventView::seq).isSorted();
        List<EventView> last = TestHttp.read(
                http.get("/api/v1/workspaces/" + name + "/events?limit=1", admin),
                new TypeReference<List<EventView>>() {});
        assertThat(last).hasSize(1);
        assertThat(last.getFirst().seq()).isEqualTo(events.getLast().seq());
        problem(http.get("/api/v1/workspaces/" + name + "/events?limit=0", admin), 400, "limit");
        problem(http.get("/api/v1/workspaces/" + name + "/events?limit=x", admin), 400, "limit");
        problem(http.get("/api/v1/workspaces/nope-" + name + "/events", admin), 404, "");
    }

    @Test
    void restartOfAStoppedWorkspaceIsAConflict() {
        String name = unique("conflict");
        create(admin, name);
        http.post("/api/v1/workspaces/" + name + "/stop", admin, null);
        JsonNode p = problem(http.post("/api/v1/workspaces/" + name + "/restart", admin, null), 409, "");
        assertThat(p.path("detail").asText()).isNotBlank();
    }

    @Test
    void everyWorkspaceRouteRequiresAValidToken() {
        String name = unique("auth");
        create(admin, name);
        String[][] routes = {
            {"GET", "/api/v1/workspaces"},
            {"POST", "/api/v1/workspaces"},
            {"GET", "/api/v1/workspaces/" + name},
            {"DELETE", "/api/v1/workspaces/" + name},
            {"POST", "/api/v1/workspaces/" + name + "/start"},
            {"POST", "/api/v1/workspaces/" + name + "/stop"},
            {"POST", "/api/v1/workspaces/" + name + "/restart"},
            {"GET", "/api/v1/workspaces/" + name + "/events"},
        };
        String wellFormedButUnknown = "hgr_0123456789abcdef_" + "A".repeat(43);
        String wrongSecret = admin.substring(0, admin.length() - 4) + "AAAA";
        for (String[] r : routes) {
            for (String token : new String[] {"", "garbage", wellFormedButUnknown, wrongSecret}) {
                HttpResponse<String> resp = http.send(
                        r[0], r[1], token, r[0].equals("POST") ? "{\"name\":\"x\",\"template\":\"fake\"}" : null);
                problem(resp, 401, "");
                assertThat(resp.headers().firstValue("WWW-Authenticate"))
                        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
                assertThat(resp.body()).doesNotContain(admin);
            }
        }
        HttpResponse<String> basic =
                http.send(java.net.http.HttpRequest.newBuilder(cp.baseUri().resolve("/api/v1/workspaces"))
                        .header("Authorization", "Basic YWRtaW46YWRtaW4=")
                        .build());
        problem(basic, 401, "");
        // nothing was changed by the refused requests
        assertThat(get(admin, name).desired()).isEqualTo(DesiredState.RUNNING);
    }

    @Test
    void unknownRoutesAreProblemJson404() {
        problem(http.get("/api/v1/nothing-here", admin), 404, "");
    }

    @Test
    void changedFromHoldsTheRequestUntilTheNextWriteAndAnswersIt() throws Exception {
        // What `hangar ... --wait` waits on instead of polling (bench/qemu: a poll every 250 ms
        // returned 0.14-0.23 s after Running).
        String name = unique("hold");
        create(admin, name);
        awaitPhase(admin, name, "Running");
        WorkspaceView before = get(admin, name);

        java.util.concurrent.CompletableFuture<HttpResponse<String>> held =
                java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> http.get(
                                "/api/v1/workspaces/" + name + "?changedFrom=" + before.version() + "&waitSeconds=20",
                                admin),
                        java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() -> !held.isDone());

        long stopAt = System.nanoTime();
        assertThat(http.post("/api/v1/workspaces/" + name + "/stop", admin, null)
                        .statusCode())
                .isEqualTo(202);
        HttpResponse<String> r = held.get(10, java.util.concurrent.TimeUnit.SECONDS);
        Duration afterStop = Duration.ofNanos(System.nanoTime() - stopAt);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        WorkspaceView changed = TestHttp.read(r, WorkspaceView.class);
        assertThat(changed.version()).isGreaterThan(before.version());
        assertThat(changed.desired()).isEqualTo(DesiredState.STOPPED);
        assertThat(afterStop).isLessThan(Duration.ofSeconds(5)); // not the 20 s it may be held
    }

    @Test
    void changedFromAnswersAtOnceForAnOlderVersionAndAfterWaitSecondsForTheCurrentOne() {
        String name = unique("hold-now");
        create(admin, name);
        awaitPhase(admin, name, "Running");
        WorkspaceView now = get(admin, name);

        long t0 = System.nanoTime();
        HttpResponse<String> older = http.get(
                "/api/v1/workspaces/" + name + "?changedFrom=" + (now.version() - 1) + "&waitSeconds=20", admin);
        Duration tookOlder = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(older.statusCode()).as(older.body()).isEqualTo(200);
        assertThat(TestHttp.read(older, WorkspaceView.class).version()).isEqualTo(now.version());
        assertThat(tookOlder).isLessThan(Duration.ofSeconds(5));

        long t1 = System.nanoTime();
        HttpResponse<String> same =
                http.get("/api/v1/workspaces/" + name + "?changedFrom=" + now.version() + "&waitSeconds=1", admin);
        Duration tookSame = Duration.ofNanos(System.nanoTime() - t1);
        assertThat(same.statusCode()).as(same.body()).isEqualTo(200);
        assertThat(TestHttp.read(same, WorkspaceView.class).version()).isEqualTo(now.version());
        assertThat(tookSame).isGreaterThanOrEqualTo(Duration.ofMillis(950)).isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void aWorkspaceDeletedWhileARequestWaitsIs404() throws Exception {
        String name = unique("hold-gone");
        create(admin, name);
        awaitPhase(admin, name, "Running");
        WorkspaceView before = get(admin, name);
        java.util.concurrent.CompletableFuture<HttpResponse<String>> held =
                java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> http.get(
                                "/api/v1/workspaces/" + name + "?changedFrom=" + before.version() + "&waitSeconds=20",
                                admin),
                        java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());

        assertThat(http.delete("/api/v1/workspaces/" + name, admin).statusCode())
                .isEqualTo(202);
        // the delete request is a write (desired: deleted), the row's removal the next one
        HttpResponse<String> r = held.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isIn(200, 404);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> http.get(
                                        "/api/v1/workspaces/" + name + "?changedFrom=" + before.version()
                                                + "&waitSeconds=20",
                                        admin)
                                .statusCode()
                        == 404);
    }

    @Test
    void badWaitParametersAre400() {
        String name = unique("hold-bad");
        create(admin, name);
        String base = "/api/v1/workspaces/" + name;
        problem(http.get(base + "?waitSeconds=5", admin), 400, "waitSeconds");
        problem(http.get(base + "?changedFrom=1&waitSeconds=0", admin), 400, "waitSeconds");
        problem(http.get(base + "?changedFrom=1&waitSeconds=21", admin), 400, "waitSeconds");
        problem(http.get(base + "?changedFrom=1&waitSeconds=soon", admin), 400, "waitSeconds");
        problem(http.get(base + "?changedFrom=-1", admin), 400, "changedFrom");
        problem(http.get(base + "?changedFrom=x", admin), 400, "changedFrom");
    }
}
