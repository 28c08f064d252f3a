package dev.hangar.testing.bench;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceParameters;
import dev.hangar.core.reconcile.WorkspaceReconciler;
import dev.hangar.core.service.HostKeys;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.testing.TestControlPlane;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Benchmark (not a test; run with {@code -Pbench}, see hangar-testing/pom.xml):
 * {@code GET /api/v1/workspaces} (first page, a deep page, and the whole listing page by page)
 * against the real server with 10,000 workspaces in SQLite, over
 * loopback, from a closed-loop load generator on virtual threads (a fixed number of clients, each
 * sending its next request when the previous answered) for a bounded time. Prints requests/s
 * and latency percentiles; asserts nothing.
 *
 * <p>Arguments (all optional): {@code workspaces=10000 clients=8 seconds=20 warmup=5}.
 */
public final class ListWorkspacesBench {
    private ListWorkspacesBench() {}

    public static void main(String[] args) throws Exception {
        int workspaces = ClosedLoopLoad.arg(args, "workspaces", 10_000);
        int clients = ClosedLoopLoad.arg(args, "clients", 8);
        int seconds = ClosedLoopLoad.arg(args, "seconds", 20);
        int warmup = ClosedLoopLoad.arg(args, "warmup", 5);
        // resync once at start (empty store), then never during the run: rows are inserted
        // directly, so the reconciler does not touch them and only the API is measured
        WorkspaceReconciler.Settings quiet =
                new WorkspaceReconciler.Settings(1, Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1));
        try (TestControlPlane cp = TestControlPlane.builder().reconciler(quiet).start()) {
            long t0 = System.nanoTime();
            seed(cp, workspaces);
            System.out.printf(
                    Locale.ROOT,
                    "seeded %d workspaces in %.1f s (SQLite %s)%n",
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
            System.out.printf(
                    Locale.ROOT, "first page: HTTP %d, %d bytes%n", sample.statusCode(), sample.body().length);
            load.run("GET /api/v1/workspaces (first page: 500 of 10,000 rows)", get(all, token), 200);
            // a page deep in the listing costs the same as the first (keyset, not OFFSET)
            URI deep = all;
            for (int i = 0; i < 10; i++) deep = next(client, deep, token);
            load.run("GET /api/v1/workspaces (11th page, via continue)", get(deep, token), 200);
            walkAllPages(client, all, token, workspaces);
            load.run("GET /api/v1/workspaces?owner=bench-small (10 rows of 10,000)", get(one, token), 200);
        }
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

    /** Where one list request's time goes, in-process: the store query and the JSON encoding. */
    private static void breakdown(TestControlPlane cp) throws Exception {
        int rounds = 5;
        long storeNanos = 0;
        long jsonNanos = 0;
        for (int i = 0; i < rounds + 2; i++) {
            long a = System.nanoTime();
            List<Workspace> rows = cp.server().store().workspaces().list(dev.hangar.core.store.WorkspaceFilter.ALL);
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
                "in-process, one request's work (mean of %d): store list %.1f ms, view mapping + JSON %.1f ms%n",
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
                            .insert(new Workspace(
                                    UUID.randomUUID().toString(),
                                    new Workspace.Spec(
                                            "ws-" + i,
                                            owner,
                                            "fake",
                                            "fake",
                                            new WorkspaceParameters(new Resources(1, 512, 1), "fake-image", ""),
                                            key,
                                            DesiredState.RUNNING),
                                    new Workspace.Status(Phase.Running, "", "127.0.0.1", 22, false, 0),
                                    now,
                                    now,
                                    1));
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
