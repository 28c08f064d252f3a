package dev.hangar.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.store.InMemoryStore;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.SshEndpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The facade wiring queue and pass, stepped by hand: resync, polling and backoff through the queue. */
class WorkspaceReconcilerTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final SshEndpoint SSH = new SshEndpoint("127.0.0.1", 2201);

    private final InMemoryStore store = new InMemoryStore();
    private final MutableClock clock = new MutableClock(T0);
    private final SteppingScheduler scheduler = new SteppingScheduler(clock);
    private final ScriptedProvider provider = new ScriptedProvider();
    private final WorkspaceReconciler reconciler = new WorkspaceReconciler(
            store,
            TemplateCatalog.of(List.of()),
            ProviderRegistry.of(List.of(provider)),
            TestWorkspaces.HOST_CA,
            clock,
            new WorkspaceReconciler.Settings(2, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(1)),
            ReconcilerMetrics.NONE,
            scheduler,
            dev.hangar.core.secret.SecretFiles.NONE,
            ReconcileFence.local());

    private Workspace insert(String name) {
        return store.workspaces()
                .insert(new Workspace(
                        "id-" + name,
                        TestWorkspaces.spec(name, DesiredState.RUNNING),
                        Workspace.Status.PENDING,
                        T0,
                        T0,
                        1));
    }

    private Phase phase(Workspace w) {
        return store.workspaces().find(w.id()).orElseThrow().phase();
    }

    @Test
    void theFirstResyncFindsAWorkspaceAndPollsItUntilItRuns() {
        Workspace w = insert("resynced");
        provider.thenApply(new Observation.Starting("booting")).thenApply(new Observation.Running(SSH, "up"));

        reconciler.start();
        scheduler.advance(Duration.ZERO); // the first resync is immediate
        scheduler.runAll();
        assertThat(phase(w)).isEqualTo(Phase.Starting);
        assertThat(reconciler.idle())
                .as("the next poll is due within the poll interval")
                .isFalse();

        scheduler.advance(Duration.ofSeconds(1));
        scheduler.runAll();
        assertThat(phase(w)).isEqualTo(Phase.Running);
        assertThat(reconciler.idle()).isTrue();

        scheduler.advance(Duration.ofSeconds(30)); // the next resync only observes
        scheduler.runAll();
        assertThat(provider.calls()).containsExactly("observe", "apply:RUNNING", "observe", "apply:RUNNING", "observe");
        assertThat(reconciler.close(Duration.ZERO)).isTrue();
    }

    @Test
    void aProviderThatSaysItChangedGetsItsNextPassAtOnceInsteadOfAtTheNextPoll() {
        Workspace w = insert("nudged");
        provider.thenApply(new Observation.Starting("booting"));
        reconciler.start();
        scheduler.advance(Duration.ZERO);
        scheduler.runAll();
        assertThat(phase(w)).isEqualTo(Phase.Starting);

        // a background watcher of the provider sees sshd answer, 200 ms into the 1 s poll interval
        scheduler.advance(Duration.ofMillis(200));
        scheduler.runAll();
        provider.observing(new Observation.Running(SSH, "up")).lastListener().changed();
        scheduler.advance(Duration.ZERO);
        scheduler.runAll();
        assertThat(phase(w)).as("recorded without waiting for the poll").isEqualTo(Phase.Running);
        assertThat(reconciler.close(Duration.ZERO)).isTrue();
    }

    @Test
    void aFailingWorkspaceBacksOffAcrossResyncsAndEndsFailedAfterMaxAttempts() {
        Workspace w = insert("failing");
        provider.thenFail(8, false, "connection refused");

        reconciler.start(); // resyncs every 30 s
        for (int s = 0; s < 400; s++) {
            scheduler.advance(Duration.ofSeconds(1));
            scheduler.runAll();
        }

        Workspace after = store.workspaces().find(w.id()).orElseThrow();
        assertThat(after.phase()).isEqualTo(Phase.Failed);
        assertThat(after.reason()).isEqualTo("gave up after 8 attempts: connection refused");
        assertThat(provider.applies()).isEqualTo(8);
        List<Instant> attempts = store.events().list(w.id(), 100).stream()
                .filter(e -> e.type().equals("error"))
                .map(e -> e.at())
                .toList();
        List<Long> gaps = java.util.stream.IntStream.range(1, attempts.size())
                .mapToObj(i ->
                        Duration.between(attempts.get(i - 1), attempts.get(i)).toSeconds())
                .toList();
        assertThat(gaps)
                .as("resyncs every 30 s do not cut the backoff short")
                .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 64L);
    }
}
