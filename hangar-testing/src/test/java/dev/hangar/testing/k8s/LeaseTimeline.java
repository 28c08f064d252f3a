package dev.hangar.testing.k8s;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What a Lease went through during a failover, read every 100 ms on a timer thread from {@link
 * #start} until {@link #close()}: each change of holder, renew time, duration or transitions, with
 * the time since the start. The record a failed failover is diagnosed from (who released, who took
 * the Lease and when), and the source of the failover figure.
 */
final class LeaseTimeline implements AutoCloseable {
    /** One observed state of the Lease; {@code holder} is empty when the Lease names none or is gone. */
    record Entry(Duration at, String holder, String renewTime, Integer durationSeconds, Integer transitions) {
        String describe() {
            return String.format(
                    Locale.ROOT,
                    "+%.1f s holder=%s renewTime=%s leaseDurationSeconds=%s leaseTransitions=%s",
                    at.toMillis() / 1000.0,
                    holder.isEmpty() ? "(none)" : holder,
                    renewTime,
                    durationSeconds,
                    transitions);
        }
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService poller;

    private LeaseTimeline(KubernetesClient admin, String namespace, String name) {
        long t0 = System.nanoTime();
        poller = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("lease-timeline-" + name).factory());
        poller.scheduleWithFixedDelay(
                () -> {
                    Entry e = read(admin, namespace, name, Duration.ofNanos(System.nanoTime() - t0));
                    Entry last = entries.isEmpty() ? null : entries.getLast();
                    if (e != null && (last == null || !sameState(last, e))) entries.add(e);
                },
                0,
                100,
                TimeUnit.MILLISECONDS);
    }

    /** Starts recording the Lease {@code namespace/name} (its state now is the first entry). */
    static LeaseTimeline start(KubernetesClient admin, String namespace, String name) {
        return new LeaseTimeline(admin, namespace, name);
    }

    private static Entry read(KubernetesClient admin, String namespace, String name, Duration at) {
        try {
            Lease lease = admin.leases().inNamespace(namespace).withName(name).get();
            LeaseSpec s = lease == null ? new LeaseSpec() : lease.getSpec();
            return new Entry(
                    at,
                    Objects.requireNonNullElse(s.getHolderIdentity(), ""),
                    String.valueOf(s.getRenewTime()),
                    s.getLeaseDurationSeconds(),
                    s.getLeaseTransitions());
        } catch (KubernetesClientException e) {
            return null; // the next poll tries again; the API server is busy, not the subject here
        }
    }

    private static boolean sameState(Entry a, Entry b) {
        return a.holder().equals(b.holder())
                && a.renewTime().equals(b.renewTime())
                && Objects.equals(a.durationSeconds(), b.durationSeconds())
                && Objects.equals(a.transitions(), b.transitions());
    }

    /** @return the first time since the start at which the Lease named {@code holder}, if it did */
    Optional<Duration> firstHeldBy(String holder) {
        return entries.stream()
                .filter(e -> e.holder().equals(holder))
                .map(Entry::at)
                .findFirst();
    }

    /** @return one line per recorded state */
    List<String> lines() {
        return entries.stream().map(Entry::describe).toList();
    }

    /** Stops recording (waits up to 15 s for a read under way). Idempotent. */
    @Override
    public void close() throws InterruptedException {
        poller.shutdown();
        poller.awaitTermination(15, TimeUnit.SECONDS);
    }
}
