package dev.hangar.testing.bench;

import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.reconcile.WorkspaceReconciler;
import dev.hangar.core.service.HostKeys;
import dev.hangar.provider.spi.SshHostKey;
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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Benchmark (not a test; run with {@code -Pbench}, see hangar-testing/pom.xml):
 * {@code GET /api/v1/workspaces} (first page, a deep page, and the whole listing page by page)
 * against the real server with 10,000 workspaces, on SQLite and on embedded PostgreSQL (zonky) in
 * the same run, over loopback, from a closed-loop load generator on virtual threads (a fixed number
 * of clients, each sending its next request when the previous answered) for a bounded time. Prints
 * requests/s and latency percentiles, the load average before and after each backend, and the
 * ratio PostgreSQL/SQLite of the first page; asserts nothing. The load generator runs in the
 * server's JVM, so its CPU (receiving each page) is part of what the two cores share.
 *
 * <p>Arguments (all optional): {@code workspaces=10000 clients=8 seconds=20 warmup=5
 * backends=sqlite,postgres pages=all writeEveryMs=100} ({@code pages=first}: only the first-page
 * runs, the figure). The first page is measured twice: with no writes (a list answer cache
 * serves every request after the first) and while one writer changes a workspace row through the
 * store every {@code writeEveryMs} milliseconds (each write changes the database's write
 * generation, so the next request rebuilds the page; {@code writeEveryMs=0} leaves this run out).
 */
public final class ListWorkspacesBench {
    private ListWorkspacesBench() {}

    public static void main(String[] args) throws Exception {
        int workspaces = ClosedLoopLoad.arg(args, "workspaces", 10_000);
        int clients = ClosedLoopLoad.arg(args, "clients", 8);
        int seconds = ClosedLoopLoad.arg(args, "seconds", 20);
        int warmup = ClosedLoopLoad.arg(args, "warmup", 5);
        boolean allPages = !text(args, "pages", "all").equals("first");
        int writeEveryMs = ClosedLoopLoad.arg(args, "writeEveryMs", 100);
        Map<String, ClosedLoopLoad.Result> firstPage = new LinkedHashMap<>();
        Map<String, ClosedLoopLoad.Result> withWrites = new LinkedHashMap<>();
        for (String backend : text(args, "backends", "sqlite,postgres").split(",")) {
            System.out.printf(Locale.ROOT, "%n== %s: load average %.2f ==%n", backend, loadAverage());
            switch (backend) {
                case "sqlite" -> {
                    try (TestControlPlane cp = controlPlane().start()) {
                        run(
                                cp,
                                workspaces,
                                clients,
                                seconds,
                                warmup,
                                allPages,
                                writeEveryMs,
                                backend,
                                firstPage,
                                withWrites);
                    }
                }
                case "postgres" -> {
                    try (EmbeddedPostgres pg = RootSafePostgres.start()) {
                        try (Connection c = pg.getPostgresDatabase().getConnection();
                                Statement st = c.createStatement()) {
                            st.execute("CREATE DATABASE hangar_bench");
                        }
                        StoreConfig store = new StoreConfig(
                                "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/hangar_bench",
                                "postgres",
                                "postgres");
                        try (TestControlPlane cp = controlPlane()
                                .storeOpener(config -> JdbiStore.open(
                                        store,
                                        dev.hangar.core.secret.SecretKeyFile.loadOrCreate(
                                                config.secrets().keyFile())))
                                .start()) {
                            run(
                                    cp,
                                    workspaces,
                                    clients,
                                    seconds,
                                    warmup,
                                    allPages,
                                    writeEveryMs,
                                    backend,
                                    firstPage,
                                    withWrites);
                        }
                    }
                }
                default -> throw new IllegalArgumentException("unknown backend " + backend + " (sqlite, postgres)");
            }
            System.out.printf(Locale.ROOT, "load average after %s: %.2f%n", backend, loadAverage());
        }
        System.out.printf(Locale.ROOT, "%n== first page (500 rows of %d), %d clients ==%n", workspaces, clients);
        summary(firstPage);
        if (!withWrites.isEmpty()) {
            System.out.printf(
                    Locale.ROOT, "%n== first page while one workspace is written every %d ms ==%n", writeEveryMs);
            summary(withWrites);
        }
    }

    private static void summary(Map<String, ClosedLoopLoad.Result> results) {
        results.forEach((backend, r) -> System.out.printf(
                Locale.ROOT,
                "%-8s %8.1f req/s  p50 %6.2f ms  p99 %6.2f ms%n",
                backend,
                r.requestsPerSecond(),
                r.percentileMillis(0.5),
                r.percentileMillis(0.99)));
        if (results.containsKey("sqlite") && results.containsKey("postgres")) {
            ClosedLoopLoad.Result sq = results.get("sqlite");
            ClosedLoopLoad.Result pq = results.get("postgres");
            System.out.printf(
                    Locale.ROOT,
                    "PostgreSQL / SQLite: req/s %.2f, p50 %.2f, p99 %.2f%n",
                    pq.requestsPerSecond() / sq.requestsPerSecond(),
                    pq.percentileMillis(0.5) / sq.percentileMillis(0.5),
                    pq.percentileMillis(0.99) / sq.percentileMillis(0.99));
        }
    }

    /**
     * Resync once at start (empty store), then never during the run: rows are inserted directly, so
     * the reconciler does not touch them and only the API is measured.
     */
    private static TestControlPlane.Builder controlPlane() {
        return TestControlPlane.builder()
                .reconciler(new WorkspaceReconciler.Settings(
                        1, Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1)));
    }

    /** Seeds, then measures; puts the first page's figures (without and with writes) into the maps */
    private static void run(
            TestControlPlane cp,
            int workspaces,
            int clients,
            int seconds,
            int warmup,
            boolean allPages,
            int writeEveryMs,
            String backend,
            Map<String, ClosedLoopLoad.Result> firstPage,
            Map<String, ClosedLoopLoad.Result> withWrites)
            throws Exception {
        long t0 = System.nanoTime();
        seed(cp, workspaces);
        System.out.printf(
                Locale.ROOT,
                "seeded %d workspaces in %.1f s (%s)%n",
                cp.server().store().workspaces().count(),
                (System.nanoTime() - t0) / 1e9,
                cp.server().store().describe());
        breakdown(cp);
        String token = cp.adminToken();
        URI all = cp.baseUri().resolve("/api/v1/workspaces");
        URI one = cp.baseUri().resolve("/api/v1/workspaces?owner=bench-small");
        HttpClient client = ClosedLoopLoad.httpClient();
        ClosedLoopLoad load = new ClosedLoopLoad(client, clients, warmup, seconds);
        HttpResponse<byte[]> sample = client.send(get(all, token), HttpResponse.BodyHandlers.ofByteArray());
        System.out.printf(Locale.ROOT, "first page: HTTP %d, %d bytes%n", sample.statusCode(), sample.body().length);
        firstPage.put(
                backend,
                load.run("GET /api/v1/workspaces (first page: 500 of " + workspaces + " rows)", get(all, token), 200));
        if (writeEveryMs > 0) {
            try (Writer w = new Writer(cp, writeEveryMs)) {
                withWrites.put(
                        backend,
                        load.run(
                                "GET /api/v1/workspaces (first page) while a workspace is written every " + writeEveryMs
                                        + " ms",
                                get(all, token),
                                200));
                System.out.printf(Locale.ROOT, "writes during that run: %d%n", w.writes());
            }
        }
        if (!allPages) return;
        // a page deep in the listing costs the same as the first (keyset, not OFFSET)
        URI deep = all;
        for (int i = 0; i < 10; i++) deep = next(client, deep, token);
        load.run("GET /api/v1/workspaces (11th page, via continue)", get(deep, token), 200);
        walkAllPages(client, all, token, workspaces);
        load.run("GET /api/v1/workspaces?owner=bench-small (10 rows)", get(one, token), 200);
    }

    /**
     * Changes one workspace of the first page (its status reason, as the reconciler writes status)
     * through the store every {@code everyMs} milliseconds on a thread of its own, until closed.
     */
    private static final class Writer implements AutoCloseable {
        private final java.util.concurrent.ScheduledExecutorService timer =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();

        Writer(TestControlPlane cp, int everyMs) {
            var store = cp.server().store().workspaces();
            String id = store.findByName(TestControlPlane.ADMIN, "ws-100")
                    .orElseThrow()
                    .id();
            timer.scheduleAtFixedRate(
                    () -> {
                        Workspace w = store.find(id).orElseThrow();
                        long n = writes.incrementAndGet();
                        store.update(w.withStatus(w.status().withPhase(Phase.Running, "write " + n)));
                    },
                    everyMs,
                    everyMs,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        long writes() {
            return writes.get();
        }

        @Override
        public void close() throws InterruptedException {
            timer.shutdown();
            timer.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static String text(String[] args, String name, String fallback) {
        for (String a : args) if (a.startsWith(name + "=")) return a.substring(name.length() + 1);
        return fallback;
    }

    /** The URI of the page after {@code page}, from its RFC 8288 Link header. */
    private static URI next(HttpClient client, URI page, String token) throws Exception {
        HttpResponse<byte[]> r = client.send(get(page, token), HttpResponse.BodyHandlers.ofByteArray());
        String link = r.headers()
                .firstValue("Link")
                .orElseThrow(() -> new IllegalStateException("no next page after " + page));
        return page.resolve(link.substring(1, link.indexOf('>')));
    }

    /** One client reads the whole listing page by page, as {@code hangar list} does; five rounds. */
    private static void walkAllPages(HttpClient client, URI first, String token, int expected) throws Exception {
        long[] nanos = new long[5];
        for (int round = 0; round < nanos.length; round++) {
            long t0 = System.nanoTime();
            int pages = 0;
            URI page = first;
            while (page != null) {
                HttpResponse<byte[]> r = client.send(get(page, token), HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode() + " for " + page);
                pages++;
                URI current = page;
                page = r.headers()
                        .firstValue("Link")
                        .map(l -> current.resolve(l.substring(1, l.indexOf('>'))))
                        .orElse(null);
            }
            nanos[round] = System.nanoTime() - t0;
            if (round == 0) System.out.printf(Locale.ROOT, "whole listing: %d pages for %d rows%n", pages, expected);
        }
        Arrays.sort(nanos);
        System.out.printf(
                Locale.ROOT,
                "whole listing page by page, 1 client, 5 rounds: min %.0f ms, median %.0f ms, max %.0f ms%n",
                nanos[0] / 1e6,
                nanos[2] / 1e6,
                nanos[4] / 1e6);
    }

    /**
     * Where a page's time goes, in-process: the store query of 500 whole workspaces (host keys
     * opened, as the list route read them before summaries) and the JSON encoding.
     */
    private static void breakdown(TestControlPlane cp) throws Exception {
        int rounds = 5;
        long storeNanos = 0;
        long jsonNanos = 0;
        for (int i = 0; i < rounds + 2; i++) {
            long a = System.nanoTime();
            List<Workspace> rows = cp.server()
                    .store()
                    .workspaces()
                    .list(dev.hangar.core.store.WorkspaceFilter.ALL, dev.hangar.core.store.WorkspaceCursor.START, 500);
            long b = System.nanoTime();
            byte[] json = dev.hangar.api.Json.mapper()
                    .writeValueAsBytes(rows.stream()
                            .map(w -> new dev.hangar.api.WorkspaceView(
                                    w.id(),
                                    w.name(),
                                    w.owner(),
                                    w.template(),
                                    w.providerType(),
                                    w.parameters().resources().cpus(),
                                    w.parameters().resources().memoryMiB(),
                                    w.parameters().resources().diskGiB(),
                                    w.parameters().image(),
                                    dev.hangar.api.DesiredState.valueOf(
                                            w.desired().name()),
                                    dev.hangar.api.WorkspacePhase.valueOf(
                                            w.phase().name()),
                                    w.reason(),
                                    w.hostKey().publicKey(),
                                    w.createdAt(),
                                    w.updatedAt(),
                                    w.version()))
                            .toList());
            long c = System.nanoTime();
            if (i >= 2 && json.length > 0) { // first two rounds warm up the JIT
                storeNanos += b - a;
                jsonNanos += c - b;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "in-process, 500 rows (mean of %d): store list of whole workspaces %.2f ms, view mapping + JSON %.2f ms%n",
                rounds,
                storeNanos / 1e6 / rounds,
                jsonNanos / 1e6 / rounds);
    }

    private static void seed(TestControlPlane cp, int n) {
        cp.server().users().create("bench-small", false);
        SshHostKey key = HostKeys.generateEd25519("bench");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        // one transaction per 500 rows keeps SQLite fast without one giant transaction
        for (int start = 0; start < n; start += 500) {
            int from = start;
            cp.server().store().inTransaction(tx -> {
                for (int i = from; i < Math.min(n, from + 500); i++) {
                    String owner = i < 10 ? "bench-small" : TestControlPlane.ADMIN;
                    tx.workspaces()
                            .insert(BenchWorkspaces.running(UUID.randomUUID().toString(), "ws-" + i, owner, key, now));
                }
                return null;
            });
        }
    }

    private static HttpRequest get(URI uri, String token) {
        return HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(60))
                .build();
    }
}
