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
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
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
import java.util.stream.Collectors;

/**
 * Benchmark, not a test (not run by any build): reconciles N Pod workspaces at scale 0 (objects
 * only, nothing is scheduled) against the real API server named by {@code KUBECONFIG} (fabric8's
 * default chain), then applies the same manifests with {@code kubectl apply --server-side} in the
 * same run, and prints total time, time per workspace and the ratio. Reported, not asserted.
 *
 * <p>Before the timed passes the provider reconciles at least {@link #WARM_UP} other workspaces untimed,
 * until its CPU per workspace settles ({@link BenchJvm#warmUp}; JIT warm-up: a server reconciles all
 * the time; kubectl is a compiled binary).
 *
 * <p>Each side is timed twice: the first pass creates the objects, the second finds them unchanged
 * (the steady state of a level-triggered reconciler); then each deletes its workspaces. The kubectl
 * side ({@link KubectlSide}) writes the same objects a stop writes (StatefulSet at 0 replicas, SSH
 * Secret, claim, Service; built by the same {@link WorkspaceManifests}, owner {@code kubectl}) with
 * the same owner references: the StatefulSets first, their uids read untimed, then the dependents
 * (so the garbage collector has the same graph on both sides); it deletes by label. {@code --order
 * kubectl-first} runs the kubectl side before the provider, so the controllers' work left behind by
 * one side's passes (StatefulSet status, ControllerRevisions, garbage collection) falls on the other
 * side in turn. Per pass it prints the API requests (a fabric8 interceptor on the provider's client,
 * kubectl's {@code -v=6} log), each request kind's mean round trip as the client saw it ({@link
 * RequestTimes}) and the API server's own time per verb and resource ({@link ApiServerLatency}; the
 * kubeconfig must allow reading {@code /metrics}).
 *
 * <pre>
 * ./mvnw -q -pl hangar-provider-kubernetes -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
 * cd hangar-provider-kubernetes
 * $JAVA_HOME/bin/java -cp target/test-classes:target/classes:../hangar-provider-spi/target/classes:$(cat target/bench.classpath) \
 *     dev.hangar.provider.kubernetes.bench.ReconcileBenchmark --count 1000 --concurrency 1,8
 * </pre>
 *
 * <p>Options: {@code --count N} (1000), {@code --namespace NS} ({@code hangar-bench}, created if
 * missing), {@code --concurrency C1,C2} (reconciler threads per provider run, {@code 1,8}: one, and the
 * server's default {@code reconciler.concurrency}; a ratio line per value),
 * {@code --apply-mode server-side|merge} ({@code server-side}), {@code --kubectl PATH}
 * ({@code kubectl}; {@code none} to skip), {@code --order provider-first|kubectl-first}
 * ({@code provider-first}); system properties {@code -Dbench.warmup=N} ({@link #WARM_UP}), {@code
 * -Dbench.jfr=DIR} (a JFR recording per provider pass, {@link BenchJvm}), {@code -Dbench.trace=true}.
 * It prints its JVM's options: run it with the server's ({@code bin/hangar}) to measure what the
 * product does.
 */
public final class ReconcileBenchmark {
    private static final String BENCH_LABEL = "hangar.dev/bench";
    /** With {@code -Dbench.trace=true} every request of the provider's client is printed. */
    private static final boolean TRACE = Boolean.getBoolean("bench.trace");
    /**
     * Workspaces reconciled untimed before the passes at least (JIT warm-up, {@link BenchJvm#warmUp}: in
     * rounds until the CPU per workspace settles); {@code -Dbench.warmup=N}. 400 by default: with 20 the
     * JIT was still compiling through the timed passes (the JVM's CPU per created workspace 17-21 ms
     * instead of about 11.5; bench/README.md), and a server that has been reconciling for a while is warm.
     */
    public static final int WARM_UP = Integer.getInteger("bench.warmup", 400);

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
        String order = opts.getOrDefault("order", "provider-first");
        if (!order.equals("provider-first") && !order.equals("kubectl-first")) {
            throw new IllegalArgumentException("--order must be provider-first or kubectl-first, not " + order);
        }
        boolean kubectlFirst = order.equals("kubectl-first");
        List<Integer> concurrencies = java.util.Arrays.stream(
                        opts.getOrDefault("concurrency", "1,8").split(","))
                .map(String::trim)
                .map(Integer::parseInt)
                .toList();
        KubernetesSettings settings = KubernetesSettings.parse(
                Map.of("namespace", namespace, "apply-mode", opts.getOrDefault("apply-mode", "server-side")));
        String run = Long.toString(System.currentTimeMillis(), 36);

        AtomicLong requests = new AtomicLong();
        RequestTimes times = new RequestTimes();
        try (KubernetesClient client = counting(requests, times);
                // uncounted: the API server's metrics and the kubectl side's uid reads are not the provider's
                KubernetesClient admin = new KubernetesClientBuilder().build()) {
            System.out.printf(
                    Locale.ROOT,
                    "API server %s, Kubernetes %s, namespace %s, %d workspaces, apply-mode %s, order %s%n",
                    client.getConfiguration().getMasterUrl(),
                    version(client),
                    namespace,
                    count,
                    settings.applyMode().setting(),
                    kubectlFirst ? "kubectl first" : "provider first");
            BenchJvm.printOptions();
            BenchNamespace.ensure(client, namespace);
            List<String[]> rows = new ArrayList<>();
            boolean withKubectl = !"none".equals(kubectl);
            if (withKubectl && kubectlFirst) kubectlSide(kubectl, settings, admin, times, count, run, rows);
            try (KubernetesProvider provider = new KubernetesProvider(client, settings, Clock.systemUTC(), false)) {
                for (int concurrency : concurrencies) {
                    List<WorkspaceSpec> specs = specs("hangar" + concurrency, count, run);
                    provider.observe(specs.getFirst()); // connection set-up once, outside the timed passes
                    BenchJvm.warmUp(
                            WARM_UP,
                            (round, n) ->
                                    warmUp(provider, specs("warmup" + concurrency, n, run + "w" + round), concurrency));
                    String prefix = provider(concurrency) + ", ";
                    for (String pass : List.of("create", "unchanged", "delete")) {
                        ApiServerLatency server = ApiServerLatency.read(admin);
                        Map<String, long[]> sent = times.snapshot();
                        CpuTimes cpu = CpuTimes.read();
                        long before = requests.get();
                        Duration d;
                        try (BenchJvm.Profile profile = BenchJvm.profile("pod-" + pass + "-" + concurrency)) {
                            d = pass.equals("delete")
                                    ? delete(provider, specs, concurrency)
                                    : reconcile(provider, specs, concurrency);
                        }
                        rows.add(withRequests(row(prefix + pass, d, count), requests.get() - before, count));
                        CpuTimes.read().printSince(cpu, prefix + pass, count);
                        times.printSince(sent, prefix + pass);
                        ApiServerLatency.read(admin).printSince(server, prefix + pass);
                    }
                }
            }
            if (withKubectl && !kubectlFirst) kubectlSide(kubectl, settings, admin, times, count, run, rows);
            print(rows, count, concurrencies);
        }
    }

    /**
     * The baseline: the same objects as the provider's passes (a stopped workspace's StatefulSet,
     * SSH Secret, claim and Service, built by the same {@link WorkspaceManifests}, other names), with
     * the same owner references (the StatefulSets first, their uids read untimed, then the
     * dependents), written by {@code kubectl apply --server-side}: create, unchanged, delete by label.
     */
    private static void kubectlSide(
            String kubectl,
            KubernetesSettings settings,
            KubernetesClient admin,
            RequestTimes times,
            int count,
            String run,
            List<String[]> rows)
            throws Exception {
        WorkspaceManifests manifests = new WorkspaceManifests(settings);
        List<WorkspaceObjects> objects = specs("kubectl", count, run).stream()
                .map(spec -> manifests.build(spec, PowerState.STOPPED))
                .toList();
        KubectlSide side = new KubectlSide(kubectl, times, BENCH_LABEL);
        String ns = settings.namespace();
        Path file = null;
        try {
            for (String pass : List.of("create", "unchanged")) {
                String what = "kubectl apply --server-side, " + pass;
                ApiServerLatency server = ApiServerLatency.read(admin);
                Map<String, long[]> sent = times.snapshot();
                CpuTimes cpu = CpuTimes.read();
                KubectlSide.Pass p = file == null
                        ? side.createOwned(
                                objects,
                                WorkspaceObjects::statefulSet,
                                r -> admin
                                        .apps()
                                        .statefulSets()
                                        .inNamespace(ns)
                                        .withLabel(BENCH_LABEL, r)
                                        .list()
                                        .getItems()
                                        .stream()
                                        .collect(Collectors.toMap(
                                                s -> s.getMetadata().getName(), s -> s)),
                                (o, sts) -> stoppedDependents(o.ownedBy((StatefulSet) sts)),
                                run)
                        : side.apply(file);
                file = p.file();
                rows.add(withRequests(row(what, p.time(), count), p.requests(), count));
                CpuTimes.read().printSince(cpu, what, count);
                times.printSince(sent, what);
                ApiServerLatency.read(admin).printSince(server, what);
            }
        } finally {
            KubectlSide.Pass delete = side.delete(ns, "statefulsets,services,secrets,persistentvolumeclaims", run);
            rows.add(withRequests(row("kubectl delete -l", delete.time(), count), delete.requests(), count));
            if (file != null) Files.deleteIfExists(file);
        }
    }

    /** @return what a stop writes after the StatefulSet: the dependents but the user-secrets Secret */
    private static List<HasMetadata> stoppedDependents(WorkspaceObjects owned) {
        return owned.dependents().stream().filter(d -> d != owned.userSecrets()).toList();
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

    /**
     * @param requests incremented once per HTTP request the client sends (retries included)
     * @return a client for the cluster named by {@code KUBECONFIG} (fabric8's default chain) that
     *     counts its requests (also used by the KubeVirt provider's benchmark)
     */
    public static KubernetesClient counting(AtomicLong requests) {
        return counting(requests, new RequestTimes());
    }

    /**
     * @param requests incremented once per HTTP request the client sends (retries included)
     * @param times where each request's round trip is recorded
     * @return a client for the cluster named by {@code KUBECONFIG} (fabric8's default chain) that
     *     counts and times its requests
     */
    public static KubernetesClient counting(AtomicLong requests, RequestTimes times) {
        Interceptor counter = new Interceptor() {
            @Override
            public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                requests.incrementAndGet();
                if (TRACE) System.out.println("      > " + request.method() + " " + request.uri());
            }
        };
        return new KubernetesClientBuilder()
                .withConfig(Config.autoConfigure(null))
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("bench-count", counter)
                        .addOrReplaceInterceptor("bench-times", times.interceptor()))
                .build();
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

    private static void print(List<String[]> rows, int count, List<Integer> concurrencies) {
        System.out.printf(
                Locale.ROOT,
                "%n%-48s %12s %16s %14s%n",
                "pass (" + count + " workspaces, 4 objects each)",
                "total",
                "per workspace",
                "requests/ws");
        for (String[] r : rows) System.out.printf(Locale.ROOT, "%-48s %12s %16s %14s%n", r[0], r[1], r[2], r[3]);
        for (int concurrency : concurrencies) ratios(rows, provider(concurrency));
    }

    /**
     * Prints provider / kubectl for create, unchanged and delete, where both were measured (also used
     * by the KubeVirt provider's benchmark), e.g. {@code ratio create, hangar provider, 8 thread(s) /
     * kubectl: 0.50}.
     *
     * @param provider the provider rows' name before {@code ", <pass>"}, e.g. {@code "hangar provider, 8
     *     thread(s)"}
     */
    public static void ratios(List<String[]> rows, String provider) {
        for (String pass : List.of("create", "unchanged", "delete")) {
            double mine = seconds(rows, provider + ", " + pass);
            double kubectl =
                    seconds(rows, pass.equals("delete") ? "kubectl delete -l" : "kubectl apply --server-side, " + pass);
            if (mine > 0 && kubectl > 0) {
                System.out.printf(Locale.ROOT, "ratio %s, %s / kubectl: %.2f%n", pass, provider, mine / kubectl);
            }
        }
    }

    /** @return the name of the provider's rows at {@code concurrency} threads, before {@code ", <pass>"} */
    private static String provider(int concurrency) {
        return "hangar provider, " + concurrency + " thread(s)";
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
                throw new IllegalArgumentException("usage: --count N --namespace NS --concurrency 1,8"
                        + " --apply-mode server-side|merge --kubectl PATH|none"
                        + " --order provider-first|kubectl-first; got '" + args[i] + "'");
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        return opts;
    }
}
