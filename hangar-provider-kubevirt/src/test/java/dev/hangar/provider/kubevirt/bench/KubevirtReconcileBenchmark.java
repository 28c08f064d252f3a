package dev.hangar.provider.kubevirt.bench;

import static dev.hangar.provider.kubernetes.bench.ReconcileBenchmark.counting;
import static dev.hangar.provider.kubernetes.bench.ReconcileBenchmark.options;
import static dev.hangar.provider.kubernetes.bench.ReconcileBenchmark.parallel;
import static dev.hangar.provider.kubernetes.bench.ReconcileBenchmark.row;
import static dev.hangar.provider.kubernetes.bench.ReconcileBenchmark.withRequests;

import dev.hangar.provider.kubernetes.bench.ApiServerLatency;
import dev.hangar.provider.kubernetes.bench.BenchJvm;
import dev.hangar.provider.kubernetes.bench.BenchNamespace;
import dev.hangar.provider.kubernetes.bench.CpuTimes;
import dev.hangar.provider.kubernetes.bench.KubectlSide;
import dev.hangar.provider.kubernetes.bench.ReconcileBenchmark;
import dev.hangar.provider.kubernetes.bench.RequestTimes;
import dev.hangar.provider.kubevirt.KubevirtApi;
import dev.hangar.provider.kubevirt.KubevirtManifests;
import dev.hangar.provider.kubevirt.KubevirtObjects;
import dev.hangar.provider.kubevirt.KubevirtProvider;
import dev.hangar.provider.kubevirt.KubevirtSettings;
import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.vm.ImageCatalog;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Benchmark, not a test (not run by any build): the Pod provider's {@link ReconcileBenchmark} for
 * KubeVirt workspaces. Reconciles N KubeVirt workspaces Halted (objects only: VirtualMachine,
 * DataVolume, cloud-init Secret, Service; no controller runs, nothing is imported) with the real
 * {@link KubevirtProvider} against the API server named by {@code KUBECONFIG}, then applies the same
 * objects (built by the same {@link KubevirtManifests}, other names) with {@code kubectl apply
 * --server-side} in the same run ({@link KubectlSide}): first with the same owner references as the
 * provider's (the VMs, then their dependents: the fair baseline the ratios use), then without (last
 * round's baseline, for comparison). Prints time and API requests per workspace for each pass
 * (create, unchanged, delete), the ratios, and per pass the API server's own time per verb and
 * resource ({@link ApiServerLatency}, from its {@code apiserver_request_duration_seconds}). The
 * provider's delete pass times its first delete call per workspace (kubectl deletes with {@code
 * --wait=false}); the rest of each deletion runs untimed afterwards until the provider answers Absent.
 * Reported, not asserted.
 *
 * <p>The cluster needs KubeVirt's and CDI's CRDs; when it does not serve {@code kubevirt.io/v1}, the
 * project's structural CRDs ({@code src/test/resources/crds/kubevirt-cdi.yaml}) are installed first
 * (cluster-scoped; left in place). Requests are counted by a fabric8 interceptor on the provider's
 * client and, for kubectl, from its {@code -v=6} request log. Before the timed passes the provider
 * reconciles at least {@link ReconcileBenchmark#WARM_UP} other workspaces untimed, in rounds until its
 * CPU per workspace settles ({@link BenchJvm#warmUp}; JIT warm-up). The
 * kubeconfig must allow reading {@code /metrics}.
 *
 * <p>Options: {@code --count N} (200), {@code --namespace NS} ({@code hangar-kubevirt-bench}, created
 * if missing), {@code --concurrency C} (1), {@code --apply-mode server-side|merge}, {@code --kubectl
 * PATH} ({@code kubectl}; {@code none} to skip). How to run: bench/README.md.
 */
public final class KubevirtReconcileBenchmark {
    private static final String BENCH_LABEL = "hangar.dev/bench";
    private static final String KUBECTL = "kubectl apply --server-side, ";
    private static final String HOST_CERTIFICATE =
            "ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tBench";
    private static final SshHostKey HOST_KEY = new SshHostKey(
            "ssh-ed25519",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nbenchmark-placeholder\n-----END OPENSSH PRIVATE KEY-----\n",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchmarkPlaceholder");

    private KubevirtReconcileBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        int count = Integer.parseInt(opts.getOrDefault("count", "200"));
        int concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "1"));
        String namespace = opts.getOrDefault("namespace", "hangar-kubevirt-bench");
        String kubectl = opts.getOrDefault("kubectl", "kubectl");
        KubevirtSettings settings = KubevirtSettings.parse(
                Map.of("namespace", namespace, "apply-mode", opts.getOrDefault("apply-mode", "server-side")));
        String run = Long.toString(System.currentTimeMillis(), 36);
        AtomicLong requests = new AtomicLong();
        RequestTimes times = new RequestTimes();
        List<String[]> rows = new ArrayList<>();
        try (KubernetesClient client = counting(requests, times);
                // uncounted: the API server's metrics and the kubectl side's uid reads are not the provider's
                KubernetesClient admin = new KubernetesClientBuilder().build()) {
            System.out.printf(
                    Locale.ROOT,
                    "API server %s, namespace %s, %d KubeVirt workspaces (Halted), apply-mode %s, %d thread(s)%n",
                    client.getConfiguration().getMasterUrl(),
                    namespace,
                    count,
                    settings.cluster().applyMode().setting(),
                    concurrency);
            BenchJvm.printOptions();
            installCrdsIfMissing(client);
            BenchNamespace.ensure(client, namespace);
            Path consoles = Files.createTempDirectory("kv-bench-console");
            try (KubevirtProvider provider = new KubevirtProvider(
                    client,
                    settings,
                    ImageCatalog.shipped(),
                    (spec, endpoint) -> {
                        throw new IllegalStateException("a Halted workspace is never probed");
                    },
                    Clock.systemUTC(),
                    false,
                    consoles)) {
                List<WorkspaceSpec> specs = specs("hangar", count, run);
                provider.observe(specs.getFirst()); // API discovery once, outside the timed passes
                // JIT warm-up, untimed: a server reconciles all the time; kubectl is a compiled binary.
                BenchJvm.warmUp(ReconcileBenchmark.WARM_UP, (round, n) -> {
                    List<WorkspaceSpec> warm = specs("warmup", n, run + "w" + round);
                    for (int pass = 0; pass < 2; pass++) {
                        parallel(
                                warm,
                                concurrency,
                                spec -> provider.apply(spec, PowerState.STOPPED, ProviderListener.NONE));
                    }
                    // One delete call each first, so the deletions run together; the waits then find most gone.
                    parallel(warm, concurrency, spec -> provider.delete(spec, ProviderListener.NONE));
                    for (WorkspaceSpec spec : warm) awaitAbsent(provider, spec);
                });
                for (String pass : List.of("create", "unchanged")) {
                    ApiServerLatency server = ApiServerLatency.read(admin);
                    Map<String, long[]> sent = times.snapshot();
                    long before = requests.get();
                    CpuTimes cpu = CpuTimes.read();
                    Duration d;
                    try (BenchJvm.Profile profile = BenchJvm.profile("kubevirt-" + pass)) {
                        d = parallel(specs, concurrency, spec -> {
                            Observation o = provider.apply(spec, PowerState.STOPPED, ProviderListener.NONE);
                            if (!(o instanceof Observation.Stopped))
                                throw new IllegalStateException(spec.name() + ": " + o);
                        });
                    }
                    rows.add(withRequests(row("hangar provider, " + pass, d, count), requests.get() - before, count));
                    CpuTimes.read().printSince(cpu, "hangar provider, " + pass, count);
                    times.printSince(sent, "hangar provider, " + pass);
                    ApiServerLatency.read(admin).printSince(server, "hangar provider, " + pass);
                }
                ApiServerLatency server = ApiServerLatency.read(admin);
                long before = requests.get();
                Duration d = parallel(specs, concurrency, spec -> provider.delete(spec, ProviderListener.NONE));
                rows.add(withRequests(row("hangar provider, delete", d, count), requests.get() - before, count));
                ApiServerLatency.read(admin).printSince(server, "hangar provider, delete");
                // Not timed: the rest of each deletion (leftovers the garbage collector has not yet
                // taken), so the namespace is left as found.
                for (WorkspaceSpec spec : specs) awaitAbsent(provider, spec);
            }
            if (!"none".equals(kubectl)) {
                KubevirtManifests manifests = new KubevirtManifests(settings, ImageCatalog.shipped());
                KubectlSide side = new KubectlSide(kubectl, times, BENCH_LABEL);
                List<KubevirtObjects> objects = specs("kubectl", count, run).stream()
                        .map(spec -> manifests.build(spec, PowerState.STOPPED))
                        .toList();
                // The fair baseline: the same objects with the same owner references, so the garbage
                // collector has the same graph to keep; the VMs first (their uids), then the dependents.
                ApiServerLatency server = ApiServerLatency.read(admin);
                Map<String, long[]> sent = times.snapshot();
                KubectlSide.Pass create = side.createOwned(
                        objects,
                        KubevirtObjects::virtualMachine,
                        r -> admin
                                .genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE)
                                .inNamespace(namespace)
                                .withLabel(BENCH_LABEL, r)
                                .list()
                                .getItems()
                                .stream()
                                .collect(Collectors.toMap(vm -> vm.getMetadata().getName(), vm -> vm)),
                        (o, vm) -> o.ownedBy(vm).dependents(),
                        run);
                rows.add(withRequests(row(KUBECTL + "create", create.time(), count), create.requests(), count));
                times.printSince(sent, KUBECTL + "create");
                ApiServerLatency.read(admin).printSince(server, KUBECTL + "create");
                server = ApiServerLatency.read(admin);
                sent = times.snapshot();
                KubectlSide.Pass unchanged = side.apply(create.file());
                rows.add(
                        withRequests(row(KUBECTL + "unchanged", unchanged.time(), count), unchanged.requests(), count));
                times.printSince(sent, KUBECTL + "unchanged");
                ApiServerLatency.read(admin).printSince(server, KUBECTL + "unchanged");
                // Last round's baseline, for comparison: the same objects without owner references, one file.
                String bare = run + "n";
                Path file = side.manifests(
                        specs("kubectl", count, bare).stream()
                                .flatMap(spec -> manifests.build(spec, PowerState.STOPPED).all().stream())
                                .toList(),
                        bare);
                String kinds = "virtualmachines.kubevirt.io,datavolumes.cdi.kubevirt.io,secrets,services";
                try {
                    for (String pass : List.of("create", "unchanged")) {
                        server = ApiServerLatency.read(admin);
                        KubectlSide.Pass p = side.apply(file);
                        String what = "kubectl without owner references, " + pass;
                        rows.add(withRequests(row(what, p.time(), count), p.requests(), count));
                        ApiServerLatency.read(admin).printSince(server, what);
                    }
                } finally {
                    side.delete(namespace, kinds, bare);
                    Files.deleteIfExists(file);
                    Files.deleteIfExists(create.file());
                }
                KubectlSide.Pass delete = side.delete(namespace, kinds, run);
                rows.add(withRequests(row("kubectl delete -l", delete.time(), count), delete.requests(), count));
            }
        }
        print(rows, count);
    }

    private static void installCrdsIfMissing(KubernetesClient client) throws IOException {
        if (client.getApiResources("kubevirt.io/v1") != null) return;
        try (InputStream in = KubevirtReconcileBenchmark.class.getResourceAsStream("/crds/kubevirt-cdi.yaml")) {
            for (HasMetadata crd : client.load(in).items()) {
                client.resource(crd)
                        .fieldManager("hangar-bench")
                        .forceConflicts()
                        .serverSideApply();
            }
        }
        for (String crd : List.of("virtualmachines.kubevirt.io", "datavolumes.cdi.kubevirt.io")) {
            client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(crd)
                    .waitUntilCondition(
                            c -> c != null
                                    && c.getStatus() != null
                                    && c.getStatus().getConditions().stream()
                                            .anyMatch(x ->
                                                    "Established".equals(x.getType()) && "True".equals(x.getStatus())),
                            1,
                            java.util.concurrent.TimeUnit.MINUTES);
        }
        System.out.println("installed the project's KubeVirt and CDI CRDs (crds/kubevirt-cdi.yaml)");
    }

    private static List<WorkspaceSpec> specs(String owner, int count, String run) {
        List<WorkspaceSpec> specs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            specs.add(new WorkspaceSpec(
                    UUID.randomUUID().toString(),
                    "b" + run + "-" + i,
                    owner,
                    "kubevirt-debian-12",
                    new Resources(2, 4096, 16),
                    "debian-12",
                    owner,
                    List.of("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchUser bench@hangar"),
                    HOST_KEY,
                    HOST_CERTIFICATE,
                    CloudInitConfig.EMPTY,
                    Map.of()));
        }
        return specs;
    }

    /** Deletes until the provider answers Absent (the garbage collector's part included), at most a minute. */
    private static void awaitAbsent(KubevirtProvider provider, WorkspaceSpec spec) throws InterruptedException {
        for (int i = 0; i < 120; i++) {
            if (provider.delete(spec, ProviderListener.NONE) instanceof Observation.Absent) return;
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new IllegalStateException(spec.name() + " still not deleted after a minute");
    }

    private static void print(List<String[]> rows, int count) {
        System.out.printf(
                Locale.ROOT,
                "%n%-44s %12s %16s %14s%n",
                "pass (" + count + " workspaces, 4 objects each)",
                "total",
                "per workspace",
                "requests/ws");
        for (String[] r : rows) System.out.printf(Locale.ROOT, "%-44s %12s %16s %14s%n", r[0], r[1], r[2], r[3]);
        ReconcileBenchmark.ratios(rows, "hangar provider");
    }
}
