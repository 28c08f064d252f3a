package dev.hangar.testing.bench;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceParameters;
import dev.hangar.core.service.HostKeys;
import dev.hangar.provider.spi.Resources;
import dev.hangar.store.JdbiStore;
import dev.hangar.store.StoreConfig;
import dev.hangar.testing.TestHttp;
import dev.hangar.testing.chaos.ProcServerHome;
import dev.hangar.testing.vm.ServerProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Benchmark (reported, not asserted; issue #18): the resident memory of the real server process
 * ({@code dev.hangar.server.Main} in its own JVM) with N workspaces in its SQLite store, against the
 * same server with an empty store in the same run (the ratio is the cost of the workspaces), for
 * each set of JVM options given. The workspaces belong to the test-only {@code proc} provider
 * ({@link dev.hangar.testing.chaos.ChildProcessProvider}: files on disk, no VM) and are stopped, so
 * the server holds what it holds for any kind: rows, the reconciler's queue after its startup
 * resync, the API's pages. Between the two starts the rows are inserted into the server's database
 * file directly, with the server stopped.
 *
 * <p>Figures per run: {@code VmRSS} (resident now) and {@code VmHWM} (the peak) from {@code
 * /proc/PID/status}, after the startup resync converged and 20 walks of the whole listing (pages of
 * 500) plus {@code /healthz}.
 *
 * <p>Arguments (optional): {@code workspaces=1000}. The JVM option sets are fixed: the JVM's
 * defaults, G1 bounded to 256 MiB, what {@code bin/hangar} gives the server (serial collector from a
 * 16 MiB heap, at most 512 MiB), and the same with the C1 compiler alone.
 */
public final class ServerMemoryBench {
    private static final Duration CONVERGE = Duration.ofMinutes(10);

    private ServerMemoryBench() {}

    /** A named set of server JVM options. */
    private record Flags(String name, List<String> options) {}

    public static void main(String[] args) throws Exception {
        int workspaces = ClosedLoopLoad.arg(args, "workspaces", 1000);
        List<Flags> variants = List.of(
                new Flags("JVM defaults", List.of()),
                new Flags("G1, -Xmx256m", List.of("-Xmx256m")),
                new Flags(
                        "bin/hangar's: SerialGC -Xms16m -Xmx512m", List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx512m")),
                new Flags(
                        "the same, C1 only",
                        List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx512m", "-XX:TieredStopAtLevel=1")));
        Path services = ProcServerHome.services();
        List<String> lines = new ArrayList<>();
        for (Flags flags : variants) {
            long[] empty = measure(flags, services, 0);
            long[] full = measure(flags, services, workspaces);
            lines.add(String.format(
                    Locale.ROOT,
                    "%-40s empty: RSS %6.1f MiB (peak %6.1f) | %d workspaces: RSS %6.1f MiB (peak %6.1f) | ratio %.2f",
                    flags.name(),
                    empty[0] / 1024.0,
                    empty[1] / 1024.0,
                    workspaces,
                    full[0] / 1024.0,
                    full[1] / 1024.0,
                    (double) full[0] / empty[0]));
        }
        System.out.println("server resident memory (load average before: " + loadAverage() + ")");
        lines.forEach(System.out::println);
        System.out.println("load average after: " + loadAverage());
    }

    /** @return {VmRSS, VmHWM} in KiB of a server on a fresh home with {@code n} stopped workspaces */
    private static long[] measure(Flags flags, Path services, int n) throws Exception {
        Path home = Files.createTempDirectory(Path.of("/tmp"), "hmem");
        ProcServerHome.write(
                home, "{poll-interval: 1s, resync-interval: 10m, base-backoff: 1s}", "ServerMemoryBench only");
        try (ServerProcess server = new ServerProcess(home, List.of(services), flags.options())) {
            server.start(); // creates the database, the admin user and its token
            String token = server.adminToken();
            if (n > 0) {
                server.stop();
                seed(home.resolve("hangar.db"), n);
                server.start();
            }
            TestHttp http = server.http();
            await().atMost(CONVERGE)
                    .pollInterval(Duration.ofSeconds(2))
                    .alias(n + " workspaces recorded Stopped")
                    .until(() -> countStopped(http, token) == n);
            for (int i = 0; i < 20; i++) countStopped(http, token);
            http.get("/healthz", token);
            long[] figures = status(server.pid());
            System.out.printf(
                    Locale.ROOT,
                    "%s, %d workspaces: VmRSS %d KiB, VmHWM %d KiB%n",
                    flags.name(),
                    n,
                    figures[0],
                    figures[1]);
            return figures;
        } finally {
            try (var paths = Files.walk(home)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /** Walks the whole listing as {@code hangar list} does; @return how many rows are Stopped */
    private static int countStopped(TestHttp http, String token) {
        int stopped = 0;
        String page = "/api/v1/workspaces?limit=500";
        while (page != null) {
            HttpResponse<String> r = http.get(page, token);
            if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
            JsonNode body = TestHttp.json(r);
            JsonNode items = body.has("items") ? body.get("items") : body;
            for (JsonNode w : items) if ("Stopped".equals(w.path("phase").asText())) stopped++;
            page = r.headers()
                    .firstValue("Link")
                    .map(l -> l.substring(l.indexOf("/api/"), l.indexOf('>')))
                    .orElse(null);
        }
        return stopped;
    }

    /** Inserts {@code n} stopped {@code proc} workspaces of the admin into the (stopped) server's database. */
    private static void seed(Path database, int n) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        // the server's own key file (secrets.key-file's default): the store seals the host private keys with it
        try (JdbiStore store = JdbiStore.open(
                new StoreConfig("jdbc:sqlite:" + database, "", ""),
                dev.hangar.core.secret.SecretKeyFile.loadOrCreate(database.resolveSibling("secrets.key")))) {
            for (int start = 0; start < n; start += 500) {
                int from = start;
                store.inTransaction(tx -> {
                    for (int i = from; i < Math.min(n, from + 500); i++) {
                        tx.workspaces()
                                .insert(new Workspace(
                                        UUID.randomUUID().toString(),
                                        new Workspace.Spec(
                                                "mem-" + i,
                                                "admin",
                                                ProcServerHome.TEMPLATE,
                                                ProcServerHome.TEMPLATE,
                                                new WorkspaceParameters(new Resources(1, 512, 1), "none", ""),
                                                HostKeys.generateEd25519("mem-" + i + ".hangar"),
                                                DesiredState.STOPPED),
                                        new Workspace.Status(Phase.Stopped, "", "", 0, false, 0),
                                        now,
                                        now,
                                        1));
                    }
                    return null;
                });
            }
        }
    }

    /** @return {VmRSS, VmHWM} in KiB, from {@code /proc/PID/status} (proc(5)) */
    private static long[] status(long pid) throws IOException {
        long rss = -1;
        long hwm = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) rss = kib(line);
            if (line.startsWith("VmHWM:")) hwm = kib(line);
        }
        return new long[] {rss, hwm};
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).strip();
    }
}
