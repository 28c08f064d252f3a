package dev.hangar.provider.kubernetes.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hangar.provider.kubernetes.KubernetesProvider;
import dev.hangar.provider.kubernetes.KubernetesSettings;
import dev.hangar.provider.kubernetes.ServerSideApplier;
import dev.hangar.provider.kubernetes.WorkspaceManifests;
import dev.hangar.provider.kubernetes.WorkspaceObjects;
import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * Diagnostic benchmark, not a test (not run by any build): what a workspace's server-side applies cost
 * the API server, by the way they are sent (issue #18 item 9: the API server spent 6.35 ms on the
 * provider's StatefulSet apply against 3.74 ms on kubectl's identical one). Each variant creates
 * {@code --count} new objects and prints the wall time per object, the API server's mean time per
 * {@code APPLY statefulsets} and every other request it served meanwhile ({@link ApiServerLatency}:
 * the controllers' answers too), and the CPU of the JVM, kubectl/curl and {@code -Dbench.server-pids}
 * ({@link CpuTimes}). Between variants everything is deleted and the namespace left to settle (no
 * StatefulSet, dependent or ControllerRevision left), so each starts from the same cluster state; the
 * order rotates each round. StatefulSets alone, back to back (as kubectl's first call of {@link
 * KubectlSide#createOwned} sends them), each variant changing one thing against the provider's request:
 *
 * <ul>
 *   <li>{@code provider}: {@link ServerSideApplier#write} as the provider calls it (fabric8's JDK
 *       HttpClient, HTTP/2; field manager {@code hangar-<workspace id>}, {@code force=false}, fabric8's
 *       key order)
 *   <li>{@code force}: the same body and manager, {@code force=true} (kubectl's {@code --force-conflicts})
 *   <li>{@code manager}: the same body, {@code force=false}, one field manager {@code hangar-bench} for all
 *   <li>{@code sorted}: kubectl's request through the same client: keys sorted as Go's JSON encoder sorts
 *       them, {@code hangar-bench}, {@code force=true}
 *   <li>{@code curl-provider}, {@code curl-sorted}: the provider's and kubectl's bytes sent by curl (libcurl,
 *       nghttp2; one process and one HTTP/2 connection for all): the same bytes, another client
 *   <li>{@code kubectl}: {@code kubectl apply --server-side --force-conflicts} of the objects (one process)
 * </ul>
 *
 * Whole stopped workspaces (StatefulSet, then SSH Secret, claim and Service with owner references):
 *
 * <ul>
 *   <li>{@code ws-provider}: {@link KubernetesProvider#apply}, as in {@link ReconcileBenchmark}
 *   <li>{@code ws-go}: the provider's bytes, queries and order (each owner, then its dependents at once)
 *       sent by Go's net/http over HTTP/2, kubectl's transport ({@code -Dprobe.replay=PATH} of
 *       bench/kubernetes/apply-replay)
 *   <li>{@code ws-kubectl}: {@link KubectlSide#createOwned}, the reconcile benchmarks' baseline
 * </ul>
 *
 * <pre>
 * java ... dev.hangar.provider.kubernetes.bench.ApplyProbe --count 200 --rounds 2 --warmup 4 \
 *     --namespace kube-probe --kubectl ~/.cache/hangar-test/k8s-1.20.2-&#42;/bin/kubectl [--variants provider,force,...]
 * </pre>
 */
public final class ApplyProbe {
    private static final String LABEL = "hangar.dev/probe";
    private static final String APPLY_PATCH = "application/apply-patch+yaml";
    private static final SshHostKey HOST_KEY = new SshHostKey(
            "ssh-ed25519",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nprobe-placeholder\n-----END OPENSSH PRIVATE KEY-----\n",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIProbePlaceholder");
    private static final List<String> ALL = List.of(
            "provider",
            "force",
            "manager",
            "sorted",
            "curl-provider",
            "curl-sorted",
            "kubectl",
            "ws-provider",
            "ws-go",
            "ws-kubectl");
    /** The Go replay binary for {@code ws-go} ({@code -Dprobe.replay=PATH}; bench/kubernetes/apply-replay). */
    private static final String REPLAY = System.getProperty("probe.replay", "");

    private ApplyProbe() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = ReconcileBenchmark.options(args);
        int count = Integer.parseInt(opts.getOrDefault("count", "200"));
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "2"));
        String namespace = opts.getOrDefault("namespace", "hangar-probe");
        String kubectl = opts.getOrDefault("kubectl", "kubectl");
        List<String> variants =
                List.of(opts.getOrDefault("variants", String.join(",", ALL)).split(","));
        KubernetesSettings settings = KubernetesSettings.parse(Map.of("namespace", namespace));
        WorkspaceManifests manifests = new WorkspaceManifests(settings);
        RequestTimes times = new RequestTimes();
        try (KubernetesClient client = ReconcileBenchmark.counting(new AtomicLong(), times);
                KubernetesClient admin = new KubernetesClientBuilder().build()) {
            BenchJvm.printOptions();
            BenchNamespace.ensure(admin, namespace);
            Probe probe = new Probe(client, admin, namespace, kubectl, times);
            // warm the JVM's request path (and the connection) up untimed: 4 x count through each Java variant
            int warmUp = Integer.parseInt(opts.getOrDefault("warmup", "4"));
            for (int i = 0; i < warmUp; i++) {
                for (String v : List.of("provider", "force", "sorted")) {
                    probe.send(v, statefulSets(manifests, namespace, count, "w" + i + v));
                    probe.clean();
                }
                if (variants.contains("ws-provider")) {
                    probe.workspaces("ws-provider", specs(count, "w" + i), manifests);
                    probe.clean();
                }
            }
            Map<String, List<double[]>> results = new TreeMap<>();
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < variants.size(); k++) {
                    String v = variants.get((k + round) % variants.size());
                    List<StatefulSet> objects = v.startsWith("ws-")
                            ? List.of()
                            : statefulSets(manifests, namespace, count, "r" + round + v);
                    List<WorkspaceSpec> specs = specs(count, "r" + round + v.replace("-", ""));
                    ApiServerLatency before = ApiServerLatency.read(admin);
                    Map<String, long[]> sent = times.snapshot();
                    CpuTimes cpu = CpuTimes.read();
                    Duration d = v.startsWith("ws-") ? probe.workspaces(v, specs, manifests) : probe.send(v, objects);
                    CpuTimes.read().printSince(cpu, v, count);
                    ApiServerLatency after = ApiServerLatency.read(admin);
                    double[] server = after.since(before, "APPLY apps/statefulsets");
                    after.printSince(before, v);
                    double wall = d.toNanos() / 1e6 / count;
                    System.out.printf(
                            Locale.ROOT,
                            "round %d %-14s wall %6.2f ms per object, api server %4.0f applies, mean %5.2f ms%n",
                            round,
                            v,
                            wall,
                            server[1],
                            server[0] * 1000 / Math.max(1, server[1]));
                    times.printSince(sent, v);
                    results.computeIfAbsent(v, x -> new ArrayList<>()).add(new double[] {
                        wall, server[0] * 1000 / Math.max(1, server[1])
                    });
                    probe.clean();
                }
            }
            System.out.printf(Locale.ROOT, "%n%-14s %s%n", "variant", "per round: wall / api server ms per apply");
            results.forEach((v, rs) -> {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-14s", v));
                for (double[] r : rs) line.append(String.format(Locale.ROOT, "  %5.2f / %5.2f", r[0], r[1]));
                System.out.println(line);
            });
        }
    }

    /** A stopped workspace's StatefulSet, {@code count} times, labelled with {@code tag} for the clean-up. */
    private static List<StatefulSet> statefulSets(
            WorkspaceManifests manifests, String namespace, int count, String tag) {
        List<StatefulSet> out = new ArrayList<>();
        for (WorkspaceSpec spec : specs(count, tag)) {
            StatefulSet sts = manifests.build(spec, PowerState.STOPPED).statefulSet();
            sts.getMetadata().getLabels().put(LABEL, tag.toLowerCase(Locale.ROOT));
            out.add(sts);
        }
        return out;
    }

    /** {@code count} new workspaces of owner {@code probe}. */
    private static List<WorkspaceSpec> specs(int count, String tag) {
        List<WorkspaceSpec> out = new ArrayList<>();
        String run = tag.toLowerCase(Locale.ROOT) + Long.toString(System.nanoTime(), 36);
        for (int i = 0; i < count; i++) {
            out.add(new WorkspaceSpec(
                    UUID.randomUUID().toString(),
                    "p" + run + "-" + i,
                    "probe",
                    "bench",
                    new Resources(1, 512, 1),
                    "hangar/workspace:debian-12",
                    "probe",
                    List.of("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIProbeUser probe@hangar"),
                    HOST_KEY,
                    "ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tProbe",
                    CloudInitConfig.EMPTY,
                    Map.of()));
        }
        return out;
    }

    /** Sends StatefulSets by one variant; cleans up. */
    private record Probe(
            KubernetesClient client, KubernetesClient admin, String namespace, String kubectl, RequestTimes times) {
        private static final ObjectMapper SORTED =
                new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

        Duration send(String variant, List<StatefulSet> objects) throws Exception {
            return switch (variant) {
                case "provider" -> {
                    ServerSideApplier applier = new ServerSideApplier(client);
                    yield ReconcileBenchmark.timed(() -> {
                        for (StatefulSet s : objects) applier.write(s, (live, want) -> want);
                    });
                }
                case "force" -> java(objects, false, true, false);
                case "manager" -> java(objects, false, false, true);
                case "sorted" -> java(objects, true, true, true);
                case "curl-provider" -> curl(objects, false, false, false);
                case "curl-sorted" -> curl(objects, true, true, true);
                case "kubectl" -> {
                    Path file = new KubectlSide(kubectl, times, LABEL).manifests(List.copyOf(objects), tag(objects));
                    try {
                        yield new KubectlSide(kubectl, times, LABEL).apply(file).time();
                    } finally {
                        Files.deleteIfExists(file);
                    }
                }
                default -> throw new IllegalArgumentException("unknown variant " + variant + "; known: " + ALL);
            };
        }

        private static String tag(List<StatefulSet> objects) {
            return objects.getFirst().getMetadata().getLabels().get(LABEL);
        }

        private String body(StatefulSet s, boolean sorted) throws IOException {
            String json = client.getKubernetesSerialization().asJson(s);
            return sorted ? SORTED.writeValueAsString(SORTED.readValue(json, Object.class)) : json;
        }

        private String url(StatefulSet s, boolean force, boolean benchManager) {
            String manager = benchManager ? "hangar-bench" : ServerSideApplier.fieldManager(s);
            return client.getMasterUrl().toString().replaceFirst("/*$", "") + "/apis/apps/v1/namespaces/"
                    + namespace + "/statefulsets/" + s.getMetadata().getName() + "?fieldManager="
                    + URLEncoder.encode(manager, StandardCharsets.UTF_8) + "&force=" + force;
        }

        private Duration java(List<StatefulSet> objects, boolean sorted, boolean force, boolean benchManager)
                throws Exception {
            List<String> bodies = new ArrayList<>();
            for (StatefulSet s : objects) bodies.add(body(s, sorted));
            HttpClient http = client.getHttpClient();
            return ReconcileBenchmark.timed(() -> {
                for (int i = 0; i < objects.size(); i++) {
                    HttpRequest request = http.newHttpRequestBuilder()
                            .uri(url(objects.get(i), force, benchManager))
                            .method("PATCH", APPLY_PATCH, bodies.get(i))
                            .build();
                    HttpResponse<String> r =
                            http.sendAsync(request, String.class).get();
                    if (r.code() != 201) throw new IllegalStateException("HTTP " + r.code() + ": " + r.body());
                    // as the provider does with the answer
                    client.getKubernetesSerialization().unmarshal(r.body(), StatefulSet.class);
                }
            });
        }

        /** One curl process, one HTTP/2 connection, the requests one after another ({@code next}). */
        private Duration curl(List<StatefulSet> objects, boolean sorted, boolean force, boolean benchManager)
                throws Exception {
            Config config = client.getConfiguration();
            String token = config.getOauthToken() != null ? config.getOauthToken() : config.getAutoOAuthToken();
            Path dir = Files.createTempDirectory(
                    "hangar-probe-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try {
                Path ca = dir.resolve("ca.crt");
                Files.write(ca, Base64.getDecoder().decode(config.getCaCertData()));
                StringBuilder cfg = new StringBuilder();
                for (int i = 0; i < objects.size(); i++) {
                    Path body = dir.resolve("b" + i + ".json");
                    Files.writeString(body, body(objects.get(i), sorted));
                    if (i > 0) cfg.append("next\n");
                    cfg.append("url = \"")
                            .append(url(objects.get(i), force, benchManager))
                            .append("\"\n");
                    cfg.append("request = \"PATCH\"\nhttp2\nsilent\nshow-error\nfail\noutput = \"/dev/null\"\n");
                    cfg.append("cacert = \"").append(ca).append("\"\n");
                    // the token from a 0600 file in a 0700 directory, never on a command line
                    cfg.append("header = \"Authorization: Bearer ")
                            .append(token)
                            .append("\"\n");
                    cfg.append("header = \"Content-Type: ").append(APPLY_PATCH).append("\"\n");
                    cfg.append("header = \"Accept: application/json\"\n");
                    cfg.append("data-binary = \"@").append(body).append("\"\n");
                }
                Path file = dir.resolve("curl.cfg");
                Files.writeString(file, cfg);
                return ReconcileBenchmark.timed(() -> {
                    Process p = new ProcessBuilder("curl", "-K", file.toString())
                            .redirectErrorStream(true)
                            .start();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (p.waitFor() != 0) throw new IOException("curl exited " + p.exitValue() + ": " + out);
                });
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) Files.delete(f);
                }
                Files.delete(dir);
            }
        }

        /**
         * Creates whole stopped workspaces (StatefulSet, then SSH Secret, claim and Service with owner
         * references): {@code ws-provider} through {@link KubernetesProvider#apply}, {@code ws-go} with the
         * provider's bytes and pattern through Go's HTTP/2 client, {@code ws-kubectl} as {@link
         * KubectlSide#createOwned} (all owners, then all dependents).
         */
        Duration workspaces(String variant, List<WorkspaceSpec> specs, WorkspaceManifests manifests) throws Exception {
            return switch (variant) {
                case "ws-provider" -> {
                    KubernetesSettings settings = KubernetesSettings.parse(Map.of("namespace", namespace));
                    try (KubernetesProvider provider =
                            new KubernetesProvider(client, settings, Clock.systemUTC(), false)) {
                        yield ReconcileBenchmark.parallel(
                                specs, 1, spec -> provider.apply(spec, PowerState.STOPPED, ProviderListener.NONE));
                    }
                }
                case "ws-go" -> goReplay(specs, manifests);
                case "ws-kubectl" -> {
                    String run = specs.getFirst().name().replaceFirst("-0$", "");
                    List<WorkspaceObjects> objects = specs.stream()
                            .map(spec -> manifests.build(spec, PowerState.STOPPED))
                            .toList();
                    KubectlSide side = new KubectlSide(kubectl, times, LABEL);
                    KubectlSide.Pass p =
                            side.createOwned(
                                    objects,
                                    WorkspaceObjects::statefulSet,
                                    r -> admin
                                            .apps()
                                            .statefulSets()
                                            .inNamespace(namespace)
                                            .withLabel(LABEL, r)
                                            .list()
                                            .getItems()
                                            .stream()
                                            .collect(Collectors.toMap(
                                                    s -> s.getMetadata().getName(), s -> s)),
                                    (o, sts) -> {
                                        WorkspaceObjects owned = o.ownedBy((StatefulSet) sts);
                                        return List.of(owned.sshSecret(), owned.homeClaim(), owned.service());
                                    },
                                    run);
                    Files.deleteIfExists(p.file());
                    yield p.time();
                }
                default -> throw new IllegalArgumentException("unknown variant " + variant);
            };
        }

        /** The provider's bytes, query and order (owner, then dependents at once) sent by Go's client. */
        private Duration goReplay(List<WorkspaceSpec> specs, WorkspaceManifests manifests) throws Exception {
            if (REPLAY.isEmpty()) throw new IllegalStateException("ws-go needs -Dprobe.replay=PATH");
            Config config = client.getConfiguration();
            String token = config.getOauthToken() != null ? config.getOauthToken() : config.getAutoOAuthToken();
            Path dir = Files.createTempDirectory(
                    "hangar-probe-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try {
                Files.write(dir.resolve("ca.crt"), Base64.getDecoder().decode(config.getCaCertData()));
                Files.writeString(dir.resolve("token"), token);
                StringBuilder plan = new StringBuilder();
                String base = client.getMasterUrl().toString().replaceFirst("/*$", "");
                int n = 0;
                for (WorkspaceSpec spec : specs) {
                    WorkspaceObjects o = manifests.build(spec, PowerState.STOPPED);
                    StatefulSet owner = new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder(o.statefulSet())
                            .editMetadata()
                            .withUid("UID_PLACEHOLDER")
                            .endMetadata()
                            .build();
                    WorkspaceObjects owned = o.ownedBy(owner);
                    String manager =
                            URLEncoder.encode(ServerSideApplier.fieldManager(o.statefulSet()), StandardCharsets.UTF_8);
                    for (var object : List.of(o.statefulSet(), owned.sshSecret(), owned.homeClaim(), owned.service())) {
                        Path body = dir.resolve("b" + n++ + ".json");
                        Files.writeString(
                                body, client.getKubernetesSerialization().asJson(object));
                        String path = switch (object.getKind()) {
                            case "StatefulSet" -> "/apis/apps/v1/namespaces/" + namespace + "/statefulsets/";
                            case "Secret" -> "/api/v1/namespaces/" + namespace + "/secrets/";
                            case "PersistentVolumeClaim" ->
                                "/api/v1/namespaces/" + namespace + "/persistentvolumeclaims/";
                            default -> "/api/v1/namespaces/" + namespace + "/services/";
                        };
                        plan.append(spec.id())
                                .append(' ')
                                .append(object == o.statefulSet() ? "owner" : "dependent")
                                .append(' ')
                                .append(base)
                                .append(path)
                                .append(object.getMetadata().getName())
                                .append("?fieldManager=")
                                .append(manager)
                                .append("&force=false ")
                                .append(body)
                                .append('\n');
                    }
                }
                Files.writeString(dir.resolve("plan.txt"), plan);
                Process p = new ProcessBuilder(
                                REPLAY,
                                "-dir",
                                dir.toString(),
                                "-token-file",
                                dir.resolve("token").toString(),
                                "-ca",
                                dir.resolve("ca.crt").toString())
                        .redirectErrorStream(true)
                        .start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.waitFor() != 0) throw new IOException("replay exited " + p.exitValue() + ": " + out);
                System.out.print("      " + out);
                // the replay's own figure (its process start and plan reading excluded)
                java.util.regex.Matcher m =
                        java.util.regex.Pattern.compile("in ([0-9.]+) s").matcher(out);
                if (!m.find()) throw new IOException("no figure in the replay's output: " + out);
                return Duration.ofNanos((long) (Double.parseDouble(m.group(1)) * 1e9));
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) Files.delete(f);
                }
                Files.delete(dir);
            }
        }

        /** Deletes every probe StatefulSet and waits until the namespace has neither them nor their revisions. */
        void clean() {
            String managed = WorkspaceManifests.LABEL_MANAGED_BY;
            // the dependents go with their StatefulSet (owner references, background propagation)
            admin.apps()
                    .statefulSets()
                    .inNamespace(namespace)
                    .withLabel(managed)
                    .delete();
            Awaitility.await()
                    .atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> admin.apps()
                                    .statefulSets()
                                    .inNamespace(namespace)
                                    .withLabel(managed)
                                    .list()
                                    .getItems()
                                    .isEmpty()
                            && admin.secrets()
                                    .inNamespace(namespace)
                                    .withLabel(managed)
                                    .list()
                                    .getItems()
                                    .isEmpty()
                            && admin.services()
                                    .inNamespace(namespace)
                                    .withLabel(managed)
                                    .list()
                                    .getItems()
                                    .isEmpty()
                            && admin.persistentVolumeClaims()
                                    .inNamespace(namespace)
                                    .withLabel(managed)
                                    .list()
                                    .getItems()
                                    .isEmpty()
                            && admin.apps()
                                    .controllerRevisions()
                                    .inNamespace(namespace)
                                    .list()
                                    .getItems()
                                    .isEmpty());
        }
    }
}
