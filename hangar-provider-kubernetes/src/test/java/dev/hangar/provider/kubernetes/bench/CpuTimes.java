package dev.hangar.provider.kubernetes.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CPU time spent during a benchmark pass, from Linux's {@code /proc}: the benchmark's own JVM plus
 * the children it has waited for (the kubectl processes: {@code cutime + cstime} of {@code
 * /proc/self/stat}), and each process named by {@code -Dbench.server-pids=PID,...} (the API server,
 * etcd, the controller manager of a cluster on the same host), so a pass's client CPU can be set
 * against the control plane's. Linux only; on another system, or for a process that has gone, the
 * figure is printed as unknown. A value once taken; not thread-safe.
 */
public final class CpuTimes {
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux
    private static final List<String> SERVER_PIDS =
            List.of(System.getProperty("bench.server-pids", "").split(",")).stream()
                    .map(String::trim)
                    .filter(p -> !p.isEmpty())
                    .toList();

    /** Per process ("benchmark", "kubectl children", "NAME PID"): CPU milliseconds, or -1 when unknown. */
    private final Map<String, Long> millis;

    /** The JVM's threads by kind (name without its numbers): CPU milliseconds of those alive now. */
    private final Map<String, Long> threads;

    private CpuTimes(Map<String, Long> millis, Map<String, Long> threads) {
        this.millis = millis;
        this.threads = threads;
    }

    /** @return the CPU times now */
    public static CpuTimes read() {
        Map<String, Long> m = new LinkedHashMap<>();
        var os = ManagementFactory.getOperatingSystemMXBean();
        m.put(
                "benchmark JVM",
                os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1_000_000 : -1L);
        m.put("kubectl (waited-for children)", stat("self", 15, 16));
        for (String pid : SERVER_PIDS) m.put(name(pid) + " " + pid, stat(pid, 13, 14));
        return new CpuTimes(m, threads());
    }

    /**
     * @return per kind of the JVM's threads ({@code /proc/self/task/TID/comm} without its digits, e.g.
     *     "C2 CompilerThread", "HttpClient--Worker" (Linux cuts names at 15 characters), the virtual
     *     threads' carriers "ForkJoinPool--worker-"), their CPU ms; empty where /proc is not readable
     */
    private static Map<String, Long> threads() {
        Map<String, Long> byKind = new LinkedHashMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                long ms = stat("self/task/" + task.getFileName(), 13, 14);
                String kind = name("self/task/" + task.getFileName()).replaceAll("[0-9]+", "");
                if (ms >= 0) byKind.merge(kind, ms, Long::sum);
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: no per-thread figures
        }
        return byKind;
    }

    /** Prints each process's CPU milliseconds per workspace since {@code before}. */
    public void printSince(CpuTimes before, String pass, int count) {
        List<String> parts = new ArrayList<>();
        millis.forEach((who, now) -> {
            long was = before.millis.getOrDefault(who, -1L);
            parts.add(
                    now < 0 || was < 0
                            ? who + " unknown"
                            : String.format(Locale.ROOT, "%s %.2f", who, (now - was) / (double) count));
        });
        System.out.printf(Locale.ROOT, "      cpu ms per workspace (%s): %s%n", pass, String.join(", ", parts));
        // where the JVM's own CPU went: its threads by kind, the busiest first (threads that ended during
        // the pass are not counted)
        List<String> busiest = threads.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.threads.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(8)
                .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey().strip(), e.getValue() / (double) count))
                .toList();
        System.out.printf(
                Locale.ROOT, "      JVM threads, cpu ms per workspace (%s): %s%n", pass, String.join(", ", busiest));
    }

    /** @return the sum of two 0-based fields (after the command name) of /proc/PID/stat, in ms; -1 if unreadable */
    private static long stat(String pid, int first, int second) {
        try {
            String text = Files.readString(Path.of("/proc", pid, "stat"));
            // the command name is in parentheses and may hold spaces: count fields after its ')'
            String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state); field n (1-based, proc(5)) is f[n - 3]
            long ticks = Long.parseLong(f[first - 2]) + Long.parseLong(f[second - 2]);
            return ticks * 1000 / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String name(String pid) {
        try {
            return Files.readString(Path.of("/proc", pid, "comm")).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}
