package dev.hangar.provider.kubernetes.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The reconcile benchmarks' kubectl side: workspace objects built by the provider's own manifests,
 * labelled with the run and written with {@code kubectl apply --server-side} (field manager {@code
 * hangar-bench}), requests counted and timed from kubectl's {@code -v=6} log ({@link RequestTimes}).
 * {@link #createOwned} writes them as the providers do: the owners first (StatefulSets, VMs), then,
 * with the owners' uids read untimed, the dependents carrying the same owner references the provider
 * writes, so the API server and the garbage collector have the same work on both sides. Used by both
 * reconcile benchmarks. Not thread-safe.
 */
public final class KubectlSide {
    /** One kubectl pass: its wall time, the API requests it sent, and the file that holds its objects. */
    public record Pass(Duration time, long requests, Path file) {}

    private final String kubectl;
    private final RequestTimes times;
    private final String label;
    private final KubernetesSerialization yaml = new KubernetesSerialization();

    /**
     * @param kubectl the kubectl binary
     * @param times where kubectl's requests are timed
     * @param label the label key whose value is the run
     */
    public KubectlSide(String kubectl, RequestTimes times, String label) {
        this.kubectl = kubectl;
        this.times = times;
        this.label = label;
    }

    /** Applies one file of objects (server-side, field manager {@code hangar-bench}). */
    public Pass apply(Path file) throws Exception {
        long[] sent = new long[1];
        Duration d = ReconcileBenchmark.timed(() -> sent[0] = applyServerSide(kubectl, times, file));
        return new Pass(d, sent[0], file);
    }

    /**
     * Creates the workspaces' objects as the providers do: every owner, then every dependent owned by
     * its live owner. Timed: the two applies; not timed: reading the owners between them.
     *
     * @param workspaces one value per workspace, holding its objects
     * @param owner the owner of a workspace's objects (StatefulSet, VirtualMachine), as desired
     * @param liveOwners reads the run's owners as applied, by name (uncounted)
     * @param ownedDependents a workspace's dependents with owner references to its live owner
     * @return both applies' time and requests, and a file holding every object as applied
     */
    public <W> Pass createOwned(
            List<W> workspaces,
            Function<W, HasMetadata> owner,
            Function<String, Map<String, ? extends HasMetadata>> liveOwners,
            BiFunction<W, HasMetadata, List<HasMetadata>> ownedDependents,
            String run)
            throws Exception {
        StringBuilder owners = new StringBuilder();
        for (W w : workspaces) owners.append(asYaml(owner.apply(w), run));
        Path ownerFile = write(owners);
        Pass first = apply(ownerFile);
        Files.delete(ownerFile);
        Map<String, ? extends HasMetadata> live = liveOwners.apply(run);
        StringBuilder dependents = new StringBuilder();
        StringBuilder all = new StringBuilder(owners);
        for (W w : workspaces) {
            HasMetadata liveOwner = live.get(owner.apply(w).getMetadata().getName());
            if (liveOwner == null) throw new IllegalStateException("kubectl did not create " + owner.apply(w));
            for (HasMetadata d : ownedDependents.apply(w, liveOwner)) {
                String text = asYaml(d, run);
                dependents.append(text);
                all.append(text);
            }
        }
        Path dependentFile = write(dependents);
        Pass second = apply(dependentFile);
        Files.delete(dependentFile);
        return new Pass(first.time().plus(second.time()), first.requests() + second.requests(), write(all));
    }

    /** @return a file of {@code objects} as they are (no owner references added), labelled with {@code run} */
    public Path manifests(List<HasMetadata> objects, String run) throws IOException {
        StringBuilder out = new StringBuilder();
        for (HasMetadata o : objects) out.append(asYaml(o, run));
        return write(out);
    }

    /**
     * Deletes the run's objects of {@code kinds} (kubectl's comma-separated list) in {@code namespace}
     * by label, {@code --wait=false} (the providers do not wait either).
     */
    public Pass delete(String namespace, String kinds, String run) throws Exception {
        long[] sent = new long[1];
        Duration d = ReconcileBenchmark.timed(() -> sent[0] =
                kubectl(times, kubectl, "-n", namespace, "delete", kinds, "-l", label + "=" + run, "--wait=false"));
        return new Pass(d, sent[0], Path.of(""));
    }

    /**
     * {@code kubectl apply --server-side} of {@code file} as the benchmark's field manager {@code
     * hangar-bench} (forcing conflicts), the baseline both reconcile benchmarks compare with.
     *
     * @return the API requests kubectl sent, as {@link #kubectl} counts them
     */
    public static long applyServerSide(String kubectl, RequestTimes times, Path file)
            throws IOException, InterruptedException {
        return kubectl(
                times,
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
     * counts and times the requests .
     *
     * @param times where each request's round trip, as kubectl logs it, is recorded
     * @return the number of API requests kubectl sent
     * @throws IOException with the log's tail when kubectl exits non-zero
     */
    public static long kubectl(RequestTimes times, String kubectl, String... args)
            throws IOException, InterruptedException {
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
                List<String> sent = lines.filter(l -> l.matches(".*\\] (GET|POST|PUT|PATCH|DELETE) https?://.*"))
                        .toList();
                sent.forEach(times::kubectlLine);
                return sent.size();
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

    private String asYaml(HasMetadata o, String run) {
        o.getMetadata().getLabels().put(label, run);
        return yaml.asYaml(o);
    }

    private static Path write(CharSequence text) throws IOException {
        Path file = Files.createTempFile("hangar-bench-", ".yaml");
        Files.writeString(file, text);
        return file;
    }
}
