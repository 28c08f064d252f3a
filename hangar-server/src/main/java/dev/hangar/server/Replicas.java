package dev.hangar.server;

import dev.hangar.core.reconcile.ReconcileFence;
import dev.hangar.core.reconcile.WorkspaceReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Decides which replica of the control plane runs the singleton jobs ({@link LeaderJobs}): without
 * leader election this one, at start; with {@code leader-election.mode: kubernetes} the holder of
 * the Lease ({@link KubernetesLeaderElection}). Also the SQLite refusal for replicas and what
 * {@code /readyz} shows ({@link #leadership()}). Thread-safe after {@link #start}.
 */
final class Replicas {
    /** Why a server with leader election refuses a SQLite store. */
    static final String SQLITE_REFUSED = "leader-election.mode is kubernetes but database.url is SQLite:"
            + " SQLite cannot be shared by replicas; use PostgreSQL (database.url) or leader-election: none";

    /** Where a Pod's service account namespace is mounted. */
    static final Path POD_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    private final LeaderElectionSettings settings;
    private final String identity;
    private final AtomicLong term = new AtomicLong();
    private volatile LeaderJobs jobs;
    private volatile KubernetesLeaderElection election;
    private volatile String lease = "";

    private Replicas(LeaderElectionSettings settings, String identity) {
        this.settings = settings;
        this.identity = identity;
    }

    /**
     * Checks the settings against the store and picks this replica's identity: {@code
     * leader-election.identity}, else (with election) {@code $HOSTNAME}, else (without) the host name.
     *
     * @throws ConfigException for election with SQLite ({@link #SQLITE_REFUSED}), or election without
     *     an identity
     */
    static Replicas create(LeaderElectionSettings settings, String databaseUrl, Map<String, String> env) {
        if (settings.elected() && isSqlite(databaseUrl)) throw new ConfigException(SQLITE_REFUSED);
        String identity = settings.elected()
                ? settings.identityOr(env)
                : settings.identity().isEmpty() ? ReconcileFence.hostName() : settings.identity();
        return new Replicas(settings, identity);
    }

    /**
     * @return the fence of this replica's reconcile passes: its identity, the current leadership term
     *     as epoch (0 without election); whether it leads is the reconciler's pause state
     */
    ReconcileFence fence() {
        return new ReconcileFence(identity, term::get, () -> true, ReconcileFence.DEFAULT_CLAIM_TTL);
    }

    /** @return true for a {@code jdbc:sqlite:} URL */
    static boolean isSqlite(String databaseUrl) {
        return databaseUrl.strip().toLowerCase(Locale.ROOT).startsWith("jdbc:sqlite:");
    }

    /**
     * Starts {@code reconciler} (paused first when elected) and either leads at once (no election)
     * or starts the election, which resumes the reconciler and starts {@code timers} while this
     * replica leads ({@link LeaderJobs}); what must be closed at shutdown (the jobs, the client, the
     * election) goes onto {@code closeables}, so the election is closed first.
     *
     * @param timers each starts one periodic leader-only job and returns what stops it
     * @param feed where and how often the leader looks for changes made through other replicas
     * @throws ConfigException when the Lease's namespace is neither configured nor found in the Pod
     */
    void start(
            WorkspaceReconciler reconciler,
            List<Supplier<AutoCloseable>> timers,
            ReplicaFeedSource feed,
            Supplier<KubernetesClient> clients,
            Deque<AutoCloseable> closeables) {
        List<Supplier<AutoCloseable>> all = new java.util.ArrayList<>(timers);
        // Followers write changes only to the store: the leader looks for them every poll interval.
        if (settings.elected())
            all.add(() -> ReplicaChangeFeed.start(feed.store(), reconciler::enqueue, feed.interval()));
        LeaderJobs jobs = new LeaderJobs(reconciler, term, all);
        closeables.push(jobs);
        this.jobs = jobs;
        if (settings.elected()) reconciler.pause(Duration.ZERO);
        reconciler.start();
        if (!settings.elected()) {
            jobs.lead(0);
            return;
        }
        String namespace = namespace(settings, POD_NAMESPACE);
        KubernetesClient client = clients.get();
        closeables.push(client);
        lease = namespace + "/" + settings.lease();
        election = KubernetesLeaderElection.start(client, settings, namespace, identity, jobs::lead, jobs::follow);
        closeables.push(election);
    }

    /**
     * @return {@code leader-election.namespace}, else the content of {@code podNamespaceFile}
     * @throws ConfigException when neither is there
     */
    static String namespace(LeaderElectionSettings settings, Path podNamespaceFile) {
        if (!settings.namespace().isEmpty()) return settings.namespace();
        try {
            if (Files.isReadable(podNamespaceFile)) {
                String ns = Files.readString(podNamespaceFile).strip();
                if (!ns.isEmpty()) return ns;
            }
        } catch (IOException e) {
            // fall through to the error below
        }
        throw new ConfigException("leader-election.namespace is not set and " + podNamespaceFile
                + " is not readable (not in a Pod): set leader-election.namespace");
    }

    /**
     * @param store the shared store
     * @param interval how often the leader looks for changes made through followers ({@code
     *     reconciler.poll-interval})
     */
    record ReplicaFeedSource(dev.hangar.core.store.Store store, Duration interval) {}

    /** @return whether this replica leads, for {@code /readyz} */
    Leadership leadership() {
        LeaderJobs j = jobs;
        KubernetesLeaderElection e = election;
        return new Leadership(
                settings.mode().wireName(),
                j != null && j.leading(),
                identity,
                e == null ? "" : e.leader().orElse(""),
                lease);
    }

    /** @return a phrase for the start-up log line, e.g. {@code leader election by lease hangar/hangar-server as pod-0} */
    String describe() {
        return settings.elected()
                ? "leader election by lease " + lease + " as " + identity
                : "no leader election: this replica reconciles (" + identity + ")";
    }
}
