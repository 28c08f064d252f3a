package dev.hangar.testing.bench;

import dev.hangar.core.domain.Role;
import dev.hangar.core.reconcile.WorkspaceReconciler;
import dev.hangar.core.service.UserService;
import dev.hangar.testing.TestControlPlane;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Benchmark (not a test; run with {@code -Pbench}, see hangar-testing/pom.xml): the per-request
 * cost of authentication and authorization with 1,000 users and 10,000 API tokens in the store
 * (issue #15's benchmark), against the real server over loopback with SQLite.
 *
 * <p>Over HTTP, all with the same closed-loop load: {@code GET /healthz} (no authentication: the
 * baseline, measured last; a first run only warms up), {@code GET /api/v1/users/me} (bearer token looked up among 10,000, hash compared in
 * constant time, user loaded; each request uses another token, so the at-most-once-a-minute
 * last-used write happens for every token's first use), the same with a token that does not
 * exist, and a member's {@code GET} of another member's workspace (authorization: 404). Ratios
 * are against the baseline of the same run. In-process, {@link UserService#authenticate} alone.
 * Prints figures; asserts nothing.
 *
 * <p>Arguments (all optional): {@code users=1000 tokensPerUser=10 clients=8 seconds=15 warmup=5}.
 */
public final class AuthBench {
    private AuthBench() {}

    public static void main(String[] args) throws Exception {
        int users = ClosedLoopLoad.arg(args, "users", 1_000);
        int perUser = ClosedLoopLoad.arg(args, "tokensPerUser", 10);
        int clients = ClosedLoopLoad.arg(args, "clients", 8);
        int seconds = ClosedLoopLoad.arg(args, "seconds", 15);
        int warmup = ClosedLoopLoad.arg(args, "warmup", 5);
        WorkspaceReconciler.Settings quiet =
                new WorkspaceReconciler.Settings(1, Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1));
        try (TestControlPlane cp = TestControlPlane.builder().reconciler(quiet).start()) {
            long t0 = System.nanoTime();
            List<String> tokens = seed(cp.server().users(), users, perUser);
            System.out.printf(
                    Locale.ROOT,
                    "seeded %d users and %d tokens in %.1f s (%s)%n",
                    users,
                    tokens.size(),
                    (System.nanoTime() - t0) / 1e9,
                    cp.server().store().describe());
            String other = cp.createUser("bench-other", Role.MEMBER).token();
            String owner = cp.createUser("bench-owner", Role.MEMBER).token();
            int created = cp.http()
                    .post("/api/v1/workspaces", owner, "{\"name\":\"private\",\"template\":\"fake\"}")
                    .statusCode();
            if (created != 201) throw new IllegalStateException("creating the workspace answered HTTP " + created);

            inProcess(cp.server().users(), tokens);

            HttpClient client = ClosedLoopLoad.httpClient();
            ClosedLoopLoad load = new ClosedLoopLoad(client, clients, warmup, seconds);
            URI base = cp.baseUri();
            HttpRequest health =
                    HttpRequest.newBuilder(base.resolve("/healthz")).build();
            load.run("GET /healthz (no authentication; a warm-up run, the JIT still compiles the server)", health, 200);
            ClosedLoopLoad.Result me = load.run(
                    "GET /api/v1/users/me (a different one of " + tokens.size() + " tokens each request)",
                    i -> get(base.resolve("/api/v1/users/me"), tokens.get(Math.floorMod(i, tokens.size()))),
                    200);
            ClosedLoopLoad.Result same = load.run(
                    "GET /api/v1/users/me (one token: its last-used is written at most once a minute)",
                    get(base.resolve("/api/v1/users/me"), tokens.getLast()),
                    200);
            String unknown = tokens.getFirst().substring(0, tokens.getFirst().length() - 4) + "0000";
            ClosedLoopLoad.Result refused = load.run(
                    "GET /api/v1/users/me (unknown token: 401)", get(base.resolve("/api/v1/users/me"), unknown), 401);
            ClosedLoopLoad.Result hidden = load.run(
                    "GET /api/v1/workspaces/private as another member (authorization: 404)",
                    get(base.resolve("/api/v1/workspaces/private"), other),
                    404);
            // measured last, when every path has been compiled: the first /healthz run was several
            // times slower than this one on the same machine
            ClosedLoopLoad.Result baseline = load.run("GET /healthz (no authentication, baseline)", health, 200);
            double p50 = baseline.percentileMillis(0.5);
            double p99 = baseline.percentileMillis(0.99);
            double rate = baseline.requestsPerSecond();
            for (var e : List.of(
                    java.util.Map.entry("users/me, 10,000 tokens in turn", me),
                    java.util.Map.entry("users/me, one token", same),
                    java.util.Map.entry("unknown token", refused),
                    java.util.Map.entry("other's workspace", hidden))) {
                System.out.printf(
                        Locale.ROOT,
                        "ratio to baseline, %s: p50 %.2f, p99 %.2f, throughput %.2f%n",
                        e.getKey(),
                        e.getValue().percentileMillis(0.5) / p50,
                        e.getValue().percentileMillis(0.99) / p99,
                        e.getValue().requestsPerSecond() / rate);
            }
        }
    }

    /** Creates the users, each with {@code perUser} named tokens; returns the tokens' secrets. */
    private static List<String> seed(UserService users, int n, int perUser) {
        List<String> tokens = new ArrayList<>(n * perUser);
        for (int u = 0; u < n; u++) {
            String name = String.format(Locale.ROOT, "bench-%04d", u);
            users.create(name, Role.MEMBER);
            for (int t = 0; t < perUser; t++)
                tokens.add(users.createToken(name, "t" + t, Optional.empty()).token());
        }
        return tokens;
    }

    /** {@link UserService#authenticate} alone, one thread, every token twice (first use writes last-used). */
    private static void inProcess(UserService users, List<String> tokens) {
        for (int round = 0; round < 2; round++) {
            long[] nanos = new long[tokens.size()];
            for (int i = 0; i < tokens.size(); i++) {
                long s = System.nanoTime();
                if (users.authenticate(tokens.get(i)).user().isEmpty())
                    throw new IllegalStateException("token " + i + " refused");
                nanos[i] = System.nanoTime() - s;
            }
            Arrays.sort(nanos);
            System.out.printf(
                    Locale.ROOT,
                    "in-process UserService.authenticate, %s, %d tokens: p50 %.3f ms, p99 %.3f ms, max %.1f ms%n",
                    round == 0 ? "first use (writes last-used)" : "second use within a minute (read only)",
                    nanos.length,
                    nanos[nanos.length / 2] / 1e6,
                    nanos[(int) (nanos.length * 0.99)] / 1e6,
                    nanos[nanos.length - 1] / 1e6);
        }
    }

    private static HttpRequest get(URI uri, String token) {
        return HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(60))
                .build();
    }
}
