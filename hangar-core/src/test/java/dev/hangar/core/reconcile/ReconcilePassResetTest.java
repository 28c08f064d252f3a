package dev.hangar.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.ResetGenerations;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.store.InMemoryStore;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.SshEndpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A reset through the control plane (issue #13, item 5): the pass stops the workspace, calls the
 * provider's reset, records the generation and starts it again when it should run; a control plane
 * that dies in between resets again after its restart. In-memory store, scripted provider, a clock
 * the test owns.
 */
class ReconcilePassResetTest {
    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
    private static final SshEndpoint SSH = new SshEndpoint("127.0.0.1", 2201);
    private static final WorkspaceReconciler.Settings SETTINGS =
            new WorkspaceReconciler.Settings(4, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(1));
    private static final AtomicInteger NAMES = new AtomicInteger();

    private final InMemoryStore store = new InMemoryStore();
    private final MutableClock clock = new MutableClock(T0);
    private final ScriptedProvider provider = new ScriptedProvider().resettable();

    /** A new pass on the same store and provider: what a restarted control plane runs. */
    private ReconcilePass pass() {
        return new ReconcilePass(
                store,
                TemplateCatalog.of(List.of()),
                ProviderRegistry.of(List.of(provider)),
                TestWorkspaces.HOST_CA,
                clock,
                SETTINGS,
                ReconcilerMetrics.NONE,
                dev.hangar.core.secret.SecretFiles.NONE,
                ReconcileFence.local());
    }

    private Workspace insert(DesiredState desired, Phase phase) {
        String name = "reset-" + NAMES.incrementAndGet();
        boolean running = phase == Phase.Running;
        return store.workspaces()
                .insert(new Workspace(
                        "id-" + name,
                        TestWorkspaces.spec(name, desired),
                        new Workspace.Status(phase, "", running ? SSH.host() : "", running ? SSH.port() : 0, false, 0),
                        T0,
                        T0,
                        1));
    }

    /** Runs passes as the queue would (an empty result ends it), at most {@code max}. */
    private void converge(ReconcilePass pass, String id, int max) {
        for (int i = 0; i < max; i++) {
            Optional<Duration> next = pass.run(id);
            if (next.isEmpty()) return;
            clock.advance(next.get());
        }
        throw new AssertionError("did not converge in " + max + " passes");
    }

    private List<String> resetEvents(Workspace w) {
        return store.events().list(w.id(), 1000).stream()
                .filter(e -> e.type().equals("reset"))
                .map(WorkspaceEvent::message)
                .toList();
    }

    private Workspace stored(Workspace w) {
        return store.workspaces().find(w.id()).orElseThrow();
    }

    @Test
    void aRunningWorkspaceIsStoppedResetRecordedAndStartedAgain() {
        provider.observing(new Observation.Running(SSH, "up"))
                .thenApply(new Observation.Stopping("shutting down"))
                .thenApply(new Observation.Stopped("stopped"))
                .thenApply(new Observation.Running(SSH, "up again"));
        Workspace w = insert(DesiredState.RUNNING, Phase.Running);
        store.resets().request(w.id());

        converge(pass(), w.id(), 20);

        assertThat(provider.calls())
                .containsSubsequence("apply:STOPPED", "reset", "apply:RUNNING")
                .filteredOn("reset"::equals)
                .hasSize(1);
        // the stop comes before the reset, and nothing starts it before the reset is done
        List<String> calls = provider.calls();
        assertThat(calls.subList(0, calls.indexOf("reset"))).doesNotContain("apply:RUNNING");
        assertThat(stored(w).phase()).isEqualTo(Phase.Running);
        assertThat(store.resets().find(w.id())).isEqualTo(new ResetGenerations(w.id(), 1, 1));
        assertThat(resetEvents(w)).containsExactly("reset started (generation 1)", "reset completed (generation 1)");
        List<String> phases = store.events().list(w.id(), 1000).stream()
                .filter(e -> e.type().equals("phase"))
                .map(WorkspaceEvent::message)
                .toList();
        assertThat(phases.getFirst()).startsWith("Running -> Stopping: " + ResetStep.RESETTING);
        assertThat(phases).contains("Stopping -> Stopped: " + ResetStep.RESETTING);
        assertThat(phases.getLast()).isEqualTo("Stopped -> Running: up again");
    }

    @Test
    void aStoppedWorkspaceIsResetWithoutAnyStartAndStaysStopped() {
        provider.observing(new Observation.Stopped("disk kept"));
        Workspace w = insert(DesiredState.STOPPED, Phase.Stopped);
        store.resets().request(w.id());

        converge(pass(), w.id(), 10);

        assertThat(provider.calls()).contains("reset").doesNotContain("apply:RUNNING", "apply:STOPPED");
        assertThat(stored(w).phase()).isEqualTo(Phase.Stopped);
        assertThat(store.resets().find(w.id()).pending()).isFalse();
        assertThat(resetEvents(w)).containsExactly("reset started (generation 1)", "reset completed (generation 1)");
    }

    @Test
    void withoutARequestOrOnceDoneNoResetHappens() {
        provider.observing(new Observation.Stopped("disk kept"));
        Workspace w = insert(DesiredState.STOPPED, Phase.Stopped);
        converge(pass(), w.id(), 10);
        assertThat(provider.calls()).doesNotContain("reset");

        store.resets().request(w.id());
        converge(pass(), w.id(), 10);
        converge(pass(), w.id(), 10);
        assertThat(provider.calls()).filteredOn("reset"::equals).hasSize(1);
    }

    @Test
    void aControlPlaneThatDiesAfterTheProvidersResetResetsAgainAfterItsRestart() {
        provider.observing(new Observation.Stopped("disk kept")).dyingAfterReset(1);
        Workspace w = insert(DesiredState.STOPPED, Phase.Stopped);
        store.resets().request(w.id());

        ReconcilePass beforeCrash = pass();
        assertThatThrownBy(() -> beforeCrash.run(w.id())).isInstanceOf(ScriptedProvider.ControlPlaneDied.class);
        assertThat(store.resets().find(w.id()).pending()).isTrue();
        assertThat(resetEvents(w)).containsExactly("reset started (generation 1)");

        converge(pass(), w.id(), 10); // the restarted control plane

        assertThat(provider.calls()).filteredOn("reset"::equals).hasSize(2);
        assertThat(store.resets().find(w.id())).isEqualTo(new ResetGenerations(w.id(), 1, 1));
        // (the store folds the repeated "reset started" into one event with a repeat count)
        assertThat(resetEvents(w)).containsExactly("reset started (generation 1)", "reset completed (generation 1)");
    }

    @Test
    void aProviderWithoutResetSkipsTheRequestWithAnErrorEventInsteadOfLooping() {
        ScriptedProvider plain = new ScriptedProvider().observing(new Observation.Stopped("disk kept"));
        ReconcilePass pass = new ReconcilePass(
                store,
                TemplateCatalog.of(List.of()),
                ProviderRegistry.of(List.of(plain)),
                TestWorkspaces.HOST_CA,
                clock,
                SETTINGS,
                ReconcilerMetrics.NONE,
                dev.hangar.core.secret.SecretFiles.NONE,
                ReconcileFence.local());
        Workspace w = insert(DesiredState.STOPPED, Phase.Stopped);
        store.resets().request(w.id());

        converge(pass, w.id(), 10);

        assertThat(store.resets().find(w.id()).pending()).isFalse();
        assertThat(store.events().list(w.id(), 100))
                .anySatisfy(e -> assertThat(e.message()).contains("reset skipped"));
    }
}
