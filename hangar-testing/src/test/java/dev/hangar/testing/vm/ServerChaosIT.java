package dev.hangar.testing.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.testfixtures.SeededCases;
import dev.hangar.testing.TestHttp;
import dev.hangar.testing.chaos.ChildProcessProvider;
import dev.hangar.testing.chaos.ProcServerHome;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue #18 item 6 without VMs: a seeded, reproducible chaos run against the REAL server ({@code
 * dev.hangar.server.Main} in its own JVM, {@link ServerProcess}) with the TEST-ONLY {@link
 * ChildProcessProvider}, whose state lives outside the server process (a directory per workspace and
 * a detached child process while running, found again through {@code /proc}), as QEMU's does.
 *
 * <p>50 lifecycle operations (create, stop, start, restart, delete) over at most 10 workspaces at a
 * time, sent over HTTP; after 5 operations chosen by the seed, the server is killed with SIGKILL at
 * a delay chosen by the seed (0-300 ms after the operation was answered, so reconcile passes are in
 * flight) and started again on the same home. After every restart, and at the end: every workspace
 * converges to the state its last accepted operation asked for, no workspace is lost or appears,
 * exactly one child process runs per workspace meant to run and none for others (no orphan), the
 * provider's directories are exactly the live workspaces' with no half-written file, and each event
 * log is in order (seq strictly increasing, time not decreasing). Finally everything is deleted and
 * nothing is left. An operation the lifecycle refuses at that moment (409, e.g. a restart while
 * still starting) changes nothing and is counted.
 *
 * <p>The seed is printed; {@code -Dhangar.test.seed=SEED} replays the same operations and kill
 * points (the timing of the passes in flight is the machine's).
 */
class ServerChaosIT {
    private static final int OPERATIONS = 50;
    private static final int MAX_LIVE = 10;
    private static final int KILLS = 5;
    private static final Duration CONVERGE = Duration.ofMinutes(3);

    @Test
    void killNineAtRandomPointsLosesNothingAndLeavesNothing() throws Exception {
        long seed = SeededCases.seed();
        System.out.println(
                "ServerChaosIT seed=" + seed + " (replay: -D" + SeededCases.SEED_PROPERTY + "=" + seed + ")");
        Random random = new Random(seed);
        Path home = Files.createTempDirectory(Path.of("/tmp"), "hchaos");
        Path services = ProcServerHome.services();
        ProcServerHome.write(
                home,
                "{poll-interval: 100ms, resync-interval: 1s, base-backoff: 100ms}",
                "child-process workspaces (ServerChaosIT only)");
        Path providerDir = home.resolve("providers").resolve(ChildProcessProvider.TYPE);
        String prefix = ChildProcessProvider.markerPrefix(providerDir);

        Set<Integer> killAfter = new TreeSet<>();
        while (killAfter.size() < KILLS) killAfter.add(random.nextInt(OPERATIONS));
        System.out.println("ServerChaosIT: kill -9 after operations " + killAfter);

        ServerProcess server = new ServerProcess(home, List.of(services));
        boolean passed = false;
        try (server) {
            server.start();
            String token = server.adminToken();
            // name -> desired ("Running" or "Stopped"), for workspaces that exist; deleted ones are gone
            Map<String, String> desired = new LinkedHashMap<>();
            List<String> deleted = new ArrayList<>();
            int created = 0;
            int refused = 0;
            for (int op = 0; op < OPERATIONS; op++) {
                TestHttp http = server.http();
                String line;
                if (desired.isEmpty() || (desired.size() < MAX_LIVE && random.nextInt(4) == 0)) {
                    String name = "c" + (created++);
                    HttpResponse<String> r =
                            http.post("/api/v1/workspaces", token, "{\"name\":\"" + name + "\",\"template\":\"proc\"}");
                    assertThat(r.statusCode())
                            .as("create %s: %s", name, r.body())
                            .isEqualTo(201);
                    desired.put(name, "Running");
                    line = "create " + name;
                } else {
                    List<String> names = new ArrayList<>(desired.keySet());
                    String name = names.get(random.nextInt(names.size()));
                    String action =
                            List.of("stop", "start", "restart", "delete").get(random.nextInt(4));
                    HttpResponse<String> r = action.equals("delete")
                            ? http.delete("/api/v1/workspaces/" + name, token)
                            : http.post("/api/v1/workspaces/" + name + "/" + action, token, "");
                    assertThat(r.statusCode())
                            .as("%s %s: %s", action, name, r.body())
                            .isIn(202, 409);
                    if (r.statusCode() == 409) {
                        refused++;
                    } else {
                        switch (action) {
                            case "stop" -> desired.put(name, "Stopped");
                            case "start", "restart" -> desired.put(name, "Running");
                            default -> {
                                desired.remove(name);
                                deleted.add(name);
                            }
                        }
                    }
                    line = action + " " + name + " -> " + r.statusCode();
                }
                if (killAfter.contains(op)) {
                    long delayMs = random.nextInt(300);
                    if (delayMs > 0) {
                        await().pollDelay(Duration.ofMillis(delayMs))
                                .atMost(Duration.ofSeconds(5))
                                .until(() -> true);
                    }
                    server.kill9();
                    System.out.printf(
                            "ServerChaosIT: op %d (%s), killed after %d ms; children then: %d%n",
                            op,
                            line,
                            delayMs,
                            ChildProcessProvider.processes(prefix).size());
                    server.start();
                    assertConverged(server, token, desired, deleted, providerDir, prefix, "after kill at op " + op);
                }
            }
            assertConverged(server, token, desired, deleted, providerDir, prefix, "after the last operation");
            System.out.printf(
                    "ServerChaosIT: %d operations (%d created, %d deleted, %d refused with 409), %d kills, %d live%n",
                    OPERATIONS, created, deleted.size(), refused, KILLS, desired.size());

            TestHttp http = server.http();
            for (String name : List.copyOf(desired.keySet())) {
                assertThat(http.delete("/api/v1/workspaces/" + name, token).statusCode())
                        .isEqualTo(202);
                desired.remove(name);
                deleted.add(name);
            }
            assertConverged(server, token, desired, deleted, providerDir, prefix, "after deleting everything");
            passed = true;
        } finally {
            ChildProcessProvider.processes(prefix).forEach(ProcessHandle::destroyForcibly);
            if (!passed) System.out.println("ServerChaosIT: last server log:\n" + server.readLog());
            LocalVm.deleteTree(home);
            LocalVm.deleteTree(services);
        }
    }

    /** Awaits convergence, then checks rows, processes, files and event order. */
    private static void assertConverged(
            ServerProcess server,
            String token,
            Map<String, String> desired,
            List<String> deleted,
            Path providerDir,
            String prefix,
            String when) {
        TestHttp http = server.http();
        await().atMost(CONVERGE)
                .pollInterval(Duration.ofMillis(200))
                .alias("every workspace converges " + when + " to " + desired + "; gone: " + deleted)
                .until(() -> phases(http, token).equals(desired)
                        && ChildProcessProvider.processes(prefix).size()
                                == desired.values().stream()
                                        .filter("Running"::equals)
                                        .count());
        for (String name : deleted) {
            assertThat(http.get("/api/v1/workspaces/" + name, token).statusCode())
                    .as("deleted %s (%s)", name, when)
                    .isEqualTo(404);
        }
        Map<String, String> ids = new LinkedHashMap<>();
        for (JsonNode w : list(http, token))
            ids.put(w.path("name").asText(), w.path("id").asText());
        assertThat(ids.keySet()).as("no lost or extra workspace " + when).isEqualTo(desired.keySet());

        Set<String> runningIds = desired.entrySet().stream()
                .filter(e -> e.getValue().equals("Running"))
                .map(e -> ChildProcessProvider.marker(providerDir, ids.get(e.getKey())))
                .collect(Collectors.toCollection(TreeSet::new));
        List<String> children = ChildProcessProvider.processes(prefix).stream()
                .map(h -> argv0(h.pid()))
                .sorted()
                .toList();
        assertThat(children)
                .as("exactly one child per running workspace, no orphan " + when)
                .containsExactlyElementsOf(runningIds);

        assertThat(listing(providerDir))
                .as("provider directories are the live workspaces' " + when)
                .containsExactlyInAnyOrderElementsOf(ids.values());
        for (String id : ids.values()) {
            assertThat(listing(providerDir.resolve(id)))
                    .as("no half-written file " + when)
                    .containsExactly("disk");
        }

        for (String name : desired.keySet()) {
            List<JsonNode> events = new ArrayList<>();
            TestHttp.json(http.get("/api/v1/workspaces/" + name + "/events?limit=10000", token))
                    .forEach(events::add);
            assertThat(events).as("events of " + name).isNotEmpty();
            for (int i = 1; i < events.size(); i++) {
                JsonNode a = events.get(i - 1);
                JsonNode b = events.get(i);
                assertThat(b.path("seq").asLong())
                        .as("event seq order of %s %s", name, when)
                        .isGreaterThan(a.path("seq").asLong());
                // An event's time is taken before its row is written and its seq when it is written,
                // so two writers (an API call and the reconciler) may write in the other order a few
                // ms apart (CI saw 2 ms). A restart must not move time back further than that.
                assertThat(Instant.parse(b.path("at").asText()))
                        .as("event time order of %s %s", name, when)
                        .isAfterOrEqualTo(Instant.parse(a.path("at").asText()).minusSeconds(1));
            }
        }
    }

    private static Map<String, String> phases(TestHttp http, String token) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode w : list(http, token))
            out.put(w.path("name").asText(), w.path("phase").asText());
        return out;
    }

    private static List<JsonNode> list(TestHttp http, String token) {
        HttpResponse<String> r = http.get("/api/v1/workspaces", token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = TestHttp.json(r);
        JsonNode items = body.isArray() ? body : body.path("items");
        List<JsonNode> out = new ArrayList<>();
        items.forEach(out::add);
        return out;
    }

    private static String argv0(long pid) {
        try {
            byte[] b = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            int end = 0;
            while (end < b.length && b[end] != 0) end++;
            return new String(b, 0, end, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(exited)";
        }
    }

    private static List<String> listing(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
