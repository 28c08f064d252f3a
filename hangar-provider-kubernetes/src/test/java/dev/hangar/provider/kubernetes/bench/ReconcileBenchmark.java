package dev.hangar.provider.kubernetes.bench;

import dev.hangar.provider.kubernetes.KubernetesProvider;
import dev.hangar.provider.kubernetes.KubernetesSettings;
import dev.hangar.provider.kubernetes.WorkspaceManifests;
import dev.hangar.provider.kubernetes.WorkspaceObjects;
import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark, not a test (not run by any build): reconciles N Pod workspaces at scale 0 (objects
 * only, nothing is scheduled) against the real API server named by {@code KUBECONFIG} (fabric8's
 * default chain), then applies the same manifests with {@code kubectl apply --server-side} in the
 * same run, and prints total time, time per workspace and the ratio. Reported, not asserted.
 *
 * <p>Before the timed passes the provider reconciles {@link #WARM_UP} other workspaces untimed (JIT
 * warm-up: a server reconciles all the time; kubectl is a compiled binary).
 *
 * <p>Each side is timed twice: the first pass creates the objects, the second finds them unchanged
 * (the steady state of a level-triggered reconciler); then the provider deletes its workspaces. The
 * kubectl side uses other workspace names (owner {@code kubectl}), carries no owner references (it
 * has no StatefulSet uid to point to) and deletes its objects by label. API requests are counted per
 * pass: a fabric8 interceptor on the provider's client ({@link #counting}), kubectl's {@code -v=6}
 * request log ({@link #kubectl(String, String...)}).
 *
 * <pre>
 * ./mvnw -q -pl hangar-provider-kubernetes -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
 * cd hangar-provider-kubernetes
 * $JAVA_HOME/bin/java -cp target/test-classes:target/classes:../hangar-provider-spi/target/classes:$(cat target/bench.classpath) \
 *     dev.hangar.provider.kubernetes.bench.ReconcileBenchmark --count 1000 --concurrency 1,16
 * </pre>
 *
 * <p>Options: {@code --count N} (1000), {@code --namespace NS} ({@code hangar-bench}, created if
 * missing), {@code --concurrency C1,C2} (reconciler threads per provider run, {@code 1,16}),
 * {@code --apply-mode server-side|merge} ({@code server-side}), {@code --kubectl PATH}
 * ({@code kubectl}; {@code none} to skip).
 */
public final class ReconcileBenchmark {
    private static final String BENCH_LABEL = "hangar.dev/bench";
    /** With {@code -Dbench.trace=true} every request of the provider's client is printed. */
    private static final boolean TRACE = Boolean.getBoolean("bench.trace");
    /** Workspaces reconciled untimed before the passes (JIT warm-up); {@code -Dbench.warmup=N}. */
    public static final int WARM_UP = Integer.getInteger("bench.warmup", 20);

    private static final String HOST_CERTIFICATE =
            "ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tBench";
    private static final SshHostKey HOST_KEY = new SshHostKey(
            "ssh-ed25519",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nbenchmark-placeholder\n-----END OPENSSH PRIVATE KEY-----\n",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchmarkPlaceholder");

    private ReconcileBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        int count = Integer.parseInt(opts.getOrDefault("count", "1000"));
        String namespace = opts.getOrDefault("namespace", "hangar-bench");
        String kubectl = opts.getOrDefault("kubectl", "kubectl");
        List<Integer> concurrencies = java.util.Arrays.stream(
                        opts.getOrDefault("concurrency", "1,16").split(","))
                .map(String::trim)
                .map(Integer::parseInt)
                .toList();
        KubernetesSettings settings = KubernetesSettings.parse(
                Map.of("namespace", namespace, "apply-mode", opts.getOrDefault("apply-mode", "server-side")));
        String run = Long.toString(System.currentTimeMillis(), 36);

        AtomicLong requests = new AtomicLong();
        try (KubernetesClient client = counting(requests)) {
            System.out.printf(
                    Locale.ROOT,
                    "API server %s, Kubernetes %s, namespace %s, %d workspaces, apply-mode %s%n",
                    client.getConfiguration().getMasterUrl(),
                    version(client),
                    namespace,
                    count,
                    settings.applyMode().setting());
            BenchNamespace.ensure(client, namespace);
            List<String[]> rows = new ArrayList<>();
            try (KubernetesProvider provider = new KubernetesProvider(client, settings, Clock.systemUTC(), false)) {
                for (int concurrency : concurrencies) {
                    List<WorkspaceSpec> specs = specs("hangar" + concurrency, count, run);
                    provider.observe(specs.getFirst()); // connection set-up once, outside the timed passes
                    warmUp(provider, specs("warmup" + concurrency, WARM_UP, run), concurrency);
                    String prefix = "hangar provider, " + concurrency + " thread(s), ";
                    for (String pass : List.of("create", "unchanged")) {
                        long before = requests.get();
                        Duration d = reconcile(provider, specs, concurrency);
                        rows.add(withRequests(row(prefix + pass, d, count), requests.get() - before, count));
                    }
                    long before = requests.get();
                    Duration delete = delete(provider, specs, concurrency);
                    rows.add(withRequests(row(prefix + "delete", delete, count), requests.get() - before, count));
                }
            }
            if (!"none".equals(kubectl)) {
                List<WorkspaceSpec> specs = specs("kubectl", count, run);
                Path file = manifests(settings, specs, run);
                try {
                    for (String pass : List.of("create", "unchanged")) {
                        long[] sent = new long[1];
                        Duration d = timed(() -> sent[0] = applyServerSide(kubectl, file));
                        rows.add(withRequests(row("kubectl apply --server-side, " + pass, d, count), sent[0], count));
                    }
                } finally {
                    long[] sent = new long[1];
                    Duration d = timed(() -> sent[0] = kubectl(
                            kubectl,
                            "-n",
                            namespace,
                            "delete",
                            "statefulsets,services,secrets,persistentvolumeclaims",
                            "-l",
                            BENCH_LABEL + "=" + run,
                            "--wait=false"));
                    rows.add(withRequests(row("kubectl delete -l", d, count), sent[0], count));
                    Files.deleteIfExists(file);
                }
            }
            print(rows, count);
        }
    }

    private static String version(KubernetesClient client) {
        try {
            return client.getKubernetesVersion().getGitVersion();
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static Duration reconcile(KubernetesProvider provider, List<WorkspaceSpec> specs, int concurrency)
            throws Exception {
        return parallel(specs, concurrency, spec -> {
            Observation o = provider.apply(spec, PowerState.STOPPED, ProviderListener.NONE);
            if (!(o instanceof Observation.Stopped)) throw new IllegalStateException(spec.name() + ": " + o);
        });
    }

    /**
     * Creates, re-applies and deletes {@link #WARM_UP} other workspaces, untimed: a server reconciles all
     * the time, so its code is compiled by the JIT, while the kubectl side is a compiled binary.
     */
    private static void warmUp(KubernetesProvider provider, List<WorkspaceSpec> specs, int concurrency)
            throws Exception {
        reconcile(provider, specs, concurrency);
        reconcile(provider, specs, concurrency);
        delete(provider, specs, concurrency);
    }

    private static Duration delete(KubernetesProvider provider, List<WorkspaceSpec> specs, int concurrency)
            throws Exception {
        return parallel(specs, concurrency, spec -> provider.delete(spec, ProviderListener.NONE));
    }

    /** One provider call for one workspace. */
    public interface Step {
        void run(WorkspaceSpec spec) throws Exception;
    }

    /**
     * Runs {@code step} for every spec on virtual threads, at most {@code concurrency} at once (also
     * used by the KubeVirt provider's benchmark).
     */
    public static Duration parallel(List<WorkspaceSpec> specs, int concurrency, Step step) throws Exception {
        Semaphore permits = new Semaphore(concurrency);
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (WorkspaceSpec spec : specs) {
                futures.add(pool.submit(() -> {
                    permits.acquire();
                    try {
                        step.run(spec);
                    } finally {
                        permits.release();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get(30, TimeUnit.MINUTES);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static List<WorkspaceSpec> specs(String owner, int count, String run) {
        List<WorkspaceSpec> specs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            specs.add(new WorkspaceSpec(
                    UUID.randomUUID().toString(),
                    "b" + run + "-" + i,
                    owner,
                    "bench",
                    new Resources(1, 512, 1),
                    "hangar/workspace:debian-12",
                    owner,
                    List.of("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchUser bench@hangar"),
                    HOST_KEY,
                    HOST_CERTIFICATE,
                    CloudInitConfig.EMPTY,
                    Map.of()));
        }
        return specs;
    }

    /** Writes the kubectl side's manifests (scale 0, labelled with the run) as one YAML stream. */
    private static Path manifests(KubernetesSettings settings, List<WorkspaceSpec> specs, String run)
            throws IOException {
        WorkspaceManifests manifests = new WorkspaceManifests(settings);
        KubernetesSerialization yaml = new KubernetesSerialization();
        StringBuilder out = new StringBuilder();
        for (WorkspaceSpec spec : specs) {
            WorkspaceObjects objects = manifests.build(spec, PowerState.STOPPED);
            for (HasMetadata o : objects.all()) {
                o.getMetadata().getLabels().put(BENCH_LABEL, run);
                out.append(yaml.asYaml(o));
            }
        }
        Path file = Files.createTempFile("hangar-bench-", ".yaml");
        Files.writeString(file, out);
        return file;
    }

    /**
     * @param requests incremented once per HTTP request the client sends (retries included)
     * @return a client for the cluster named by {@code KUBECONFIG} (fabric8's default chain) that
     *     counts its requests (also used by the KubeVirt provider's benchmark)
     */
    public static KubernetesClient counting(AtomicLong requests) {
        Interceptor counter = new Interceptor() {
            @Override
            public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                requests.incrementAndGet();
                if (TRACE) System.out.println("      > " + request.method() + " " + request.uri());
            }
        };
        return new KubernetesClientBuilder()
                .withConfig(Config.autoConfigure(null))
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("bench-count", counter))
                .build();
    }

    /**
     * {@code kubectl apply --server-side} of {@code file} as the benchmark's field manager {@code
     * hangar-bench} (forcing conflicts), the baseline both reconcile benchmarks compare with.
     *
     * @return the API requests kubectl sent, as {@link #kubectl} counts them
     */
    public static long applyServerSide(String kubectl, Path file) throws IOException, InterruptedException {
        return kubectl(
                kubectl,
                "apply",
                "--server-side",
                "--field-manager=hangar-bench",
                "--force-conflicts",
                "-f",
                file.toString());
    }

    /**
     * Runs kubectl with {@code -v=6} (one log line per API request), its output discarded, and
     * counts the requests (also used by the KubeVirt provider's benchmark).
     *
     * @return the number of API requests kubectl sent
     * @throws IOException with the log's tail when kubectl exits non-zero
     */
    public static long kubectl(String kubectl, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(kubectl, "-v=6"));
        command.addAll(List.of(args));
        Path log = Files.createTempFile("hangar-bench-", ".log");
        try {
            Process p = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(log.toFile())
                    .start();
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ":\n"
                        + tail(Files.readString(log, StandardCharsets.UTF_8)));
            }
            try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
                return lines.filter(l -> l.matches(".*\\] (GET|POST|PUT|PATCH|DELETE) https?://.*"))
                        .count();
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** @return the last 20 lines of {@code text}, for an error message */
    private static String tail(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 20), lines.length));
    }

    /** Prints and appends the requests per workspace of a pass to its {@link #row}. */
    public static String[] withRequests(String[] row, long sent, int count) {
        String perWorkspace = String.format(Locale.ROOT, "%.1f", (double) sent / count);
        System.out.printf(Locale.ROOT, "      %d requests, %s per workspace%n", sent, perWorkspace);
        return new String[] {row[0], row[1], row[2], perWorkspace};
    }

    /** Something timed. */
    public interface Action {
        void run() throws Exception;
    }

    /** @return how long {@code action} took */
    public static Duration timed(Action action) throws Exception {
        long start = System.nanoTime();
        action.run();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Formats one result and prints it at once, so a run that is cut short still reports its passes. */
    public static String[] row(String what, Duration d, int count) {
        String[] row = {
            what,
            String.format(Locale.ROOT, "%.2f s", d.toMillis() / 1000.0),
            String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6 / count)
        };
        System.out.printf(Locale.ROOT, "done: %-48s %12s %16s%n", row[0], row[1], row[2]);
        System.out.flush();
        return row;
    }

    private static void print(List<String[]> rows, int count) {
        System.out.printf(
                Locale.ROOT,
                "%n%-48s %12s %16s %14s%n",
                "pass (" + count + " workspaces, 4 objects each)",
                "total",
                "per workspace",
                "requests/ws");
        for (String[] r : rows) System.out.printf(Locale.ROOT, "%-48s %12s %16s %14s%n", r[0], r[1], r[2], r[3]);
        ratios(rows, "hangar provider, 1 thread(s), ");
    }

    /**
     * Prints provider / kubectl for create, unchanged and delete, where both were measured (also used
     * by the KubeVirt provider's benchmark).
     *
     * @param prefix the provider rows' name before the pass
     */
    public static void ratios(List<String[]> rows, String prefix) {
        for (String pass : List.of("create", "unchanged", "delete")) {
            double provider = seconds(rows, prefix + pass);
            double kubectl =
                    seconds(rows, pass.equals("delete") ? "kubectl delete -l" : "kubectl apply --server-side, " + pass);
            if (provider > 0 && kubectl > 0) {
                System.out.printf(Locale.ROOT, "ratio %s, provider / kubectl: %.2f%n", pass, provider / kubectl);
            }
        }
    }

    private static double seconds(List<String[]> rows, String what) {
        return rows.stream()
                .filter(r -> r[0].equals(what))
                .mapToDouble(r -> Double.parseDouble(r[1].replace(" s", "")))
                .findFirst()
                .orElse(-1);
    }

    /** @return {@code --key value} pairs */
    public static Map<String, String> options(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: --count N --namespace NS --concurrency 1,16"
                        + " --apply-mode server-side|merge --kubectl PATH|none; got '" + args[i] + "'");
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        return opts;
    }
}
