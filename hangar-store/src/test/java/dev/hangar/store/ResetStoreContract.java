package dev.hangar.store;

import static dev.hangar.store.Fixtures.workspace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.ResetGenerations;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The reset part of the store contract (migration V13: reset generations per workspace), run by
 * {@link StoreContractTest} on SQLite and on PostgreSQL.
 */
interface ResetStoreContract {

    /** @return the fresh store of the running test */
    JdbiStore resetStore();

    @Test
    default void requestsCountUpCompletionOnlyRaisesDoneUpToRequestedAndRowsGoWithTheirWorkspace() {
        JdbiStore s = resetStore();
        Workspace w = s.workspaces().insert(workspace("reset-alice", "gen"));
        assertThat(s.resets().find(w.id())).isEqualTo(ResetGenerations.none(w.id()));
        assertThat(s.resets().find(w.id()).pending()).isFalse();

        assertThat(s.resets().request(w.id())).isEqualTo(new ResetGenerations(w.id(), 1, 0));
        assertThat(s.resets().request(w.id())).isEqualTo(new ResetGenerations(w.id(), 2, 0));
        assertThat(s.resets().find(w.id()).pending()).isTrue();

        assertThat(s.resets().complete(w.id(), 1)).isEqualTo(new ResetGenerations(w.id(), 2, 1));
        // a stale completion does not lower done; one past requested stops at requested
        assertThat(s.resets().complete(w.id(), 0)).isEqualTo(new ResetGenerations(w.id(), 2, 1));
        assertThat(s.resets().complete(w.id(), 7)).isEqualTo(new ResetGenerations(w.id(), 2, 2));
        assertThat(s.resets().complete(w.id(), 2)).isEqualTo(new ResetGenerations(w.id(), 2, 2));
        assertThat(s.resets().find(w.id()).pending()).isFalse();
        // completing a workspace never asked to reset creates nothing
        Workspace other = s.workspaces().insert(workspace("reset-alice", "never"));
        assertThat(s.resets().complete(other.id(), 3)).isEqualTo(ResetGenerations.none(other.id()));

        s.workspaces().delete(w.id(), w.version());
        assertThat(s.resets().find(w.id())).isEqualTo(ResetGenerations.none(w.id()));
    }

    @Test
    default void aRequestForAWorkspaceThatDoesNotExistFailsAndARolledBackRequestLeavesNothing() {
        JdbiStore s = resetStore();
        assertThatThrownBy(() -> s.resets().request("no-such-workspace"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("no-such-workspace");

        Workspace w = s.workspaces().insert(workspace("reset-bob", "tx"));
        assertThatThrownBy(() -> s.inTransaction(tx -> {
                    tx.resets().request(w.id());
                    throw new IllegalStateException("abort");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(s.resets().find(w.id())).isEqualTo(ResetGenerations.none(w.id()));
    }

    @Test
    default void concurrentRequestsLoseNoIncrement() throws Exception {
        JdbiStore s = resetStore();
        Workspace w = s.workspaces().insert(workspace("reset-carol", "many"));
        int n = 16;
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<ResetGenerations>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) all.add(pool.submit(() -> s.resets().request(w.id())));
            for (Future<ResetGenerations> f : all) f.get();
        }
        assertThat(s.resets().find(w.id())).isEqualTo(new ResetGenerations(w.id(), n, 0));
    }
}
