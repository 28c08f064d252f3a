package dev.hangar.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.hangar.api.WorkspaceView;
import dev.hangar.core.domain.Workspace;
import dev.hangar.store.EmbeddedPostgresExtension;
import dev.hangar.store.JdbiStore;
import dev.hangar.store.StoreConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The list answer cache of {@code GET /api/v1/workspaces} (issue #18, item 4) against the real
 * server on SQLite and on PostgreSQL: after a write through every path (create, the reconciler's
 * status update, delete, an owner change by user deletion with {@code transfer-to}, SQL on a
 * connection of its own, as another replica's) the very next list answer shows it; a caller never
 * gets another caller's answer, nor the answer of their own former role; a rolled-back write keeps
 * the answer cached; a gzip client gets the answer's kept gzip bytes, a plain client the plain
 * ones, both from the cache. Hits and misses are read from /metrics, so the test also proves the
 * cache is used at all.
 */
class ListPageCacheTest {
    private static final Pattern LOOKUPS =
            Pattern.compile("hangar_list_cache_lookups_total\\{result=\"(hit|miss)\"} ([0-9.E]+)");

    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension("list_cache");

    @TempDir
    Path tmp;

    /** @return a new empty database of {@code backend} */
    private StoreConfig database(String backend) throws Exception {
        if (backend.equals("sqlite")) return StoreConfig.sqlite(tmp.resolve("list-cache.db"));
        return new StoreConfig(POSTGRES.newDatabase(), "postgres", "postgres");
    }

    private static TestControlPlane start(StoreConfig db) {
        return TestControlPlane.builder()
                .storeOpener(config -> JdbiStore.open(
                        db,
                        dev.hangar.core.secret.SecretKeyFile.loadOrCreate(
                                config.secrets().keyFile())))
                .start();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void everyWritePathMakesTheNextListAnswerFresh(String backend) throws Exception {
        StoreConfig db = database(backend);
        try (TestControlPlane cp = start(db)) {
            TestHttp http = cp.http();
            String admin = cp.adminToken();
            created(http, admin, "cache-a");
            // the reconciler's status writes: the listing follows the phase to Running
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> list(http, admin).get("cache-a").phase().name().equals("Running"));
            // once the reconciler is done writing, an unchanged listing is served from the cache
            awaitHit(http, admin);

            // a write on a connection of the test's own (as another replica or an operator would): a
            // column no reconciler pass derives from its observation, and the version moved as any
            // writer's does, so a pass that read the row before cannot write it back. (Until
            // 2026-12-06 this wrote `reason`, which every resync, 250 ms here, sets from the
            // provider's observation: CI met a resync between the write and the list.)
            Instant handWritten = Instant.ofEpochMilli(1_000_000_000_000L);
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
                    PreparedStatement st = c.prepareStatement(
                            "UPDATE workspaces SET created_at_ms = ?, version = version + 1 WHERE name = ?")) {
                st.setLong(1, handWritten.toEpochMilli());
                st.setString(2, "cache-a");
                assertThat(st.executeUpdate()).isEqualTo(1);
            }
            assertThat(list(http, admin).get("cache-a").createdAt()).isEqualTo(handWritten);

            // delete: the desired state shows at once, the row goes when the reconciler is done (the
            // fake provider may finish before the next list: then the row is already gone, which is
            // as fresh; what must never show is the cached Running row with desired RUNNING)
            assertThat(http.delete("/api/v1/workspaces/cache-a", admin).statusCode())
                    .isEqualTo(202);
            WorkspaceView deleting = list(http, admin).get("cache-a");
            if (deleting != null) assertThat(deleting.desired().name()).isEqualTo("DELETED");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !list(http, admin).containsKey("cache-a"));

            // owner change: deleting a user with transfer-to moves the workspaces in one transaction
            TestControlPlane.Credentials bob = cp.createUser("cache-bob-" + backend, false);
            created(http, bob.token(), "cache-b");
            assertThat(list(http, admin).get("cache-b").owner()).isEqualTo(bob.name());
            assertThat(http.delete("/api/v1/users/" + bob.name() + "?transfer-to=" + TestControlPlane.ADMIN, admin)
                            .statusCode())
                    .isEqualTo(204);
            assertThat(list(http, admin).get("cache-b").owner()).isEqualTo(TestControlPlane.ADMIN);

            // a rolled-back write changes nothing, and the answer stays cached (once cache-b is
            // Running and the reconciler has nothing more to write)
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> list(http, admin).get("cache-b").phase().name().equals("Running"));
            awaitHit(http, admin);
            Map<String, WorkspaceView> before = list(http, admin);
            long hits = lookups(http, "hit");
            assertThatThrownBy(() -> cp.server().store().inTransaction(tx -> {
                        Workspace b = tx.workspaces()
                                .findByName(TestControlPlane.ADMIN, "cache-b")
                                .orElseThrow();
                        tx.workspaces().delete(b.id(), b.version());
                        throw new IllegalStateException("roll back");
                    }))
                    .hasMessage("roll back");
            assertThat(list(http, admin)).isEqualTo(before);
            assertThat(lookups(http, "hit")).isGreaterThan(hits);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void aCallerNeverGetsAnotherCallersOrTheirFormerRolesAnswer(String backend) throws Exception {
        try (TestControlPlane cp = start(database(backend))) {
            TestHttp http = cp.http();
            String admin = cp.adminToken();
            TestControlPlane.Credentials carol = cp.createUser("cache-carol", false);
            TestControlPlane.Credentials dave = cp.createUser("cache-dave", false);
            created(http, carol.token(), "carols");
            created(http, dave.token(), "daves");
            created(http, admin, "admins");
            // the same URL for every caller, each asked twice (the second answer from the cache)
            for (int round = 0; round < 2; round++) {
                assertThat(list(http, carol.token()).keySet()).containsExactly("carols");
                assertThat(list(http, dave.token()).keySet()).containsExactly("daves");
                assertThat(list(http, admin).keySet()).containsExactlyInAnyOrder("carols", "daves", "admins");
            }
            // a role change is a write of the users table, not of workspaces: the key has the role
            HttpResponse<String> r =
                    http.send("PATCH", "/api/v1/users/" + carol.name(), admin, "{\"role\":\"auditor\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(list(http, carol.token()).keySet()).containsExactlyInAnyOrder("carols", "daves", "admins");
            // query parameters are part of the key: owner=me, a filter, a smaller page
            assertThat(list(http, carol.token(), "?owner=me").keySet()).containsExactly("carols");
            assertThat(list(http, admin, "?owner=" + dave.name()).keySet()).containsExactly("daves");
            HttpResponse<String> page = http.get("/api/v1/workspaces?limit=1", admin);
            assertThat(TestHttp.read(page, new TypeReference<List<WorkspaceView>>() {}))
                    .hasSize(1);
            assertThat(page.headers().firstValue("Link")).isPresent();
            HttpResponse<String> cached = http.get("/api/v1/workspaces?limit=1", admin);
            assertThat(cached.body()).isEqualTo(page.body());
            assertThat(cached.headers().firstValue("Link"))
                    .isEqualTo(page.headers().firstValue("Link"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void aGzipClientGetsTheKeptGzipBytesAndAPlainClientThePlainOnes(String backend) throws Exception {
        try (TestControlPlane cp = start(database(backend))) {
            TestHttp http = cp.http();
            String admin = cp.adminToken();
            // five rows: a body over the 1,500 bytes below which answers go plain
            List<String> names = List.of("gz-a", "gz-b", "gz-c", "gz-d", "gz-e");
            for (String n : names) created(http, admin, n);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> list(http, admin).values().stream()
                            .allMatch(w -> w.phase().name().equals("Running")));
            awaitHit(http, admin);
            HttpResponse<String> plain = http.get("/api/v1/workspaces", admin);
            assertThat(plain.body().length()).isGreaterThan(1500);
            long hits = lookups(http, "hit");
            long misses = lookups(http, "miss");

            HttpResponse<byte[]> first = gzipGet(cp, admin);
            HttpResponse<byte[]> second = gzipGet(cp, admin);
            HttpResponse<String> plainAgain = http.get("/api/v1/workspaces", admin);

            for (HttpResponse<byte[]> g : List.of(first, second)) {
                assertThat(g.statusCode()).isEqualTo(200);
                assertThat(g.headers().firstValue("Content-Encoding")).hasValue("gzip");
                assertThat(g.headers().allValues("Vary")).contains("Accept-Encoding");
                try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(g.body()))) {
                    assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                            .isEqualTo(plain.body());
                }
            }
            assertThat(plainAgain.headers().firstValue("Content-Encoding")).isEmpty();
            assertThat(plainAgain.body()).isEqualTo(plain.body());
            // all three from the cache: the first gzip request added the variant to the kept answer
            assertThat(lookups(http, "hit") - hits).isEqualTo(3);
            assertThat(lookups(http, "miss")).isEqualTo(misses);
        }
    }

    private static HttpResponse<byte[]> gzipGet(TestControlPlane cp, String token) throws Exception {
        return cp.http()
                .client()
                .send(
                        java.net.http.HttpRequest.newBuilder(cp.baseUri().resolve("/api/v1/workspaces"))
                                .header("Authorization", "Bearer " + token)
                                .header("Accept-Encoding", "gzip")
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Lists until an answer comes from the cache (when the reconciler has stopped writing). */
    private static void awaitHit(TestHttp http, String token) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            long hits = lookups(http, "hit");
            list(http, token);
            return lookups(http, "hit") > hits;
        });
    }

    private static void created(TestHttp http, String token, String name) {
        HttpResponse<String> r =
                http.post("/api/v1/workspaces", token, "{\"name\":\"" + name + "\",\"template\":\"fake\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    private static Map<String, WorkspaceView> list(TestHttp http, String token) {
        return list(http, token, "");
    }

    private static Map<String, WorkspaceView> list(TestHttp http, String token, String query) {
        HttpResponse<String> r = http.get("/api/v1/workspaces" + query, token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestHttp.read(r, new TypeReference<List<WorkspaceView>>() {}).stream()
                .collect(Collectors.toMap(WorkspaceView::name, w -> w));
    }

    private static long lookups(TestHttp http, String result) {
        HttpResponse<String> r = http.get("/metrics", "");
        Matcher m = LOOKUPS.matcher(r.body());
        while (m.find()) if (m.group(1).equals(result)) return (long) Double.parseDouble(m.group(2));
        throw new AssertionError("no hangar_list_cache_lookups_total{result=\"" + result + "\"} in /metrics");
    }
}
