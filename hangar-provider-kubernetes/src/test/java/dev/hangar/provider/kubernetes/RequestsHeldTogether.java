package dev.hangar.provider.kubernetes;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A fabric8 client interceptor that shows whether requests are sent together: it holds each
 * selected request on its way out of the client until {@code expected} of them are on their way (at
 * most 5 s), counting how many were held at once. Sent one after another, each is held alone (for 5
 * s), so {@link #mostAtOnce()} is 1; sent together, it reaches {@code expected}. Shared with the
 * kubevirt provider's tests through this module's test-jar. Thread-safe.
 */
public final class RequestsHeldTogether implements Interceptor {
    private final Predicate<HttpRequest> selected;
    private final CountDownLatch arrived;
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();

    /**
     * @param expected how many selected requests to wait for
     * @param selected which requests to hold
     */
    public RequestsHeldTogether(int expected, Predicate<HttpRequest> selected) {
        this.arrived = new CountDownLatch(expected);
        this.selected = selected;
    }

    /** @return a PATCH to a path containing one of {@code collections} (e.g. {@code "/secrets/"}) */
    public static Predicate<HttpRequest> patchOf(String... collections) {
        return request -> request.method().equals("PATCH")
                && java.util.Arrays.stream(collections)
                        .anyMatch(c -> request.uri().getPath().contains(c));
    }

    /** @return the most selected requests held at the same time */
    public int mostAtOnce() {
        return mostAtOnce.get();
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if (!selected.test(request)) return;
        mostAtOnce.accumulateAndGet(held.incrementAndGet(), Math::max);
        arrived.countDown();
        try {
            arrived.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            held.decrementAndGet();
        }
    }
}
