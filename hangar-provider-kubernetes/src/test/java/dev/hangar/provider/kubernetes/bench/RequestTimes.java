package dev.hangar.provider.kubernetes.bench;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client's view of each API request of a benchmark pass: per verb and resource ({@code PATCH
 * statefulsets}), how many were sent and how long each took from the moment the client handed it to
 * its transport to the moment the response's headers arrived (the round trip, the API server's own
 * time included). Fed by {@link #interceptor()} on a fabric8 client, or by {@link #kubectlLine} from
 * kubectl's {@code -v=6} log ({@code PATCH https://... 200 OK in 5 milliseconds}: whole milliseconds,
 * truncated, so kubectl's mean reads about 0.5 ms low). Set against {@link ApiServerLatency} (the API
 * server's own time per verb and resource), the difference is the client's and the wire's. Verbs are
 * named as the API server's metrics name them (a PATCH with an apply body is {@code APPLY} there).
 * Thread-safe.
 */
public final class RequestTimes {
    private static final Pattern KUBECTL =
            Pattern.compile(".*\\] (GET|POST|PUT|PATCH|DELETE) (https?://\\S+) .* in (\\d+) milliseconds$");

    /** Per "VERB resource": {requests, nanoseconds}. */
    private final ConcurrentMap<String, long[]> totals = new ConcurrentHashMap<>();

    private final ConcurrentMap<String, Long> started = new ConcurrentHashMap<>();

    /** @return an interceptor that times every request of the client it is added to */
    public Interceptor interceptor() {
        return new Interceptor() {
            @Override
            public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                started.put(request.method() + " " + request.uri(), System.nanoTime());
            }

            @Override
            public void after(
                    HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
                Long start = started.remove(request.method() + " " + request.uri());
                if (start != null) add(request.method(), request.uri(), System.nanoTime() - start);
            }
        };
    }

    /** Adds the request of one kubectl {@code -v=6} log line, if it is one. */
    public void kubectlLine(String line) {
        Matcher m = KUBECTL.matcher(line);
        if (m.matches()) add(m.group(1), URI.create(m.group(2)), Long.parseLong(m.group(3)) * 1_000_000L);
    }

    private void add(String method, URI uri, long nanos) {
        long[] t = totals.computeIfAbsent(method + " " + resource(uri), k -> new long[2]);
        synchronized (t) {
            t[0]++;
            t[1] += nanos;
        }
    }

    /** @return the resource a request's path names ({@code .../namespaces/NS/RESOURCE/...}), else its last segment */
    static String resource(URI uri) {
        String[] parts = uri.getPath().split("/");
        for (int i = 0; i + 2 < parts.length; i++) {
            if (parts[i].equals("namespaces")) return parts[i + 2];
        }
        return parts.length == 0 ? "/" : parts[parts.length - 1];
    }

    /** @return a copy of the totals so far, per "VERB resource": {requests, nanoseconds} */
    public Map<String, long[]> snapshot() {
        Map<String, long[]> copy = new TreeMap<>();
        totals.forEach((k, v) -> {
            synchronized (v) {
                copy.put(k, v.clone());
            }
        });
        return copy;
    }

    /** Prints, per verb and resource, the requests sent since {@code before} and their mean round trip. */
    public void printSince(Map<String, long[]> before, String pass) {
        snapshot().forEach((key, now) -> {
            long[] was = before.getOrDefault(key, new long[2]);
            long requests = now[0] - was[0];
            if (requests < 1) return;
            System.out.printf(
                    Locale.ROOT,
                    "      client: %-40s %6d requests, mean round trip %6.2f ms (%s)%n",
                    key,
                    requests,
                    (now[1] - was[1]) / 1e6 / requests,
                    pass);
        });
    }
}
