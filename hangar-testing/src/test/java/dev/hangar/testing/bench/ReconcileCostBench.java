package dev.hangar.testing.bench;

import static org.awaitility.Awaitility.await;

import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.reconcile.WorkspaceReconciler;
import dev.hangar.core.store.WorkspaceFilter;
import dev.hangar.testing.TestControlPlane;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark (not a test; run with {@code -Pbench -Dbench.class=ReconcileCostBench}, or {@code
 * bench/reconcile/cost.sh}): what one reconcile pass over every workspace costs the control plane,
 * the work a resync does every {@code reconciler.resync-interval} (30 s by default) in the steady
 * state, with the test-only fake provider (its observe is an in-memory lookup, so the figure is the
 * control plane's own: store reads, spec building, the decision, and any write).
 *
 * <p>Baseline: the same pass over an empty store (the list query and nothing else), in the same
 * run. Then N workspaces are created through the REST API and converge to Running; each pass lists
 * them as the resync does and runs {@link WorkspaceReconciler#reconcileOnce} for each, either on one
 * thread or on {@code threads} threads (the reconciler's default concurrency is 8). Wall
 * time, CPU time of the passes' threads, and CPU time of the whole process (JIT, GC and the
 * server's other threads included; the OS counts it in 10 ms ticks) are printed, median of {@code rounds} after {@code warmup}
 * discarded rounds. Asserts nothing.
 *
 * <p>Arguments (all optional): {@code workspaces=200 rounds=10 warmup=5 threads=8}.
 */
public final class ReconcileCostBench {
    private ReconcileCostBench() {}

    /** Wall, passes' thread CPU and process CPU of one round, in nanoseconds. */
    private record Cost(long wall, long threadCpu, long processCpu) {}

    public static void main(String[] args) throws Exception {
        int workspaces = ClosedLoopLoad.arg(args, "workspaces", 200);
        int rounds = ClosedLoopLoad.arg(args, "rounds", 10);
        int warmup = ClosedLoopLoad.arg(args, "warmup", 5);
        int threads = ClosedLoopLoad.arg(args, "threads", 8);
        System.out.printf(
                Locale.ROOT,
                "load average before: %.2f; %d cores%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
        // converge quickly after each create (50 ms polling), but no periodic resync during the
        // measurement: the bench runs the passes itself
        WorkspaceReconciler.Settings noResync =
                new WorkspaceReconciler.Settings(8, Duration.ofMillis(50), Duration.ofHours(1), Duration.ofMillis(50));
        try (TestControlPlane cp =
                TestControlPlane.builder().reconciler(noResync).start()) {
            WorkspaceReconciler reconciler = cp.server().reconciler();
            Cost[] empty = measure(cp, reconciler, 1, rounds, warmup);
            print("empty store (baseline), 1 thread", empty, 0);
            String token = cp.adminToken();
            long t0 = System.nanoTime();
            for (int i = 0; i < workspaces; i++) {
                int status = cp.http()
                        .post("/api/v1/workspaces", token, "{\"name\":\"rc-" + i + "\",\"template\":\"fake\"}")
                        .statusCode();
                if (status != 201) throw new IllegalStateException("create answered HTTP " + status);
            }
            await("every workspace runs")
                    .atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> cp.server().store().workspaces().list(WorkspaceFilter.ALL).stream()
                                    .allMatch(w -> w.phase() == Phase.Running)
                            && reconciler.idle());
            System.out.printf(
                    Locale.ROOT,
                    "%d workspaces created through the API and Running in %.1f s (%s)%n",
                    workspaces,
                    (System.nanoTime() - t0) / 1e9,
                    cp.server().store().describe());
            long eventsBefore = events(cp);
            Cost[] one = measure(cp, reconciler, 1, rounds, warmup);
            print(workspaces + " Running workspaces, 1 thread", one, workspaces);
            Cost[] many = measure(cp, reconciler, threads, rounds, warmup);
            print(workspaces + " Running workspaces, " + threads + " threads", many, workspaces);
            System.out.printf(
                    Locale.ROOT,
                    "events written by the %d steady-state passes: %d (a converged pass should write none)%n",
                    2 * (rounds + warmup),
                    events(cp) - eventsBefore);
            double base = median(empty, Cost::wall);
            System.out.printf(
                    Locale.ROOT,
                    "ratio to the empty pass (wall, median): 1 thread %.1f, %d threads %.1f; per workspace (1 thread): wall %.3f ms, thread CPU %.3f ms%n",
                    median(one, Cost::wall) / base,
                    threads,
                    median(many, Cost::wall) / base,
                    (median(one, Cost::wall) - base) / 1e6 / workspaces,
                    (median(one, Cost::threadCpu) - median(empty, Cost::threadCpu)) / 1e6 / workspaces);
        }
        System.out.printf(
                Locale.ROOT,
                "load average after: %.2f%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** {@code warmup} discarded rounds, then {@code rounds} measured ones, each a full pass. */
    private static Cost[] measure(
            TestControlPlane cp, WorkspaceReconciler reconciler, int threads, int rounds, int warmup) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Cost[] costs = new Cost[rounds];
        for (int r = 0; r < warmup + rounds; r++) {
            long process0 = os.getProcessCpuTime();
            long wall0 = System.nanoTime();
            long cpu0 = mx.getCurrentThreadCpuTime();
            // what the resync lists: every workspace except Failed ones not being deleted
            List<String> ids = cp.server().store().workspaces().list(WorkspaceFilter.ALL).stream()
                    .filter(w -> w.phase() != Phase.Failed)
                    .map(Workspace::id)
                    .toList();
            long threadCpu;
            if (threads == 1) {
                for (String id : ids) reconciler.reconcileOnce(id);
                threadCpu = mx.getCurrentThreadCpuTime() - cpu0;
            } else {
                threadCpu = mx.getCurrentThreadCpuTime() - cpu0 + parallel(reconciler, ids, threads, mx);
            }
            long wall = System.nanoTime() - wall0;
            long process = os.getProcessCpuTime() - process0;
            if (r >= warmup) costs[r - warmup] = new Cost(wall, threadCpu, process);
        }
        return costs;
    }

    /**
     * Runs the passes on {@code threads} platform threads (the JDK measures no CPU time of a virtual
     * thread); returns their summed CPU time.
     */
    private static long parallel(WorkspaceReconciler reconciler, List<String> ids, int threads, ThreadMXBean mx)
            throws Exception {
        List<Future<Long>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                int first = t;
                futures.add(pool.submit(() -> {
                    long c0 = mx.getCurrentThreadCpuTime();
                    for (int i = first; i < ids.size(); i += threads) reconciler.reconcileOnce(ids.get(i));
                    return mx.getCurrentThreadCpuTime() - c0;
                }));
            }
            long sum = 0;
            for (Future<Long> f : futures) sum += Math.max(0, f.get());
            return sum;
        }
    }

    private static void print(String label, Cost[] costs, int workspaces) {
        System.out.printf(
                Locale.ROOT,
                "%s: %d rounds: wall median %.2f ms (min %.2f, max %.2f), passes' thread CPU median %.2f ms, process CPU median %.2f ms%s%n",
                label,
                costs.length,
                median(costs, Cost::wall) / 1e6,
                Arrays.stream(costs).mapToLong(Cost::wall).min().orElse(0) / 1e6,
                Arrays.stream(costs).mapToLong(Cost::wall).max().orElse(0) / 1e6,
                median(costs, Cost::threadCpu) / 1e6,
                median(costs, Cost::processCpu) / 1e6,
                workspaces == 0
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                "; per workspace wall %.3f ms",
                                median(costs, Cost::wall) / 1e6 / workspaces));
    }

    private static double median(Cost[] costs, java.util.function.ToLongFunction<Cost> f) {
        long[] v = Arrays.stream(costs).mapToLong(f).sorted().toArray();
        return v[v.length / 2];
    }

    private static long events(TestControlPlane cp) {
        return cp.server().store().workspaces().list(WorkspaceFilter.ALL).stream()
                .mapToLong(w -> cp.server().store().events().list(w.id(), 10_000).stream()
                        .mapToLong(e -> e.count())
                        .sum())
                .sum();
    }
}
