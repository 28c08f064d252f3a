package dev.hangar.provider.kubernetes.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API server's own view of a benchmark pass: its {@code apiserver_request_duration_seconds}
 * histogram (sum and count per verb, group, resource and subresource) read from {@code /metrics}
 * before and after, so the time each request spent inside the API server can be set against the
 * client's wall time (what is left is the client's own cost and the network). The server's figures
 * count every client's requests of those resources in that time, so on a shared cluster they include
 * others' (few: the workspace kinds' resources and what the controllers write for them, revisions, endpoints, events and pods, are printed). Used by both reconcile benchmarks. Needs a client allowed to read
 * {@code /metrics} (cluster admin). A value once taken; not thread-safe.
 */
public final class ApiServerLatency {
    private static final Pattern SAMPLE =
            Pattern.compile("^apiserver_request_duration_seconds_(sum|count)\\{([^}]*)} ([0-9.eE+-]+)$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final Set<String> RESOURCES = Set.of(
            "statefulsets",
            "virtualmachines",
            "datavolumes",
            "secrets",
            "services",
            "persistentvolumeclaims",
            // what the controllers write in answer to a workspace's objects (revisions, endpoints,
            // events), so a pass's whole cost to the API server shows, not only its own requests
            "controllerrevisions",
            "endpoints",
            "endpointslices",
            "events",
            "pods");

    /** Per "VERB group/resource[/subresource]": {seconds, requests}. */
    private final Map<String, double[]> totals;

    private ApiServerLatency(Map<String, double[]> totals) {
        this.totals = totals;
    }

    /** @return the histogram's sums and counts now */
    public static ApiServerLatency read(KubernetesClient client) {
        Map<String, double[]> totals = new TreeMap<>();
        for (String line : client.raw("/metrics").split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) continue;
            Map<String, String> labels = new TreeMap<>();
            Matcher l = LABEL.matcher(m.group(2));
            while (l.find()) labels.put(l.group(1), l.group(2));
            String resource = labels.getOrDefault("resource", "");
            if (!RESOURCES.contains(resource)) continue;
            // a watch is counted when it ends, with its whole lifetime: not a request's cost
            String verb = labels.getOrDefault("verb", "?");
            if (verb.equals("WATCH") || verb.equals("CONNECT")) continue;
            String sub = labels.getOrDefault("subresource", "");
            String group = labels.getOrDefault("group", "");
            String key =
                    verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource + (sub.isEmpty() ? "" : "/" + sub);
            double[] t = totals.computeIfAbsent(key, k -> new double[2]);
            t[m.group(1).equals("sum") ? 0 : 1] += Double.parseDouble(m.group(3));
        }
        return new ApiServerLatency(totals);
    }

    /**
     * @param key a verb and resource as printed, e.g. {@code APPLY apps/statefulsets}
     * @return {seconds, requests} of {@code key} served since {@code before}
     */
    public double[] since(ApiServerLatency before, String key) {
        double[] now = totals.getOrDefault(key, new double[2]);
        double[] was = before.totals.getOrDefault(key, new double[2]);
        return new double[] {now[0] - was[0], now[1] - was[1]};
    }

    /**
     * Prints, per verb and resource, the requests served since {@code before}, their mean time in the
     * API server, and the total; returns that total in seconds.
     */
    public double printSince(ApiServerLatency before, String pass) {
        double total = 0;
        StringBuilder out = new StringBuilder();
        for (var e : totals.entrySet()) {
            double[] was = before.totals.getOrDefault(e.getKey(), new double[2]);
            double seconds = e.getValue()[0] - was[0];
            double requests = e.getValue()[1] - was[1];
            if (requests < 1) continue;
            total += seconds;
            out.append(String.format(
                    Locale.ROOT,
                    "      api server: %-46s %6.0f requests, mean %6.2f ms%n",
                    e.getKey(),
                    requests,
                    seconds * 1000 / requests));
        }
        System.out.print(out);
        System.out.printf(Locale.ROOT, "      api server total for %s: %.2f s%n", pass, total);
        return total;
    }
}
