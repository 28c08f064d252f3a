package dev.hangar.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas' {@link KubernetesLeaderElection} against fabric8's mock API server in CRUD mode (it
 * stores the Lease and enforces resourceVersion on update): exactly one leads, and when it stops the
 * other takes over. Short timings, Awaitility, no sleeps.
 */
class KubernetesLeaderElectionTest {
    private static final LeaderElectionSettings FAST = new LeaderElectionSettings(
            LeaderElectionSettings.Mode.KUBERNETES,
            "hangar-test",
            "hangar",
            "",
            Duration.ofSeconds(4),
            Duration.ofSeconds(3),
            Duration.ofMillis(300));

    private KubernetesMockServer server;
    private KubernetesClient admin;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void startMockServer() {
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        admin = server.createClient();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) c.close();
        admin.close();
        server.destroy();
    }

    private record Replica(
            String identity, KubernetesClient client, KubernetesLeaderElection election, List<String> events) {}

    private Replica replica(LeaderElectionSettings settings, String identity) {
        KubernetesClient client = server.createClient();
        open.add(client);
        List<String> events = new CopyOnWriteArrayList<>();
        KubernetesLeaderElection e = KubernetesLeaderElection.start(
                client, settings, "hangar", identity, term -> events.add("lead " + term), () -> events.add("follow"));
        open.add(e);
        return new Replica(identity, client, e, events);
    }

    /** @return the election settings of {@link #FAST} for the Lease named {@code lease} */
    private static LeaderElectionSettings settings(String lease) {
        return new LeaderElectionSettings(
                FAST.mode(),
                lease,
                FAST.namespace(),
                "",
                FAST.leaseDuration(),
                FAST.renewDeadline(),
                FAST.retryPeriod());
    }

    /** @return replicas "a-UNIQUE" and "b-UNIQUE" of one election, once one of them leads */
    private List<Replica> twoReplicas(LeaderElectionSettings settings, String unique) {
        Replica a = replica(settings, "a-" + unique);
        // The mock's CRUD store does not make two concurrent creates of one Lease conflict (the API
        // server does), so the second replica starts once the Lease exists.
        await().atMost(Duration.ofSeconds(10)).until(() -> a.election().leading());
        Replica b = replica(settings, "b-" + unique);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> a.election().leading() || b.election().leading());
        return List.of(a, b);
    }

    @Test
    void exactlyOneOfTwoLeadsAndTheOtherTakesOverWhenTheLeaderStops() throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        LeaderElectionSettings settings = settings("lease-" + unique);
        List<Replica> two = twoReplicas(settings, unique);
        Replica a = two.get(0);
        Replica b = two.get(1);
        Replica leader = a.election().leading() ? a : b;
        Replica follower = leader == a ? b : a;
        // hold for a few renewals: never two leaders, and the first one keeps leading
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(3))
                .until(() -> !(a.election().leading() && b.election().leading())
                        && leader.election().leading());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> follower.election().leader().equals(java.util.Optional.of(leader.identity())));
        Lease lease =
                admin.leases().inNamespace("hangar").withName(settings.lease()).get();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(leader.identity());
        assertThat(leader.events()).hasSize(1).first().asString().startsWith("lead ");

        long stopped = System.nanoTime();
        leader.election().close();
        assertThat(leader.election().leading()).isFalse();
        assertThat(leader.events()).last().isEqualTo("follow");
        await().atMost(settings.leaseDuration().plus(settings.retryPeriod().multipliedBy(3)))
                .until(() -> follower.election().leading());
        long failoverMs = (System.nanoTime() - stopped) / 1_000_000;
        System.out.println("leader election failover (leader closed -> other leads): " + failoverMs + " ms");
        assertThat(follower.events()).containsExactly("lead " + termOf(settings));
        assertThat(termOf(settings)).as("a new holder is a new term").isGreaterThan(0);
    }

    private long termOf(LeaderElectionSettings settings) {
        return admin.leases()
                .inNamespace("hangar")
                .withName(settings.lease())
                .get()
                .getSpec()
                .getLeaseTransitions();
    }

    @Test
    void aReplicaThatLostTheLeaseStopsAndLeadsAgainOnceTheLeaseIsFree() {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        LeaderElectionSettings settings = settings("lost-" + unique);
        Replica a = replica(settings, "a-" + unique);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.election().leading());

        // Someone else takes the Lease (as a partition would make it look): the replica cannot renew,
        // stops leading within the renew deadline, and competes again.
        // (the replica renews meanwhile: retry on a resourceVersion conflict)
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptionsInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class)
                .until(() -> admin.leases()
                                .inNamespace("hangar")
                                .withName(settings.lease())
                                .edit(l -> {
                                    l.getSpec().setHolderIdentity("intruder-" + unique);
                                    l.getSpec().setRenewTime(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
                                    l.getSpec().setLeaseDurationSeconds(2);
                                    return l;
                                })
                        != null);
        await().atMost(settings.renewDeadline().plusSeconds(3))
                .until(() -> !a.election().leading());
        assertThat(a.events()).last().isEqualTo("follow");

        // The intruder never renews: once its Lease expired, the replica leads again, in a newer term.
        await().atMost(Duration.ofSeconds(15)).until(() -> a.election().leading());
        assertThat(a.events()).hasSize(3);
        assertThat(a.events().get(2)).isEqualTo("lead " + termOf(settings));
        assertThat(termOf(settings))
                .isGreaterThan(Long.parseLong(a.events().get(0).substring("lead ".length())));
    }

    @Test
    void aLeaderCutOffFromTheApiIsReplacedWithinTheLeaseDuration() {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        LeaderElectionSettings settings = settings("crash-" + unique);
        List<Replica> two = twoReplicas(settings, unique);
        Replica leader = two.get(0).election().leading() ? two.get(0) : two.get(1);
        Replica follower = leader == two.get(0) ? two.get(1) : two.get(0);

        // As a crash looks to the others: the leader's client is gone (closing it also stops the
        // elector's own timers, so, like a dead process, it neither renews nor releases the Lease);
        // the follower takes over once the Lease expired.
        long cut = System.nanoTime();
        leader.client().close();
        await().atMost(settings.leaseDuration().plus(settings.retryPeriod()).plusSeconds(3))
                .until(() -> follower.election().leading());
        long failoverMs = (System.nanoTime() - cut) / 1_000_000;
        System.out.println("leader election failover (leader cut off, Lease not released -> other leads): " + failoverMs
                + " ms, lease duration " + settings.leaseDuration().toMillis() + " ms");
        assertThat(failoverMs).isGreaterThanOrEqualTo(settings.leaseDuration().toMillis() / 2);
        assertThat(admin.leases()
                        .inNamespace("hangar")
                        .withName(settings.lease())
                        .get()
                        .getSpec()
                        .getHolderIdentity())
                .isEqualTo(follower.identity());
    }

    @Test
    void aCandidateWhoseElectorEndedOnAnUnreadableLeaseBecomesACandidateAgain() {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        LeaderElectionSettings settings = settings("unreadable-" + unique);
        // A Lease without acquireTime (valid for the API server, e.g. written by hand or by another
        // tool): fabric8's LeaseLock cannot turn it into a record (NullPointerException, not a
        // KubernetesClientException), so its elector's acquire loop ends at the first attempt and the
        // future it returned never completes.
        admin.leases()
                .inNamespace("hangar")
                .resource(new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder()
                        .withNewMetadata()
                        .withName(settings.lease())
                        .endMetadata()
                        .withNewSpec()
                        .withHolderIdentity("gone-" + unique)
                        .withLeaseDurationSeconds(1)
                        .withRenewTime(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC)
                                .minusMinutes(5))
                        .endSpec()
                        .build())
                .create();
        Replica a = replica(settings, "a-" + unique);
        await().during(Duration.ofMillis(1500))
                .atMost(Duration.ofSeconds(3))
                .until(() -> !a.election().leading());

        // The admin repairs it (deletes the Lease): the replica must still be a candidate and take it.
        admin.leases().inNamespace("hangar").withName(settings.lease()).delete();
        await().atMost(settings.leaseDuration().multipliedBy(2).plusSeconds(3))
                .until(() -> a.election().leading());
        assertThat(a.events()).containsExactly("lead 0");
        assertThat(admin.leases()
                        .inNamespace("hangar")
                        .withName(settings.lease())
                        .get()
                        .getSpec()
                        .getHolderIdentity())
                .isEqualTo(a.identity());
    }
}
