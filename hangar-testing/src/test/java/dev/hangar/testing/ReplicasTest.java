package dev.hangar.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.reconcile.WorkspaceReconciler;
import dev.hangar.core.service.CreateWorkspace;
import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceProviderFactory;
import dev.hangar.server.HangarServer;
import dev.hangar.server.LeaderElectionSettings;
import dev.hangar.server.ServerConfig;
import dev.hangar.store.EmbeddedPostgresExtension;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server replicas against one real PostgreSQL (issue #17, item 3): with {@code
 * leader-election.mode: kubernetes} (on fabric8's mock API server in CRUD mode) exactly one runs the
 * reconciler, both serve the API, and when the leader stops the other takes over and finishes the
 * work; with the store's reconcile claims two replicas never apply one workspace at once. Both
 * replicas share one {@link FakeProvider} (the "cluster" they both manage).
 */
class ReplicasTest {
    @RegisterExtension
    static final EmbeddedPostgresExtension POSTGRES = new EmbeddedPostgresExtension("hangar_replicas");

    private KubernetesMockServer kube;
    private FakeProvider shared;
    private final List<AutoCloseable> open = new ArrayList<>();

    @TempDir
    Path tmp;

    @BeforeEach
    void startMockCluster() throws Exception {
        kube = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        kube.init(InetAddress.getLoopbackAddress(), 0);
        shared = new FakeProvider(Files.createDirectories(tmp.resolve("fake")));
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : open.reversed()) c.close();
        kube.destroy();
    }

    private static String newDatabase() throws Exception {
        return POSTGRES.newDatabase();
    }

    /** The one provider both replicas use, as both would reach one cluster. */
    private WorkspaceProviderFactory sharedFake() {
        return new WorkspaceProviderFactory() {
            @Override
            public String type() {
                return FakeProvider.TYPE;
            }

            @Override
            public WorkspaceProvider create(ProviderContext context) {
                return shared;
            }
        };
    }

    /**
     * @param resync the reconciler's full resync interval: long where the test shows that a change
     *     made through a follower reaches the leader without it
     */
    private HangarServer replica(String identity, String databaseUrl, LeaderElectionSettings election, Duration resync)
            throws Exception {
        Path home = Files.createDirectories(tmp.resolve(identity));
        Path templates = Files.createDirectories(home.resolve("templates"));
        try (InputStream in = TestControlPlane.class.getResourceAsStream("fake-template.yaml")) {
            Files.write(
                    templates.resolve("fake.yaml"), Objects.requireNonNull(in).readAllBytes());
        }
        ServerConfig config = ServerConfig.defaults(home, Map.of("USER", "alice"))
                .withListen("127.0.0.1", 0)
                .withTemplates(templates, false)
                .withDatabase(databaseUrl, "postgres", "")
                // each replica its own home and so its own secrets.key file at first: the keys Secret
                // (SharedKeys, on the mock API server) must give both the same key before the store
                // opens, as it seals the host keys in the one database (a replica that opened the
                // store with its own new key could not read the other's workspaces)
                .withReconciler(
                        new WorkspaceReconciler.Settings(4, Duration.ofMillis(100), resync, Duration.ofMillis(100)))
                .withLeaderElection(new LeaderElectionSettings(
                        election.mode(),
                        election.lease(),
                        election.namespace(),
                        identity,
                        election.leaseDuration(),
                        election.renewDeadline(),
                        election.retryPeriod()));
        HangarServer server = HangarServer.builder(config)
                .discoverProviders(false)
                .addProviderFactory(sharedFake())
                .kubernetesClient(() -> kube.createClient())
                .environment(Map.of())
                .start();
        open.add(server);
        return server;
    }

    private static LeaderElectionSettings kubernetes(String lease) {
        return new LeaderElectionSettings(
                LeaderElectionSettings.Mode.KUBERNETES,
                lease,
                "hangar",
                "",
                Duration.ofSeconds(4),
                Duration.ofSeconds(3),
                Duration.ofMillis(300));
    }

    private static Workspace stored(HangarServer server, String id) {
        return server.store().workspaces().find(id).orElseThrow();
    }

    @Test
    void oneOfTwoReplicasReconcilesBothServeTheApiAndTheOtherTakesOverWhenTheLeaderStops() throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String db = newDatabase();
        LeaderElectionSettings election = kubernetes("hangar-" + unique);
        // A resync far beyond the test's waits: what a follower's API stores reaches the leader through
        // the leader's change feed (every poll interval), not through a resync.
        HangarServer a = replica("replica-a-" + unique, db, election, Duration.ofMinutes(10));
        // fabric8's mock does not make two concurrent creates of one Lease conflict (the API server
        // does), so the second replica starts once the Lease exists.
        await().atMost(Duration.ofSeconds(10)).until(a::leading);
        HangarServer b = replica("replica-b-" + unique, db, election, Duration.ofMinutes(10));

        await().atMost(Duration.ofSeconds(10)).until(() -> a.leading() || b.leading());
        HangarServer leader = a.leading() ? a : b;
        HangarServer follower = leader == a ? b : a;
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(3))
                .until(() -> leader.leading() && !follower.leading());
        assertThat(follower.reconciler().paused()).isTrue();
        assertThat(leader.reconciler().paused()).isFalse();
        try (KubernetesClient admin = kube.createClient()) {
            assertThat(admin.leases()
                            .inNamespace("hangar")
                            .withName(election.lease())
                            .get()
                            .getSpec()
                            .getHolderIdentity())
                    .isEqualTo(leader.identity());
        }

        // The follower serves the API: the create is stored, and the leader's reconciler runs it.
        User alice = follower.users().find("alice").orElseThrow();
        Workspace w = follower.workspaces().create(alice, CreateWorkspace.of("rep-" + unique, "fake"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> stored(follower, w.id()).phase() == Phase.Running);
        assertThat(shared.calls("apply", w.name())).isNotEmpty();

        // The leader goes away; the follower takes over within the lease duration and finishes a stop.
        long closed = System.nanoTime();
        leader.close();
        await().atMost(election.leaseDuration().plus(Duration.ofSeconds(2))).until(follower::leading);
        long failoverMs = (System.nanoTime() - closed) / 1_000_000;
        int appliesBefore = shared.calls("apply", w.name()).size();
        follower.workspaces().stop(alice, "alice", w.name());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> stored(follower, w.id()).phase() == Phase.Stopped);
        long stopMs = (System.nanoTime() - closed) / 1_000_000;
        System.out.println("replicas: leader closed -> other leads " + failoverMs + " ms; -> stop completed by the"
                + " new leader " + stopMs + " ms");
        assertThat(shared.calls("apply", w.name())
                        .subList(appliesBefore, shared.calls("apply", w.name()).size()))
                .isNotEmpty()
                .allSatisfy(c -> assertThat(c.desired()).isEqualTo("STOPPED"));
        assertThat(failoverMs)
                .isLessThan(election.leaseDuration().plus(Duration.ofSeconds(2)).toMillis());
    }

    @Test
    void twoReplicasThatBothReconcileNeverApplyOneWorkspaceAtOnce() throws Exception {
        // Without leader election, both replicas run their reconcilers (a misconfiguration the claims
        // still make safe): the store's reconcile claim lets only one pass act on a workspace at a time.
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String db = newDatabase();
        HangarServer a = replica("claim-a-" + unique, db, LeaderElectionSettings.DEFAULTS, Duration.ofMillis(500));
        HangarServer b = replica("claim-b-" + unique, db, LeaderElectionSettings.DEFAULTS, Duration.ofMillis(500));
        assertThat(a.leading()).isTrue();
        assertThat(b.leading()).isTrue();

        CountDownLatch gate = new CountDownLatch(1);
        shared.holdApplies(gate);
        User alice = a.users().find("alice").orElseThrow();
        Workspace w = a.workspaces().create(alice, CreateWorkspace.of("fence-" + unique, "fake"));
        await().atMost(Duration.ofSeconds(10)).until(() -> shared.appliesInFlight() == 1);

        // The replica holding the claim is inside apply; the other's passes (its own resyncs, and a
        // direct one here) find the claim taken and make no provider call that changes anything: were
        // it to call apply, it would block on the gate and not return.
        String holder = claimHolder(db, w.id()).orElseThrow();
        assertThat(holder).isIn(a.identity(), b.identity());
        HangarServer other = holder.equals(a.identity()) ? b : a;
        Optional<Duration> next = CompletableFuture.supplyAsync(
                        () -> other.reconciler().reconcileOnce(w.id()))
                .get(10, TimeUnit.SECONDS);
        assertThat(next)
                .as("a pass that found the claim taken comes back later")
                .isPresent();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> shared.appliesInFlight() == 1);

        assertThat(claimHolder(db, w.id())).contains(holder);

        gate.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(a, w.id()).phase() == Phase.Running);
        assertThat(shared.appliesInFlight()).isZero();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> claimHolder(db, w.id()).isEmpty());
    }

    /** @return who holds the reconcile claim on the workspace, read from the table (V15) */
    private static Optional<String> claimHolder(String url, String workspaceId) throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(url, "postgres", "");
                java.sql.PreparedStatement q =
                        c.prepareStatement("SELECT holder FROM reconcile_claims WHERE workspace_id = ?")) {
            q.setString(1, workspaceId);
            try (java.sql.ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }
}
