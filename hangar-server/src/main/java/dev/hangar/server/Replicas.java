package dev.hangar.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Deque;
import java.util.Locale;
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
    private volatile LeaderJobs jobs;
    private volatile KubernetesLeaderElection election;
    private volatile String lease = "";

    Replicas(LeaderElectionSettings settings, String identity) {
        this.settings = settings;
        this.identity = identity;
    }

    /** @return true for a {@code jdbc:sqlite:} URL */
    static boolean isSqlite(String databaseUrl) {
        return databaseUrl.strip().toLowerCase(Locale.ROOT).startsWith("jdbc:sqlite:");
    }

    /**
     * Starts leading at once (no election), or starts the election; what must be closed at shutdown
     * (the election, the client) goes onto {@code closeables}.
     *
     * @throws ConfigException when the Lease's namespace is neither configured nor found in the Pod
     */
    void start(LeaderJobs jobs, Supplier<KubernetesClient> clients, Deque<AutoCloseable> closeables) {
        this.jobs = jobs;
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
