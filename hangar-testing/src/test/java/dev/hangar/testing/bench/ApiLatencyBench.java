package dev.hangar.testing.bench;

import static org.awaitility.Awaitility.await;

import dev.hangar.core.reconcile.WorkspaceReconciler;
import dev.hangar.store.JdbiStore;
import dev.hangar.store.RootSafePostgres;
import dev.hangar.store.StoreConfig;
import dev.hangar.testing.TestControlPlane;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark (not a test; run with {@code -Pbench -Dbench.class=ApiLatencyBench}, or
 * {@code bench/api/latency.sh}): REST API latency under N concurrent closed-loop clients against the
 * real server with the test-only fake provider (workspaces converge in milliseconds, so the API and
 * the store are what is measured), once on SQLite and once on embedded PostgreSQL (zonky), in the
 * same run.
 *
 * <p>Per backend and client count: {@code GET /healthz} (no authentication, no store: the
 * baseline), {@code GET /api/v1/workspaces} (one page with the seeded workspaces, admin token), and
 * create + delete ({@code POST /api/v1/workspaces} answered 201, then {@code DELETE} of the same
 * workspace answered 202: one timed operation; the reconciler deletes it in the background, as in
 * production, with the default reconciler settings). Between client counts the bench waits until
 * the reconciler has removed every deleted workspace. Prints requests/s, p50/p90/p99, the failed
 * answers by status and problem detail (a create+delete whose DELETE failed is not a sample; the
 * workspace is then deleted by untimed retries), and the ratios to the baseline of the same server
 * and client count; asserts nothing.
 *
 * <p>Arguments (all optional): {@code workspaces=200 clients=1,8,32 seconds=10 warmup=3
 * backends=sqlite,postgres}.
 */
public final class ApiLatencyBench {
    private ApiLatencyBench() {}

    /** Figures of one client count on one backend. */
    private record Row(
            String backend,
            int clients,
            ClosedLoopLoad.Result health,
            ClosedLoopLoad.Result list,
            ClosedLoopLoad.Result createDelete) {}

    public static void main(String[] args) throws Exception {
        int workspaces = ClosedLoopLoad.arg(args, "workspaces", 200);
        int seconds = ClosedLoopLoad.arg(args, "seconds", 10);
        int warmup = ClosedLoopLoad.arg(args, "warmup", 3);
        List<Integer> clientCounts = ints(text(args, "clients", "1,8,32"));
        List<String> backends =
                List.of(text(args, "backends", "sqlite,postgres").split(","));
        System.out.printf(
                Locale.ROOT,
                "load average before: %.2f; %d cores%n",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
        List<Row> rows = new ArrayList<>();
        for (String backend : backends) {
            switch (backend) {
                case "sqlite" -> {
                    try (TestControlPlane cp = TestControlPlane.builder()
                            .reconciler(WorkspaceReconciler.Settings.DEFAULTS)
                            .start()) {
                        rows.addAll(measure("sqlite", cp, workspaces, clientCounts, seconds, warmup));
                    }
                }
                case "postgres" -> {
                    try (EmbeddedPostgres pg = RootSafePostgres.start()) {
                        try (Connection c = pg.getPostgresDatabase().getConnection();
                                Statement s = c.createStatement()) {
                            s.execute("CREATE DATABASE hangar_bench");
                        }
                        StoreConfig store = new StoreConfig(
                                "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/hangar_bench",
                                "postgres",
                                "postgres");
                        try (TestControlPlane cp = TestControlPlane.builder()
                                .reconciler(WorkspaceReconciler.Settings.DEFAULTS)
                                .storeOpener(config -> JdbiStore.open(
                                        store,
                                        dev.hangar.core.secret.SecretKeyFile.loadOrCreate(
                                                config.secrets().keyFile())))
                                .start()) {
                            rows.addAll(measure("postgres", cp, workspaces, clientCounts, seconds, warmup));
                        }
                    }
                }
                default -> throw new IllegalArgumentException("unknown backend " + backend + " (sqlite, postgres)");
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%n== summary (%d workspaces; ratios to GET /healthz of the same server and client count) ==%n",
                workspaces);
        System.out.println(
                "backend  clients | healthz p50/p99 ms | list p50/p99 ms (ratio) req/s | create+delete p50/p99 ms (ratio) op/s");
        for (Row r : rows) {
            double hp50 = r.health().percentileMillis(0.5);
            double hp99 = r.health().percentileMillis(0.99);
            System.out.printf(
                    Locale.ROOT,
                    "%-8s %7d | %6.2f / %6.2f | %6.2f / %7.2f (%5.1f / %5.1f) %7.1f | %7.2f / %7.2f (%5.1f / %5.1f) %6.1f%n",
                    r.backend(),
                    r.clients(),
                    hp50,
                    hp99,
                    r.list().percentileMillis(0.5),
                    r.list().percentileMillis(0.99),
                    r.list().percentileMillis(0.5) / hp50,
                    r.list().percentileMillis(0.99) / hp99,
                    r.list().requestsPerSecond(),
                    r.createDelete().percentileMillis(0.5),
                    r.createDelete().percentileMillis(0.99),
                    r.createDelete().percentileMillis(0.5) / hp50,
                    r.createDelete().percentileMillis(0.99) / hp99,
                    r.createDelete().requestsPerSecond());
        }
        System.out.printf(
                Locale.ROOT,
                "load average after: %.2f%n",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage());
    }

    private static List<Row> measure(
            String backend, TestControlPlane cp, int workspaces, List<Integer> clientCounts, int seconds, int warmup)
            throws Exception {
        String token = cp.adminToken();
        URI base = cp.baseUri();
        HttpClient client = ClosedLoopLoad.httpClient();
        long t0 = System.nanoTime();
        for (int i = 0; i < workspaces; i++) {
            HttpResponse<byte[]> r = client.send(
                    post(base.resolve("/api/v1/workspaces"), token, "seed-" + i),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 201) throw new IllegalStateException("seeding answered HTTP " + r.statusCode());
        }
        await("the seeded workspaces run")
                .atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> cp.server().store().workspaces().list(dev.hangar.core.store.WorkspaceFilter.ALL).stream()
                        .allMatch(w -> w.phase() == dev.hangar.core.domain.Phase.Running));
        System.out.printf(
                Locale.ROOT,
                "%n== %s (%s): %d workspaces created through the API and Running in %.1f s ==%n",
                backend,
                cp.server().store().describe(),
                workspaces,
                (System.nanoTime() - t0) / 1e9);
        HttpRequest health = HttpRequest.newBuilder(base.resolve("/healthz")).build();
        HttpRequest list = HttpRequest.newBuilder(base.resolve("/api/v1/workspaces"))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(60))
                .build();
        AtomicLong names = new AtomicLong();
        Map<String, AtomicLong> failures = new ConcurrentSkipListMap<>();
        ClosedLoopLoad.Operation createDelete = i -> {
            String name = "cd-" + names.incrementAndGet();
            HttpResponse<String> created = client.send(
                    post(base.resolve("/api/v1/workspaces"), token, name), HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() != 201) {
                count(failures, "POST", created);
                return false;
            }
            HttpResponse<String> deleted = client.send(delete(base, token, name), HttpResponse.BodyHandlers.ofString());
            if (deleted.statusCode() == 202) return true;
            count(failures, "DELETE", deleted);
            // not a sample; delete it anyway (untimed retries) so the run can settle
            for (int attempt = 0; attempt < 50; attempt++) {
                int again = client.send(delete(base, token, name), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (again == 202 || again == 404) break;
            }
            return false;
        };
        // JIT warm-up of every path before anything is measured (discarded)
        ClosedLoopLoad warm = new ClosedLoopLoad(client, 8, 0, Math.max(2, warmup));
        warm.run("warm-up GET /healthz", health, 200);
        warm.run("warm-up GET /api/v1/workspaces", list, 200);
        warm.runOperation("warm-up create+delete", createDelete);
        printFailures(failures);
        settle(cp, workspaces);
        List<Row> rows = new ArrayList<>();
        for (int clients : clientCounts) {
            ClosedLoopLoad load = new ClosedLoopLoad(client, clients, warmup, seconds);
            ClosedLoopLoad.Result h = load.run(backend + " GET /healthz (baseline)", health, 200);
            ClosedLoopLoad.Result l =
                    load.run(backend + " GET /api/v1/workspaces (" + workspaces + " rows)", list, 200);
            ClosedLoopLoad.Result cd = load.runOperation(backend + " POST + DELETE /api/v1/workspaces", createDelete);
            printFailures(failures);
            settle(cp, workspaces);
            rows.add(new Row(backend, clients, h, l, cd));
        }
        return rows;
    }

    /**
     * Waits (at most 2 min) until the reconciler has removed every workspace the create+delete runs
     * deleted; says so and goes on when some are left.
     */
    private static void settle(TestControlPlane cp, int workspaces) {
        long t0 = System.nanoTime();
        try {
            await("deleted workspaces are gone")
                    .atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> cp.server().store().workspaces().count() == workspaces);
            System.out.printf(Locale.ROOT, "  (deletes settled after %.1f s)%n", (System.nanoTime() - t0) / 1e9);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            System.out.printf(
                    Locale.ROOT,
                    "  NOT settled after 2 min: %d workspaces instead of %d%n",
                    cp.server().store().workspaces().count(),
                    workspaces);
        }
    }

    /** Counts a failed answer by method, status and the start of its body (problem detail). */
    private static void count(Map<String, AtomicLong> failures, String method, HttpResponse<String> r) {
        // one line per kind of failure: the problem's detail without the workspace's id and version
        java.util.regex.Matcher detail =
                java.util.regex.Pattern.compile("\"detail\":\"([^\"]*)\"").matcher(r.body());
        String body = (detail.find() ? detail.group(1) : r.body())
                .replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>")
                .replaceAll("version \\d+", "version <n>");
        if (body.length() > 200) body = body.substring(0, 200);
        failures.computeIfAbsent(method + " " + r.statusCode() + " " + body, k -> new AtomicLong())
                .incrementAndGet();
    }

    /** Prints and clears the failed answers of the last run. */
    private static void printFailures(Map<String, AtomicLong> failures) {
        failures.forEach((k, n) -> System.out.println("  failed " + n + "x: " + k));
        failures.clear();
    }

    private static HttpRequest delete(URI base, String token, String name) {
        return HttpRequest.newBuilder(base.resolve("/api/v1/workspaces/" + name))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(60))
                .DELETE()
                .build();
    }

    private static HttpRequest post(URI uri, String token, String name) {
        return HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"template\":\"fake\"}"))
                .build();
    }

    private static String text(String[] args, String name, String fallback) {
        for (String a : args) if (a.startsWith(name + "=")) return a.substring(name.length() + 1);
        return fallback;
    }

    private static List<Integer> ints(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String s : csv.split(",")) out.add(Integer.parseInt(s.strip()));
        return out;
    }
}
