package dev.hangar.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.StaleVersionException;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.store.InMemoryStore;
import dev.hangar.core.template.TemplateCatalog;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A user's change (start, stop, restart, delete) that loses the race for the row to another writer
 * (the reconciler's pass saving the same workspace between the change's read and its write) is
 * redone on the fresh row instead of answering 409: the benchmark saw 23-53 % of quick
 * delete-after-create calls fail that way on PostgreSQL. The same holds for a user's deletion that
 * transfers their workspaces (ListPageCacheTest met its 409 on PostgreSQL).
 */
class WorkspaceServiceRaceTest {
    private static final Instant NOW = Instant.parse("2026-12-03T08:00:00Z");
    private static final User ALICE = new User("alice", Role.MEMBER, false, NOW);

    private final InMemoryStore store = new InMemoryStore();
    private final List<String> enqueued = new ArrayList<>();

    private WorkspaceService service() {
        store.users().insert(ALICE);
        return new WorkspaceService(
                store,
                TemplateCatalog.of(List.of(WorkspaceServiceCreateTest.template("t"))),
                Clock.fixed(NOW, ZoneOffset.UTC),
                enqueued::add,
                "t");
    }

    @Test
    void aChangeThatLostTheRowToAnotherWriterIsRedoneOnTheFreshRow() {
        WorkspaceService s = service();
        String id = s.create(ALICE, CreateWorkspace.named("quick")).id();
        enqueued.clear();
        store.failNextUpdatesAsStale(2);

        assertThat(s.delete(ALICE, "", "quick").desired()).isEqualTo(DesiredState.DELETED);

        assertThat(store.workspaces().find(id).orElseThrow().desired()).isEqualTo(DesiredState.DELETED);
        // one request event and one wake-up of the reconciler, not one per attempt
        assertThat(store.allEvents().stream().map(WorkspaceEvent::type).filter("delete"::equals))
                .hasSize(1);
        assertThat(enqueued).containsExactly(id);
    }

    @Test
    void aUserDeletionWhoseTransferLostARowToTheReconcilerIsRedoneOnTheFreshRows() {
        WorkspaceService s = service();
        User admin = new User("root", Role.ADMIN, false, NOW);
        User bob = new User("bob", Role.MEMBER, false, NOW);
        store.users().insert(admin);
        store.users().insert(bob);
        String id = s.create(ALICE, CreateWorkspace.named("moved")).id();
        // the reconciler saves the row twice between the transfer's read and its write
        store.failNextUpdatesAsStale(2);

        new UserAdminService(store, Clock.fixed(NOW, ZoneOffset.UTC), s)
                .delete(admin, ALICE.name(), new UserAdminService.WorkspacePolicy.TransferTo(bob.name()));

        assertThat(store.workspaces().find(id).orElseThrow().owner()).isEqualTo("bob");
        assertThat(store.users().find(ALICE.name())).isEmpty();
        // one transfer recorded, not one per attempt
        assertThat(store.allEvents().stream().map(WorkspaceEvent::type).filter("transferred"::equals))
                .hasSize(1);
    }

    @Test
    void aRowThatKeepsChangingStillEndsInAConflictAfterFiveAttempts() {
        WorkspaceService s = service();
        String id = s.create(ALICE, CreateWorkspace.named("busy")).id();
        store.failNextUpdatesAsStale(5);

        assertThatThrownBy(() -> s.stop(ALICE, "", "busy")).isInstanceOf(StaleVersionException.class);

        assertThat(store.workspaces().find(id).orElseThrow().desired()).isEqualTo(DesiredState.RUNNING);
        assertThat(store.allEvents().stream().map(WorkspaceEvent::type)).doesNotContain("stop");
        // the next try goes through
        assertThat(s.stop(ALICE, "", "busy").desired()).isEqualTo(DesiredState.STOPPED);
    }
}
