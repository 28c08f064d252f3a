package dev.hangar.server;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How replicas of the control plane choose the one that reconciles ({@code leader-election.*},
 * docs/server-config.md and docs/adr/0013-leader-election-and-reconcile-claims.md).
 *
 * @param mode {@link Mode#NONE} (the default: this process always reconciles) or {@link
 *     Mode#KUBERNETES} (a {@code coordination.k8s.io/v1} Lease chooses one leader among the
 *     replicas)
 * @param lease the Lease's name ({@code leader-election.lease}, default {@code hangar-server}), a
 *     DNS-1123 subdomain
 * @param namespace the Lease's namespace ({@code leader-election.namespace}); empty for the Pod's
 *     own namespace, read from the service account's namespace file at start
 * @param identity this replica's name in the Lease ({@code leader-election.identity}); empty for
 *     {@code $HOSTNAME} (the Pod name)
 * @param leaseDuration how long a Lease is valid without renewal; a follower takes over at most this
 *     long after the leader stopped renewing (default 15 s)
 * @param renewDeadline how long the leader keeps trying to renew before it gives up leading (default
 *     10 s); below {@code leaseDuration}
 * @param retryPeriod how often every replica tries to acquire or renew (default 2 s); below {@code
 *     renewDeadline}
 */
public record LeaderElectionSettings(
        Mode mode,
        String lease,
        String namespace,
        String identity,
        Duration leaseDuration,
        Duration renewDeadline,
        Duration retryPeriod) {

    /** Leader election modes ({@code leader-election.mode}). */
    public enum Mode {
        /** No election: this process reconciles; run one replica only. */
        NONE,
        /** A Kubernetes Lease (fabric8's {@code LeaderElector} with a {@code LeaseLock}). */
        KUBERNETES;

        /** @return the config value, e.g. {@code kubernetes} */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    // before DEFAULTS: the constructor of DEFAULTS uses it
    private static final Pattern SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    /** Default Lease name. */
    public static final String DEFAULT_LEASE = "hangar-server";

    /** None, with client-go's default timings (15 s / 10 s / 2 s). */
    public static final LeaderElectionSettings DEFAULTS = new LeaderElectionSettings(
            Mode.NONE, DEFAULT_LEASE, "", "", Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));

    /**
     * @throws ConfigException naming the key of a malformed value or of a timing that breaks
     *     {@code leaseDuration > renewDeadline > retryPeriod}
     */
    public LeaderElectionSettings {
        Objects.requireNonNull(mode, "mode");
        lease = lease == null ? "" : lease.strip();
        namespace = namespace == null ? "" : namespace.strip();
        identity = identity == null ? "" : identity.strip();
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(renewDeadline, "renewDeadline");
        Objects.requireNonNull(retryPeriod, "retryPeriod");
        if (lease.length() > 253 || !SUBDOMAIN.matcher(lease).matches())
            throw new ConfigException("leader-election.lease must be a DNS-1123 subdomain (lower-case letters,"
                    + " digits, '-' and '.'), got '" + lease + "'");
        if (!namespace.isEmpty() && (namespace.length() > 63 || !namespace.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")))
            throw new ConfigException("leader-election.namespace must be a DNS-1123 label, got '" + namespace + "'");
        if (renewDeadline.compareTo(leaseDuration) >= 0)
            throw new ConfigException("leader-election.renew-deadline (" + renewDeadline.toMillis()
                    + " ms) must be shorter than leader-election.lease-duration (" + leaseDuration.toMillis()
                    + " ms)");
        if (retryPeriod.compareTo(renewDeadline) >= 0)
            throw new ConfigException("leader-election.retry-period (" + retryPeriod.toMillis()
                    + " ms) must be shorter than leader-election.renew-deadline (" + renewDeadline.toMillis()
                    + " ms)");
    }

    /**
     * @param value {@code none} or {@code kubernetes}, any case
     * @throws ConfigException naming {@code leader-election.mode}
     */
    public static Mode mode(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "none" -> Mode.NONE;
            case "kubernetes" -> Mode.KUBERNETES;
            default ->
                throw new ConfigException("leader-election.mode must be none or kubernetes, got '" + value + "'");
        };
    }

    /** @return true when a Lease chooses the leader */
    public boolean elected() {
        return mode == Mode.KUBERNETES;
    }

    /**
     * @param env the process environment ({@code HOSTNAME})
     * @return {@link #identity()}, else {@code $HOSTNAME}
     * @throws ConfigException when both are empty
     */
    public String identityOr(Map<String, String> env) {
        if (!identity.isEmpty()) return identity;
        String host = env.getOrDefault("HOSTNAME", "").strip();
        if (host.isEmpty())
            throw new ConfigException(
                    "leader-election.identity is empty and $HOSTNAME is not set: set one (the Pod name)");
        return host;
    }
}
