package dev.hangar.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election among the server's replicas through a {@code coordination.k8s.io/v1} Lease, with
 * fabric8's {@code LeaderElector} and {@code LeaseLock} (the client-go algorithm: the leader renews
 * every {@code retry-period}, gives up leading when it could not renew within {@code
 * renew-deadline}, and a follower takes the Lease once it has not been renewed for {@code
 * lease-duration}).
 *
 * <p>On gaining leadership it calls {@code onLead} with the term (the Lease's {@code
 * leaseTransitions}, which grows whenever the holder changes: the epoch of the reconcile claims);
 * on losing it (or on {@link #close()}) it calls {@code onFollow}. Changes of leader are logged with
 * this replica's identity and the Lease (namespace/name), never with credentials. The elector keeps
 * trying after API errors (logged by fabric8).
 *
 * <p>Never a silent non-candidate: fabric8's elector ends its acquire loop on any exception that is
 * not a {@code KubernetesClientException} (a Lease without {@code acquireTime} or {@code renewTime},
 * a callback that throws) and logs "Exception during leader election", but the future {@code start()}
 * returned then never completes, so nothing would make this replica a candidate again. Every acquire
 * or renew attempt reads the Lease through this class's lock, which notes the time; a watchdog that
 * sees no attempt begin for a whole {@code lease-duration} (attempts come every {@code retry-period},
 * at most 2.2 times that apart) and no call to the API server under way starts a new elector (the
 * ended one is cancelled first, which does nothing more to an elector that ended).
 *
 * <p>Thread-safe.
 */
final class KubernetesLeaderElection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesLeaderElection.class);

    private final KubernetesClient client;
    private final AttemptedLock lock;
    private final String identity;
    private final String description;
    private final io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig config;
    private final Object guard = new Object();
    private CompletableFuture<?> running; // guarded by guard; null between a stalled elector and its successor
    private boolean closed; // guarded by guard
    private final ScheduledExecutorService watchdog;
    private volatile boolean leading;
    private volatile String leader = "";

    private KubernetesLeaderElection(
            KubernetesClient client,
            LeaderElectionSettings settings,
            String namespace,
            String identity,
            LongConsumer onLead,
            Runnable onFollow) {
        this.client = client;
        this.identity = identity;
        this.description = "lease " + namespace + "/" + settings.lease();
        this.lock = new AttemptedLock(new LeaseLock(namespace, settings.lease(), identity));
        LeaderCallbacks callbacks = new LeaderCallbacks(
                () -> {
                    long term = term();
                    leading = true;
                    LOG.info(
                            "{} now leads ({}, term {}): starting the reconciler and background jobs",
                            identity,
                            description,
                            term);
                    onLead.accept(term);
                },
                () -> {
                    leading = false;
                    LOG.info("{} stopped leading ({}): reconciler and background jobs stopped", identity, description);
                    onFollow.run();
                },
                newLeader -> {
                    leader = newLeader == null ? "" : newLeader;
                    LOG.info(
                            "leader of {} is now {}{}",
                            description,
                            leader,
                            leader.equals(identity) ? " (this replica)" : "");
                });
        this.config = new LeaderElectionConfigBuilder()
                .withName(settings.lease())
                .withLock(lock)
                .withLeaseDuration(settings.leaseDuration())
                .withRenewDeadline(settings.renewDeadline())
                .withRetryPeriod(settings.retryPeriod())
                .withLeaderCallbacks(callbacks)
                .withReleaseOnCancel(true)
                .build();
        this.watchdog = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("lease-watchdog").factory());
        elect();
        long period = settings.retryPeriod().toMillis();
        watchdog.scheduleWithFixedDelay(this::restartIfStalled, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs one elector; fabric8's elector ends once its replica lost the Lease (client-go's does
     * too), so a replica that lost it (e.g. the API server was unreachable past the renew deadline)
     * joins the election again as a candidate, until {@link #close()}.
     */
    private void elect() {
        synchronized (guard) {
            if (closed) return;
            lock.attempted(); // the new elector gets a whole stall limit before the watchdog judges it
            CompletableFuture<?> elector =
                    client.leaderElector().withConfig(config).build().start();
            running = elector;
            elector.whenComplete((r, e) -> {
                synchronized (guard) {
                    if (closed || running != elector) return; // closed, or replaced by the watchdog
                }
                LOG.info("{} is a candidate for {} again", identity, description);
                CompletableFuture.runAsync(
                        () -> electAfter(elector),
                        CompletableFuture.delayedExecutor(
                                config.getRetryPeriod().toMillis(), TimeUnit.MILLISECONDS));
            });
        }
    }

    private void electAfter(CompletableFuture<?> ended) {
        synchronized (guard) {
            if (running != ended) return;
        }
        elect();
    }

    /**
     * The watchdog's check: an elector that made no attempt for a whole lease duration has ended
     * without saying so (see the class comment); replace it.
     */
    private void restartIfStalled() {
        CompletableFuture<?> stalled;
        long quietMs = lock.millisQuiet();
        synchronized (guard) {
            if (closed
                    || running == null
                    || quietMs <= config.getLeaseDuration().toMillis()) return;
            stalled = running;
            running = null;
        }
        LOG.warn(
                "{}: no acquire or renew attempt for {} ms (the elector ended without a result; see the error"
                        + " before this line): {} is a candidate again with a new elector",
                description,
                quietMs,
                identity);
        stalled.cancel(true); // releases the Lease and calls onFollow if this replica still led
        elect();
    }

    /**
     * fabric8's {@link LeaseLock}, noting when the elector last began reading the Lease (every attempt
     * does) and whether a call to the API server is under way (a slow API server is not a dead elector).
     */
    private static final class AttemptedLock implements Lock {
        private final LeaseLock lease;
        private final AtomicLong lastAttemptNanos = new AtomicLong(System.nanoTime());
        private final AtomicInteger inFlight = new AtomicInteger();

        AttemptedLock(LeaseLock lease) {
            this.lease = lease;
        }

        void attempted() {
            lastAttemptNanos.set(System.nanoTime());
        }

        /** @return ms since the last attempt began; 0 while a call is under way */
        long millisQuiet() {
            if (inFlight.get() > 0) return 0;
            return Duration.ofNanos(System.nanoTime() - lastAttemptNanos.get()).toMillis();
        }

        @Override
        public LeaderElectionRecord get(KubernetesClient client) {
            attempted();
            inFlight.incrementAndGet();
            try {
                return lease.get(client);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public void create(KubernetesClient client, LeaderElectionRecord record) {
            inFlight.incrementAndGet();
            try {
                lease.create(client, record);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public void update(KubernetesClient client, LeaderElectionRecord record) {
            inFlight.incrementAndGet();
            try {
                lease.update(client, record);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public String identity() {
            return lease.identity();
        }

        @Override
        public String describe() {
            return lease.describe();
        }
    }

    /**
     * Starts electing (returns at once; {@code onLead} comes on another thread when this replica
     * wins).
     *
     * @param namespace the Lease's namespace, resolved
     * @param identity this replica's name in the Lease, unique among the replicas
     * @param onLead called with the term when this replica starts leading
     * @param onFollow called when it stops leading (Lease lost, or {@link #close()})
     */
    static KubernetesLeaderElection start(
            KubernetesClient client,
            LeaderElectionSettings settings,
            String namespace,
            String identity,
            LongConsumer onLead,
            Runnable onFollow) {
        return new KubernetesLeaderElection(
                Objects.requireNonNull(client, "client"),
                settings,
                namespace,
                identity,
                Objects.requireNonNull(onLead, "onLead"),
                Objects.requireNonNull(onFollow, "onFollow"));
    }

    private long term() {
        try {
            LeaderElectionRecord record = lock.lease.get(client);
            return record == null ? 0 : Math.max(0, record.getLeaderTransitions());
        } catch (KubernetesClientException e) {
            LOG.warn("could not read the term of {}: {}", description, e.getMessage());
            return 0;
        }
    }

    /** @return true while this replica holds the Lease */
    boolean leading() {
        return leading;
    }

    /** @return the identity the Lease names as leader, if one was seen */
    Optional<String> leader() {
        return leader.isEmpty() ? Optional.empty() : Optional.of(leader);
    }

    /** @return this replica's identity */
    String identity() {
        return identity;
    }

    /** @return {@code lease NAMESPACE/NAME} */
    String describe() {
        return description;
    }

    /**
     * Stops electing; a leader releases the Lease (so another replica takes over after one retry
     * period, not a whole lease duration) and stops its jobs. Waits up to 5 s for that. Idempotent.
     */
    @Override
    public void close() {
        CompletableFuture<?> last;
        synchronized (guard) {
            closed = true;
            last = running;
        }
        watchdog.shutdownNow();
        if (last == null) return;
        last.cancel(true);
        try {
            // cancel returns at once; the elector releases the Lease and calls onStopLeading after it
            last.handle((r, e) -> null).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("{}: the elector did not stop within 5 s", description);
        }
    }
}
