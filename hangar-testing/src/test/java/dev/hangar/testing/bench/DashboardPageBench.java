package dev.hangar.testing.bench;

import dev.hangar.core.reconcile.WorkspaceReconciler;
import dev.hangar.core.service.HostKeys;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.testing.TestControlPlane;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;

/**
 * Benchmark (not a test; run with {@code -Pbench -Dbench.class=DashboardPageBench}, see
 * hangar-testing/pom.xml): server time for the web dashboard's workspaces page ({@code GET /}, a
 * signed-in admin, 50 rows a page, keyset-paged in the store query) with 1,000 and then 10,000
 * workspaces in SQLite, its polled rows fragment, and a deep page (via {@code continue}), against
 * {@code GET /healthz} as the baseline of the same run (measured last, when the JIT has compiled
 * everything). Real server over loopback. Then the browser's side of the same pages: Debian's
 * headless {@code chromium} (through {@code /usr/bin/chromedriver}, as in {@code
 * DashboardBrowserTest}) loads each page {@code loads} times and the median and maximum of its
 * navigation timing's {@code loadEventEnd} are printed. Prints figures; asserts nothing.
 *
 * <p>Arguments (all optional): {@code clients=8 seconds=10 warmup=5 loads=20}.
 */
public final class DashboardPageBench {
    private DashboardPageBench() {}

    public static void main(String[] args) throws Exception {
        int clients = ClosedLoopLoad.arg(args, "clients", 8);
        int seconds = ClosedLoopLoad.arg(args, "seconds", 10);
        int warmup = ClosedLoopLoad.arg(args, "warmup", 5);
        int loads = ClosedLoopLoad.arg(args, "loads", 20);
        WorkspaceReconciler.Settings quiet =
                new WorkspaceReconciler.Settings(1, Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1));
        try (TestControlPlane cp = TestControlPlane.builder().reconciler(quiet).start()) {
            HttpClient client = ClosedLoopLoad.httpClient();
            URI base = cp.baseUri();
            String cookie = signIn(client, base, cp.adminToken());
            ClosedLoopLoad load = new ClosedLoopLoad(client, clients, warmup, seconds);
            HttpRequest health =
                    HttpRequest.newBuilder(base.resolve("/healthz")).build();
            load.run("GET /healthz (warm-up run)", health, 200);

            seed(cp, 0, 1_000);
            ClosedLoopLoad.Result page1k = load.run("GET / with 1,000 workspaces", page(base, "/", cookie), 200);
            browserLoads(base, cp.adminToken(), "1,000", loads);
            seed(cp, 1_000, 10_000);
            browserLoads(base, cp.adminToken(), "10,000", loads);
            ClosedLoopLoad.Result page10k = load.run("GET / with 10,000 workspaces", page(base, "/", cookie), 200);
            ClosedLoopLoad.Result rows10k = load.run(
                    "GET /ui/workspaces/rows (the polled fragment) with 10,000",
                    page(base, "/ui/workspaces/rows", cookie),
                    200);
            // the page after ws-5000 (owner admin): keyset paging costs the same at any depth
            String deep = java.util.Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString("admin/ws-5000".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            ClosedLoopLoad.Result deep10k = load.run(
                    "GET /?continue=<after ws-5000> with 10,000", page(base, "/?continue=" + deep, cookie), 200);
            ClosedLoopLoad.Result baseline = load.run("GET /healthz (baseline)", health, 200);
            for (var e : java.util.List.of(
                    java.util.Map.entry("workspaces page, 1,000", page1k),
                    java.util.Map.entry("workspaces page, 10,000", page10k),
                    java.util.Map.entry("rows fragment, 10,000", rows10k),
                    java.util.Map.entry("deep page, 10,000", deep10k))) {
                System.out.printf(
                        Locale.ROOT,
                        "ratio to /healthz, %s: p50 %.2f, p99 %.2f, throughput %.2f%n",
                        e.getKey(),
                        e.getValue().percentileMillis(0.5) / baseline.percentileMillis(0.5),
                        e.getValue().percentileMillis(0.99) / baseline.percentileMillis(0.99),
                        e.getValue().requestsPerSecond() / baseline.requestsPerSecond());
            }
            System.out.printf(
                    Locale.ROOT,
                    "ratio 10,000 / 1,000 workspaces (page): p50 %.2f, p99 %.2f%n",
                    page10k.percentileMillis(0.5) / page1k.percentileMillis(0.5),
                    page10k.percentileMillis(0.99) / page1k.percentileMillis(0.99));
        }
    }

    /** Loads the workspaces page {@code n} times in headless Chromium; prints its load-event timing. */
    private static void browserLoads(URI base, String token, String label, int n) throws Exception {
        java.nio.file.Path profile = java.nio.file.Files.createTempDirectory("hangar-bench-chromium-");
        org.openqa.selenium.chrome.ChromeOptions options = new org.openqa.selenium.chrome.ChromeOptions()
                .setBinary(new java.io.File("/usr/bin/chromium"))
                .addArguments(
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--no-first-run",
                        "--user-data-dir=" + profile);
        org.openqa.selenium.chrome.ChromeDriverService service =
                new org.openqa.selenium.chrome.ChromeDriverService.Builder()
                        .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver"))
                        .usingAnyFreePort()
                        .build();
        org.openqa.selenium.WebDriver browser = new org.openqa.selenium.chrome.ChromeDriver(service, options);
        try {
            browser.get(base.resolve("/ui/sign-in").toString());
            browser.findElement(org.openqa.selenium.By.id("token")).sendKeys(token);
            browser.findElement(org.openqa.selenium.By.id("sign-in")).click();
            double[] ms = new double[n];
            for (int i = 0; i < n; i++) {
                browser.get(base.resolve("/").toString());
                Object v = ((org.openqa.selenium.JavascriptExecutor) browser)
                        .executeScript("return performance.getEntriesByType('navigation')[0].loadEventEnd;");
                ms[i] = ((Number) v).doubleValue();
            }
            java.util.Arrays.sort(ms);
            System.out.printf(
                    Locale.ROOT,
                    "browser (headless chromium), GET / with %s workspaces, %d loads: load event median %.1f ms, max %.1f ms%n",
                    label,
                    n,
                    ms[n / 2],
                    ms[n - 1]);
        } finally {
            browser.quit();
        }
    }

    private static String signIn(HttpClient client, URI base, String token) throws Exception {
        HttpResponse<String> r = client.send(
                HttpRequest.newBuilder(base.resolve("/ui/sign-in"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("token=" + token))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        String cookie = r.headers()
                .firstValue("Set-Cookie")
                .orElseThrow(() ->
                        new IllegalStateException("sign-in answered HTTP " + r.statusCode() + " without a cookie"));
        return cookie.substring(0, cookie.indexOf(';'));
    }

    private static HttpRequest page(URI base, String path, String cookie) {
        return HttpRequest.newBuilder(base.resolve(path))
                .header("Cookie", cookie)
                .timeout(Duration.ofSeconds(60))
                .build();
    }

    /** Inserts workspaces {@code ws-from} up to (excluding) {@code ws-to}, owned by the admin, Running. */
    private static void seed(TestControlPlane cp, int from, int to) {
        SshHostKey key = HostKeys.generateEd25519("bench");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int start = from; start < to; start += 500) {
            int first = start;
            cp.server().store().inTransaction(tx -> {
                for (int i = first; i < Math.min(to, first + 500); i++) {
                    tx.workspaces()
                            .insert(BenchWorkspaces.running(
                                    UUID.randomUUID().toString(), "ws-" + i, TestControlPlane.ADMIN, key, now));
                }
                return null;
            });
        }
    }
}
