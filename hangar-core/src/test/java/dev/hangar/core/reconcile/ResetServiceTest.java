package dev.hangar.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.LifecycleConflictException;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.lab.LabService;
import dev.hangar.core.lab.LabSettings;
import dev.hangar.core.service.ResetService;
import dev.hangar.core.service.WorkspaceService;
import dev.hangar.core.store.InMemoryStore;
import dev.hangar.core.template.TemplateCatalog;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link ResetService} on an in-memory store: a request records one more generation, a {@code reset
 * requested} event and enqueues the workspace; a provider kind that cannot reset is refused naming
 * the kinds that can; a workspace being deleted, another user's workspace and a Failed one.
 */
class ResetServiceTest {
    private static final Instant T0 = Instant.parse("2026-12-03T12:00:00Z");
    private static final User ALICE = new User("alice", false, T0);
    private static final User BOB = new User("bob", false, T0);
    private static final AtomicInteger NAMES = new AtomicInteger();

    private final InMemoryStore store = new InMemoryStore();
    private final Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    private final List<String> enqueued = new ArrayList<>();

    private ResetService service(ScriptedProvider provider) {
        WorkspaceService workspaces = new WorkspaceService(store, TemplateCatalog.of(List.of()), clock, id -> {});
        return new ResetService(
                store,
                workspaces,
                new LabService(store, workspaces, clock, LabSettings.DEFAULTS),
                ProviderRegistry.of(List.of(provider)),
                clock,
                enqueued::add);
    }

    private Workspace insert(DesiredState desired, Phase phase) {
        String name = "rs-" + NAMES.incrementAndGet();
        return store.workspaces()
                .insert(new Workspace(
                        "id-" + name,
                        TestWorkspaces.spec(name, desired),
                        new Workspace.Status(phase, phase == Phase.Failed ? "crashed" : "", "", 0, false, 3),
                        T0,
                        T0,
                        1));
    }

    @Test
    void aRequestRecordsOneMoreGenerationAnEventAndEnqueuesTheWorkspace() {
        ResetService resets = service(new ScriptedProvider().resettable());
        Workspace w = insert(DesiredState.RUNNING, Phase.Running);

        ResetService.Requested first = resets.reset(ALICE, "", w.name());
        ResetService.Requested second = resets.reset(ALICE, "alice", w.name());

        assertThat(first).isEqualTo(new ResetService.Requested(w.name(), "alice", 1));
        assertThat(second.generation()).isEqualTo(2);
        assertThat(store.resets().find(w.id()).requested()).isEqualTo(2);
        assertThat(store.resets().find(w.id()).done()).isZero();
        assertThat(enqueued).containsExactly(w.id(), w.id());
        assertThat(store.events().list(w.id(), 10))
                .extracting(WorkspaceEvent::type, WorkspaceEvent::actor, WorkspaceEvent::message)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "reset", "alice", "reset requested by alice (generation 1)"),
                        org.assertj.core.groups.Tuple.tuple(
                                "reset", "alice", "reset requested by alice (generation 2)"));
        assertThat(resets.resettableKinds()).containsExactly(ScriptedProvider.TYPE);
    }

    @Test
    void aKindThatCannotResetIsRefusedNamingTheKindsThatCanAndNothingIsRecorded() {
        ResetService resets = service(new ScriptedProvider());
        Workspace w = insert(DesiredState.RUNNING, Phase.Running);

        assertThatThrownBy(() -> resets.reset(ALICE, "", w.name()))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("provider '" + ScriptedProvider.TYPE + "'")
                .hasMessageContaining("cannot reset")
                .hasMessageContaining("kinds that can: none on this server");
        assertThat(store.resets().find(w.id()).requested()).isZero();
        assertThat(store.events().list(w.id(), 10)).isEmpty();
        assertThat(enqueued).isEmpty();
    }

    @Test
    void deletingAndOtherUsersWorkspacesAreRefusedAndAFailedOneLeavesFailed() {
        ResetService resets = service(new ScriptedProvider().resettable());
        Workspace deleting = insert(DesiredState.DELETED, Phase.Deleting);
        assertThatThrownBy(() -> resets.reset(ALICE, "", deleting.name()))
                .isInstanceOf(LifecycleConflictException.class)
                .hasMessageContaining("being deleted");

        Workspace mine = insert(DesiredState.STOPPED, Phase.Failed);
        assertThatThrownBy(() -> resets.reset(BOB, "alice", mine.name())).isInstanceOf(NotFoundException.class);
        assertThat(store.resets().find(mine.id()).requested()).isZero();

        resets.reset(ALICE, "", mine.name());
        Workspace after = store.workspaces().find(mine.id()).orElseThrow();
        assertThat(after.phase()).isEqualTo(Phase.Stopping);
        assertThat(after.failures()).isZero();
        assertThat(store.resets().find(mine.id()).pending()).isTrue();
    }
}
