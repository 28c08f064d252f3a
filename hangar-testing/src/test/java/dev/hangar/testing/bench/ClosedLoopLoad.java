package dev.hangar.testing.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * The benchmarks' closed-loop HTTP load generator: a fixed number of clients on virtual threads,
 * each sending its next request when the previous one answered, for a bounded time. Only answers
 * with the expected status count as samples; others count as errors. Not thread-safe (one run at a
 * time).
 *
 * @param client the HTTP client every simulated client shares
 * @param clients how many requests are in flight at once
 * @param warmupSeconds a discarded first phase of this length (JIT warm-up)
 * @param seconds the measured phase's length
 */
record ClosedLoopLoad(HttpClient client, int clients, int warmupSeconds, int seconds) {

    /** Latencies of one measured phase, sorted, in nanoseconds. */
    record Result(long[] sortedNanos, long errors, double elapsedSeconds) {
        double requestsPerSecond() {
            return sortedNanos.length / elapsedSeconds;
        }

        /** @return the {@code p}-quantile (0..1) in milliseconds (nearest rank); 0 without samples */
        double percentileMillis(double p) {
            if (sortedNanos.length == 0) return 0;
            int i = (int) Math.ceil(p * sortedNanos.length) - 1;
            return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, i))] / 1e6;
        }
    }

    /** @return an HTTP/1.1 client whose callbacks run on virtual threads */
    static HttpClient httpClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    /** Runs the warm-up and the measured phase of the same request, and prints one line. */
    Result run(String label, HttpRequest request, int expectedStatus) throws Exception {
        return run(label, i -> request, expectedStatus);
    }

    /**
     * Runs the warm-up and the measured phase, and prints one line: requests/s and percentiles.
     *
     * @param requests the request for the i-th send of a client (lets a run spread over many tokens)
     */
    Result run(String label, IntFunction<HttpRequest> requests, int expectedStatus) throws Exception {
        return measure(
                label,
                i -> client.send(requests.apply(i), HttpResponse.BodyHandlers.ofByteArray())
                                .statusCode()
                        == expectedStatus,
                "requests",
                "req/s");
    }

    /** One timed unit of work of a simulated client (e.g. several requests in a row). */
    @FunctionalInterface
    interface Operation {
        /**
         * @param i the client's sequence number of this operation (unique across clients in one phase)
         * @return whether it succeeded; failures count as errors, not samples
         */
        boolean perform(int i) throws Exception;
    }

    /**
     * Like {@link #run(String, IntFunction, int)} for an operation of several requests: times each
     * whole operation.
     */
    Result runOperation(String label, Operation operation) throws Exception {
        return measure(label, operation, "operations", "op/s");
    }

    private Result measure(String label, Operation operation, String unit, String rateUnit) throws Exception {
        phase(operation, warmupSeconds);
        Result r = phase(operation, seconds);
        long[] lat = r.sortedNanos();
        System.out.printf(
                Locale.ROOT,
                "%s: %d clients, %d s: %d %s (%d errors), %.1f %s, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.1f ms%n",
                label,
                clients,
                seconds,
                lat.length,
                unit,
                r.errors(),
                r.requestsPerSecond(),
                rateUnit,
                r.percentileMillis(0.50),
                r.percentileMillis(0.90),
                r.percentileMillis(0.99),
                lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6);
        return r;
    }

    private Result phase(Operation operation, int phaseSeconds) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(phaseSeconds).toNanos();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        List<Future<List<Long>>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                int offset = c * 1_000_003; // clients walk different parts of the request sequence
                futures.add(pool.submit(() -> {
                    List<Long> mine = new ArrayList<>();
                    for (int i = offset; System.nanoTime() < end; i++) {
                        long s = System.nanoTime();
                        if (operation.perform(i)) mine.add(System.nanoTime() - s);
                        else errors.incrementAndGet();
                    }
                    return mine;
                }));
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> f : futures) all.addAll(f.get());
            double elapsed = (System.nanoTime() - start) / 1e9;
            long[] sorted = all.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(sorted);
            return new Result(sorted, errors.get(), elapsed);
        }
    }

    /** @return the value of {@code name=value} among {@code args}, else {@code fallback} */
    static int arg(String[] args, String name, int fallback) {
        for (String a : args) if (a.startsWith(name + "=")) return Integer.parseInt(a.substring(name.length() + 1));
        return fallback;
    }
}
