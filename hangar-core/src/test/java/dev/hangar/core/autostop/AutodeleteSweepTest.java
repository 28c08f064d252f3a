package dev.hangar.core.autostop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.service.CreateWorkspace;
import dev.hangar.core.service.WorkspaceService;
import dev.hangar.core.store.InMemoryStore;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.testfixtures.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The optional delete after N days stopped, with a hand-moved clock: off by default, one warning
 * per stopped period, then desired state deleted with a {@code delete} event; a start restarts the
 * count.
 */
class AutodeleteSweepTest {
    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
    private static final User ALICE = new User("alice", Role.MEMBER, false, T0);

    private final TestClock clock = new TestClock(T0);
    private final InMemoryStore store = new InMemoryStore();
    private final List<String> enqueued = new ArrayList<>();
    private final WorkspaceService workspaces = new WorkspaceService(
            store,
            TemplateCatalog.of(List.of(TemplateCatalog.parse(
                    "t.yaml", "name: t\nprovider: fake\nimage: img\n".getBytes(StandardCharsets.UTF_8)))),
            clock,
            enqueued::add);

    /** A workspace the user stopped and the reconciler recorded as Stopped, at the clock's time. */
    private Workspace stopped(String name) {
        workspaces.create(ALICE, CreateWorkspace.of(name, "t"));
        Workspace w = workspaces.stop(ALICE, "", name);
        return store.workspaces().update(w.withPhase(Phase.Stopped, "", clock.instant()));
    }

    private List<WorkspaceEvent> events(Workspace w, String type) {
        return store.events().list(w.id(), 1000).stream()
                .filter(e -> e.type().equals(type))
                .toList();
    }

    @Test
    void offByDefaultNothingIsEverDeleted() {
        Workspace w = stopped("kept");
        AutodeleteSweep off = new AutodeleteSweep(store, clock, Duration.ZERO, Duration.ofDays(1), enqueued::add);
        clock.advance(Duration.ofDays(400));
        assertThat(off.enabled()).isFalse();
        assertThat(off.sweep()).isEqualTo(new AutostopSweep.Result(List.of(), List.of()));
        assertThat(store.workspaces().find(w.id()).orElseThrow().desired()).isEqualTo(DesiredState.STOPPED);
    }

    @Test
    void warnsOnceThenDeletesAndAStartRestartsTheCount() {
        AutodeleteSweep sweep =
                new AutodeleteSweep(store, clock, Duration.ofDays(30), Duration.ofDays(1), enqueued::add);
        Workspace old = stopped("old");
        Workspace back = stopped("back");
        Instant since = store.workspaces().find(old.id()).orElseThrow().updatedAt();
        enqueued.clear();

        clock.advance(Duration.ofDays(28));
        assertThat(sweep.sweep()).isEqualTo(new AutostopSweep.Result(List.of(), List.of()));
        clock.advance(Duration.ofDays(1)); // 1d before the deletion
        assertThat(sweep.sweep().warned()).containsExactlyInAnyOrder(old.id(), back.id());
        clock.advance(Duration.ofHours(12));
        assertThat(sweep.sweep().warned()).isEmpty(); // once per stopped period
        assertThat(events(old, AutodeleteSweep.WARNING_EVENT))
                .singleElement()
                .satisfies(e -> assertThat(e.message()).startsWith("will be deleted in 1d (stopped since " + since));

        // the owner of "back" starts it (and the reconciler stops it again later): the count restarts
        workspaces.start(ALICE, "", "back");
        Workspace restarted = workspaces.stop(ALICE, "", "back");
        store.workspaces().update(restarted.withPhase(Phase.Stopped, "", clock.instant()));
        enqueued.clear();

        clock.advance(Duration.ofHours(12)); // 30 days after "old" stopped
        assertThat(sweep.sweep().stopped()).containsExactly(old.id());
        assertThat(store.workspaces().find(old.id()).orElseThrow().desired()).isEqualTo(DesiredState.DELETED);
        assertThat(enqueued).containsExactly(old.id());
        assertThat(events(old, "delete")).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo(WorkspaceEvent.SYSTEM);
            assertThat(e.message()).startsWith("delete requested by autodelete: stopped since " + since);
        });
        assertThat(store.workspaces().find(back.id()).orElseThrow().desired()).isEqualTo(DesiredState.STOPPED);
        // "back" gets its own warning for its new stopped period (stopped again 12h ago): 29d on
        clock.advance(Duration.ofDays(28));
        assertThat(sweep.sweep().warned()).isEmpty();
        clock.advance(Duration.ofDays(1));
        assertThat(sweep.sweep().warned()).containsExactly(back.id());
    }
}
