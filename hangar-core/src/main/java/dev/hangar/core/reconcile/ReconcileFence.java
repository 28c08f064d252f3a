package dev.hangar.core.reconcile;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * What keeps two control-plane replicas from reconciling one workspace at once
 * (docs/adr/0013-leader-election-and-reconcile-claims.md): each pass claims its workspace in the
 * store ({@link dev.hangar.core.store.ReconcileClaimStore}) as {@code holder} in leadership term
 * {@code epoch}, and makes provider calls that change something only while {@code active} says
 * this replica leads.
 *
 * @param holder this replica's identity (the Pod name under Kubernetes), not blank
 * @param epoch the current leadership term (the Lease's transition count; 0 without leader
 *     election); read at every claim, so a new term takes over claims of an older one at once
 * @param active true while this replica may reconcile (it leads, or runs without leader election)
 * @param claimTtl how long a claim lasts without renewal: a crashed replica's claim lapses after
 *     it (a pass renews its claim before each provider call that changes something); positive
 */
public record ReconcileFence(String holder, LongSupplier epoch, BooleanSupplier active, Duration claimTtl) {
    /** How long a claim lasts without renewal, by default. */
    public static final Duration DEFAULT_CLAIM_TTL = Duration.ofMinutes(2);

    /**
     * @throws IllegalArgumentException when {@code holder} is blank or {@code claimTtl} not positive
     */
    public ReconcileFence {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(epoch, "epoch");
        Objects.requireNonNull(active, "active");
        Objects.requireNonNull(claimTtl, "claimTtl");
        if (holder.isBlank()) throw new IllegalArgumentException("holder must not be blank");
        if (claimTtl.isNegative() || claimTtl.isZero()) throw new IllegalArgumentException("claimTtl must be positive");
    }

    /**
     * @return a fence for a replica without leader election: always active, epoch 0, {@code holder}
     *     as given
     */
    public static ReconcileFence always(String holder) {
        return new ReconcileFence(holder, () -> 0, () -> true, DEFAULT_CLAIM_TTL);
    }

    /**
     * @return {@link #always} with this host's name as holder (stable across restarts on one host, so
     *     a restarted server takes its own claims back at once)
     */
    public static ReconcileFence local() {
        return always(hostName());
    }

    /** @return {@code $HOSTNAME} (the Pod name under Kubernetes), else the local host name, else {@code localhost} */
    public static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) return env.strip();
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
