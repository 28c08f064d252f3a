package dev.hangar.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Lifecycle;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.store.InMemoryStore;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.SshEndpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The reconcile pass against an in-memory store and a scripted provider: no HTTP, no threads, no
 * real time (a clock the test moves).
 */
class ReconcilePassTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final SshEndpoint SSH = new SshEndpoint("127.0.0.1", 2201);
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final WorkspaceReconciler.Settings SETTINGS =
            new WorkspaceReconciler.Settings(4, POLL, Duration.ofSeconds(30), Duration.ofSeconds(1));
    private static final AtomicInteger NAMES = new AtomicInteger();

    private InMemoryStore store = new InMemoryStore();
    private final MutableClock clock = new MutableClock(T0);
    private ScriptedProvider provider = new ScriptedProvider();

    /** A new store and provider: the dynamic tests of one factory share this instance. */
    private void fresh() {
        store = new InMemoryStore();
        provider = new ScriptedProvider();
    }

    private ReconcilePass pass(WorkspaceReconciler.Settings settings) {
        return new ReconcilePass(
                store,
                TemplateCatalog.of(List.of()),
                ProviderRegistry.of(List.of(provider)),
                TestWorkspaces.HOST_CA,
                clock,
                settings,
                ReconcilerMetrics.NONE,
                dev.hangar.core.secret.SecretFiles.NONE,
                ReconcileFence.local());
    }

    private ReconcilePass pass() {
        return pass(SETTINGS);
    }

    /** Inserts a workspace of the scripted provider with a unique name. */
    private Workspace insert(DesiredState desired, Phase phase, boolean restartPending, int failures) {
        String name = "ws-" + NAMES.incrementAndGet();
        return store.workspaces()
                .insert(new Workspace(
                        "id-" + name,
                        TestWorkspaces.spec(name, desired),
                        new Workspace.Status(
                                phase,
                                "",
                                phase == Phase.Running ? SSH.host() : "",
                                phase == Phase.Running ? SSH.port() : 0,
                                restartPending,
                                failures),
                        T0,
                        T0,
                        1));
    }

    private Workspace insert(DesiredState desired, Phase phase) {
        return insert(desired, phase, false, 0);
    }

    private Workspace stored(Workspace w) {
        return store.workspaces().find(w.id()).orElseThrow();
    }

    private List<String> events(Workspace w, String type) {
        return store.events().list(w.id(), 1000).stream()
                .filter(e -> e.type().equals(type))
                .map(WorkspaceEvent::message)
                .toList();
    }

    private static final List<Observation> OBSERVATIONS = List.of(
            new Observation.Absent(),
            new Observation.Stopped("disk kept"),
            new Observation.Starting("booting"),
            new Observation.Running(SSH, "sshd answered"),
            new Observation.Stopping("shutting down"),
            new Observation.Failed("crashed"));

    /** The phase an observation is recorded as (spelled out here, independent of the pass). */
    private static Phase recordedAs(Observation o) {
        return switch (o.getClass().getSimpleName()) {
            case "Absent" -> Phase.Provisioning;
            case "Stopped" -> Phase.Stopped;
            case "Starting" -> Phase.Starting;
            case "Running" -> Phase.Running;
            case "Stopping" -> Phase.Stopping;
            default -> Phase.Failed;
        };
    }

    private static boolean atTarget(DesiredState desired, Phase phase) {
        return desired == DesiredState.RUNNING ? phase == Phase.Running : phase == Phase.Stopped;
    }

    /** One case of the table: desired, stored phase and what the provider sees. */
    private record Case(DesiredState desired, Phase phase, Observation seen) {
        /** The phase the pass records before observing (Pending becomes Provisioning). */
        Phase before() {
            return phase == Phase.Pending ? Phase.Provisioning : phase;
        }

        boolean allowed() {
            return Lifecycle.canTransition(before(), recordedAs(seen));
        }

        @Override
        public String toString() {
            return desired + " " + phase + " sees " + seen.getClass().getSimpleName();
        }
    }

    private static Stream<Case> cases() {
        List<Case> all = new ArrayList<>();
        for (DesiredState d : List.of(DesiredState.RUNNING, DesiredState.STOPPED))
            for (Phase p : Phase.values())
                if (p != Phase.Deleting && p != Phase.Failed)
                    for (Observation o : OBSERVATIONS) all.add(new Case(d, p, o));
        return all.stream();
    }

    @TestFactory
    Stream<DynamicTest> everyAllowedCombinationObservesThenAppliesOnlyWhenItDiffers() {
        return cases().filter(Case::allowed)
                .map(c -> dynamicTest(c.toString(), () -> {
                    fresh();
                    Workspace w = insert(c.desired(), c.phase());
                    provider.observing(c.seen()).applyingByDefault(c.seen());

                    Optional<Duration> next = pass().run(w.id());

                    Phase expected = recordedAs(c.seen());
                    boolean steady = atTarget(c.desired(), c.before()) && expected == c.before();
                    String power = c.desired() == DesiredState.RUNNING ? "RUNNING" : "STOPPED";
                    assertThat(provider.calls())
                            .as("observe first; apply only when the observation differs from the desired state")
                            .isEqualTo(steady ? List.of("observe") : List.of("observe", "apply:" + power));
                    Workspace after = stored(w);
                    assertThat(after.phase()).isEqualTo(expected);
                    assertThat(after.reason()).isEqualTo(c.seen().detail());
                    assertThat(after.sshPort()).isEqualTo(expected == Phase.Running ? SSH.port() : 0);
                    assertThat(after.failures()).isZero();
                    boolean done = atTarget(c.desired(), expected) || expected == Phase.Failed;
                    assertThat(next).isEqualTo(done ? Optional.empty() : Optional.of(POLL));
                    List<String> want = new ArrayList<>();
                    if (c.phase() != c.before()) want.add(c.phase() + " -> " + c.before());
                    if (expected != c.before()) want.add(c.before() + " -> " + expected);
                    assertThat(events(w, "phase").stream().map(e -> e.split(":")[0]))
                            .containsExactlyElementsOf(want);
                }));
    }

    @TestFactory
    Stream<DynamicTest> everyDisallowedObservationFailsTheWorkspace() {
        List<Case> disallowed = cases().filter(c -> !c.allowed()).toList();
        assertThat(disallowed)
                .as("the table forbids some moves (e.g. Starting -> Provisioning)")
                .isNotEmpty();
        return disallowed.stream()
                .map(c -> dynamicTest(c.toString(), () -> {
                    fresh();
                    Workspace w = insert(c.desired(), c.phase());
                    provider.observing(c.seen()).applyingByDefault(c.seen());

                    assertThat(pass().run(w.id())).isEmpty();

                    Workspace after = stored(w);
                    assertThat(after.phase()).isEqualTo(Phase.Failed);
                    assertThat(after.reason())
                            .startsWith("unexpected observation " + recordedAs(c.seen()) + " in phase " + c.before());
                }));
    }

    @TestFactory
    Stream<DynamicTest> aFailedWorkspaceIsLeftAloneUntilAUserActs() {
        return Stream.of(DesiredState.RUNNING, DesiredState.STOPPED)
                .map(d -> dynamicTest(d.toString(), () -> {
                    fresh();
                    Workspace w = insert(d, Phase.Failed);
                    assertThat(pass().run(w.id())).isEmpty();
                    assertThat(provider.calls()).isEmpty();
                    assertThat(stored(w)).isEqualTo(w);
                }));
    }

    @TestFactory
    Stream<DynamicTest> deleteFromEveryPhaseRemovesRowAndEventsOnceNothingIsLeft() {
        return Stream.of(Phase.values())
                .map(p -> dynamicTest(p.toString(), () -> {
                    fresh();
                    Workspace w = insert(DesiredState.DELETED, p);
                    provider.thenDelete(new Observation.Stopping("removing")).thenDelete(new Observation.Absent());

                    assertThat(pass().run(w.id())).contains(POLL);
                    assertThat(stored(w).phase()).isEqualTo(Phase.Deleting);
                    assertThat(pass().run(w.id())).isEmpty();

                    assertThat(store.workspaces().find(w.id())).isEmpty();
                    assertThat(store.events().list(w.id(), 10)).isEmpty();
                    assertThat(provider.calls()).containsExactly("delete", "delete");
                }));
    }

    @Test
    void aSteadyWorkspaceIsOnlyObserved() {
        Workspace w = insert(DesiredState.RUNNING, Phase.Running);
        provider.observing(new Observation.Running(SSH, "sshd answered"));
        for (int i = 0; i < 3; i++) assertThat(pass().run(w.id())).isEmpty();
        assertThat(provider.calls()).containsExactly("observe", "observe", "observe");
    }

    @Test
    void theSpecCarriesTheHostKeyCertifiedByTheHostCaForBothNames() {
        Workspace w = insert(DesiredState.RUNNING, Phase.Running);
        provider.observing(new Observation.Running(SSH, "sshd answered"));
        assertThat(pass().run(w.id())).isEmpty();
        String line = provider.lastSpec().orElseThrow().hostCertificate();
        var cert = dev.hangar.core.service.HostCertificateAuthority.parseCertificate(line);
        assertThat(TestWorkspaces.HOST_CA.signed(cert)).isTrue();
        assertThat(cert.getPrincipals()).containsExactly(w.name() + ".hangar", w.name() + ".alice.hangar");
        assertThat(org.apache.sshd.common.config.keys.PublicKeyEntry.toString(cert.getCertPubKey()))
                .isEqualTo(w.hostKey().publicKey());
    }

    @Test
    void aCrashWhileRunningIsSeenByObserveAndReportedThroughApply() {
        Workspace w = insert(DesiredState.RUNNING, Phase.Running);
        provider.observing(new Observation.Failed("QEMU exited unexpectedly"))
                .thenApply(new Observation.Failed("QEMU exited unexpectedly; run 'hangar start'"));

        assertThat(pass().run(w.id())).isEmpty();

        assertThat(provider.calls()).containsExactly("observe", "apply:RUNNING");
        assertThat(stored(w).phase()).isEqualTo(Phase.Failed);
        assertThat(stored(w).reason()).isEqualTo("QEMU exited unexpectedly; run 'hangar start'");
        assertThat(stored(w).sshPort()).isZero();
    }

    @Test
    void restartStopsOnceThenStartsAgain() {
        Workspace w = insert(DesiredState.RUNNING, Phase.Running, true, 0);
        provider.observing(new Observation.Running(SSH, "up"))
                .thenApply(new Observation.Stopped("stopped"))
                .thenApply(new Observation.Starting("booting"))
                .thenApply(new Observation.Running(SSH, "up"));

        assertThat(pass().run(w.id())).contains(Duration.ZERO);
        assertThat(stored(w).phase()).isEqualTo(Phase.Stopped);
        assertThat(pass().run(w.id())).contains(POLL);
        assertThat(stored(w).restartPending()).isFalse();
        assertThat(pass().run(w.id())).isEmpty();

        assertThat(provider.calls())
                .containsExactly("observe", "apply:STOPPED", "observe", "apply:RUNNING", "observe", "apply:RUNNING");
        assertThat(events(w, "phase"))
                .containsExactly(
                        "Running -> Stopped: stopped", "Stopped -> Starting: booting", "Starting -> Running: up");
    }

    @Test
    void backoffDoublesPerConsecutiveFailureUpToFiveMinutes() {
        Workspace w = insert(DesiredState.RUNNING, Phase.Starting);
        provider.observing(new Observation.Starting("booting")).thenFail(12, false, "connection refused");
        ReconcilePass pass = pass(SETTINGS.withMaxAttempts(100));

        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 12; i++) delays.add(pass.run(w.id()).orElseThrow().toSeconds());

        assertThat(delays).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 64L, 128L, 256L, 300L, 300L, 300L);
        assertThat(stored(w).failures()).isEqualTo(12);
        assertThat(stored(w).phase()).isEqualTo(Phase.Starting);
        assertThat(events(w, "error")).first().isEqualTo("will retry (attempt 1): connection refused");
        assertThat(events(w, "error")).last().isEqualTo("will retry (attempt 12): connection refused");
    }

    @Test
    void aProviderFailingNTimesIsRetriedThenConvergesAndTheCountResets() {
        Workspace w = insert(DesiredState.RUNNING, Phase.Pending);
        provider.thenFail(3, false, "connection refused").thenApply(new Observation.Running(SSH, "up"));

        List<Optional<Duration>> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) results.add(pass().run(w.id()));

        assertThat(results)
                .containsExactly(
                        Optional.of(Duration.ofSeconds(1)),
                        Optional.of(Duration.ofSeconds(2)),
                        Optional.of(Duration.ofSeconds(4)),
                        Optional.empty());
        assertThat(events(w, "error"))
                .containsExactly(
                        "will retry (attempt 1): connection refused",
                        "will retry (attempt 2): connection refused",
                        "will retry (attempt 3): connection refused");
        Workspace after = stored(w);
        assertThat(after.phase()).isEqualTo(Phase.Running);
        assertThat(after.failures()).isZero();
        assertThat(after.reason()).isEqualTo("up");
    }

    @Test
    void aPassThatOnlyPollsWhileStillFailingKeepsTheCountAndTheBoundEndsInFailed() {
        // like a workspace waiting for an image download that fails again and again: each retry
        // starts a new download (Starting, same phase) that fails on the next pass
        Workspace w = insert(DesiredState.RUNNING, Phase.Starting);
        provider.observing(new Observation.Starting("downloading image img"));
        for (int i = 0; i < 3; i++)
            provider.thenFail(1, false, "pulling image img failed: cannot resolve host")
                    .thenApply(new Observation.Starting("downloading image img"));
        ReconcilePass pass = pass(SETTINGS.withMaxAttempts(3));

        List<Optional<Duration>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) results.add(pass.run(w.id()));

        assertThat(results)
                .containsExactly(
                        Optional.of(Duration.ofSeconds(1)),
                        Optional.of(POLL),
                        Optional.of(Duration.ofSeconds(2)),
                        Optional.of(POLL),
                        Optional.empty());
        Workspace after = stored(w);
        assertThat(after.phase()).isEqualTo(Phase.Failed);
        assertThat(after.failures()).isEqualTo(3);
        assertThat(after.reason()).isEqualTo("gave up after 3 attempts: pulling image img failed: cannot resolve host");
        assertThat(events(w, "error"))
                .containsExactly(
                        "will retry (attempt 1): pulling image img failed: cannot resolve host",
                        "will retry (attempt 2): pulling image img failed: cannot resolve host",
                        "failed after 3 attempts: pulling image img failed: cannot resolve host");
        assertThat(events(w, "phase"))
                .containsExactly(
                        "Starting -> Failed: gave up after 3 attempts: pulling image img failed: cannot resolve host");
        // Failed waits for a user action
        assertThat(pass.run(w.id())).isEmpty();
        assertThat(provider.applies()).isEqualTo(5);
    }

    @Test
    void deletesAreRetriedWithoutBound() {
        Workspace w = insert(DesiredState.DELETED, Phase.Deleting);
        provider.thenFailDelete(4, "QEMU did not exit; will retry");
        ReconcilePass pass = pass(SETTINGS.withMaxAttempts(2));
        for (int i = 0; i < 4; i++) assertThat(pass.run(w.id())).isPresent();
        assertThat(stored(w).phase()).isEqualTo(Phase.Deleting);
        assertThat(stored(w).failures()).isEqualTo(4);
    }

    @Test
    void aWorkspaceAtItsDesiredStateIsNotFailedByAnOutageOfTheProvidersApi() {
        Workspace w = insert(DesiredState.RUNNING, Phase.Running);
        provider.observing(new Observation.Running(SSH, "up")).failingObserve(5);
        ReconcilePass pass = pass(SETTINGS.withMaxAttempts(2));

        for (int i = 1; i <= 5; i++) assertThat(pass.run(w.id())).contains(SETTINGS.backoff(i));
        assertThat(stored(w).phase()).isEqualTo(Phase.Running);
        assertThat(stored(w).failures()).isEqualTo(5);

        assertThat(pass.run(w.id())).isEmpty();
        assertThat(stored(w).phase()).isEqualTo(Phase.Running);
        assertThat(stored(w).failures())
                .as("reset once it is seen at its desired state")
                .isZero();
        assertThat(provider.applies()).isZero();
    }

    @Test
    void aPermanentFailureFailsAtOnceWithTheReason() {
        Workspace w = insert(DesiredState.RUNNING, Phase.Pending);
        provider.thenFail(1, true, "image nope does not exist");

        assertThat(pass().run(w.id())).isEmpty();

        Workspace after = stored(w);
        assertThat(after.phase()).isEqualTo(Phase.Failed);
        assertThat(after.reason()).isEqualTo("image nope does not exist");
        assertThat(after.failures()).isEqualTo(1);
        assertThat(events(w, "error")).containsExactly("failed: image nope does not exist");
        assertThat(pass().run(w.id())).isEmpty();
        assertThat(provider.applies()).isEqualTo(1);
    }

    @Test
    void aStaleVersionMakesThePassReadAgainAtOnceWithoutLosingTheUsersChange() {
        Workspace w = insert(DesiredState.RUNNING, Phase.Stopped);
        provider.observing(new Observation.Stopped("disk kept"))
                .thenApplyAfter(
                        () -> store.workspaces().update(stored(w).withDesired(DesiredState.STOPPED, T0)),
                        new Observation.Starting("booting"))
                .thenApply(new Observation.Stopped("disk kept"));

        assertThat(pass().run(w.id())).contains(Duration.ZERO);
        assertThat(stored(w).desired()).isEqualTo(DesiredState.STOPPED);
        assertThat(stored(w).phase()).isEqualTo(Phase.Stopped);

        assertThat(pass().run(w.id())).isEmpty();
        assertThat(provider.calls()).containsExactly("observe", "apply:RUNNING", "observe", "apply:STOPPED");
        assertThat(stored(w).phase()).isEqualTo(Phase.Stopped);
    }

    @Test
    void aWorkspaceOfAProviderThatIsNotEnabledFails() {
        Workspace w = insert(DesiredState.RUNNING, Phase.Pending);
        Workspace other = new Workspace(
                w.id() + "x",
                new Workspace.Spec(
                        w.name() + "x", w.owner(), w.template(), "nope", w.parameters(), w.hostKey(), w.desired()),
                Workspace.Status.PENDING,
                T0,
                T0,
                1);
        store.workspaces().insert(other);

        assertThat(pass().run(other.id())).isEmpty();

        assertThat(stored(other).phase()).isEqualTo(Phase.Failed);
        assertThat(stored(other).reason())
                .contains("provider 'nope' is not enabled")
                .contains(ScriptedProvider.TYPE);
    }

    @Test
    void aStartDeliversTheOwnersCurrentSecretsAndObserveAndStopGetNone() {
        fresh();
        java.util.concurrent.atomic.AtomicReference<String> value =
                new java.util.concurrent.atomic.AtomicReference<>("v1");
        java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.hangar.core.secret.SecretFiles files = owner -> {
            asked.add(owner);
            return List.of(new dev.hangar.provider.spi.SecretFile(
                    "token", value.get().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        };
        ReconcilePass pass = new ReconcilePass(
                store,
                TemplateCatalog.of(List.of()),
                ProviderRegistry.of(List.of(provider)),
                TestWorkspaces.HOST_CA,
                clock,
                SETTINGS,
                ReconcilerMetrics.NONE,
                files,
                ReconcileFence.local());
        Workspace w = insert(DesiredState.RUNNING, Phase.Stopped);
        provider.observing(new Observation.Stopped("off")).applyingByDefault(new Observation.Starting("booting"));
        pass.run(w.id());
        assertThat(provider.calls()).containsExactly("observe", "apply:RUNNING");
        assertThat(provider.lastSpec().orElseThrow().secrets())
                .containsExactly(new dev.hangar.provider.spi.SecretFile(
                        "token", "v1".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(asked).containsExactly(w.owner());

        // a stop gets no secrets and does not read them
        Workspace stopping = insert(DesiredState.STOPPED, Phase.Running);
        provider.observing(new Observation.Running(SSH, "up")).applyingByDefault(new Observation.Stopping("bye"));
        pass.run(stopping.id());
        assertThat(provider.lastSpec().orElseThrow().secrets()).isEmpty();
        assertThat(asked).hasSize(1);
    }
}
