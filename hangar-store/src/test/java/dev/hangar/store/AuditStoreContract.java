package dev.hangar.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.audit.AuditEntry;
import dev.hangar.core.audit.AuditQuery;
import dev.hangar.core.domain.ValidationException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The audit log part of the store contract (migration V4), run by {@link StoreContractTest} on
 * SQLite and on PostgreSQL.
 */
interface AuditStoreContract {

    Instant T = Instant.parse("2026-12-03T08:00:00.123456789Z");

    /** @return the fresh store of the running test */
    JdbiStore auditedStore();

    private AuditEntry add(Instant at, String actor, String action) {
        return auditedStore().audit().append(AuditEntry.of(at, actor, action, "alice/dev", "127.0.0.1", "201"));
    }

    @Test
    default void appendAssignsAscendingSeqAndReadsBackAsStored() {
        AuditEntry a = add(T, "alice", "workspace.create");
        AuditEntry b = add(T.plusSeconds(1), "bob", "workspace.delete");

        assertThat(b.seq()).isGreaterThan(a.seq());
        assertThat(a.at()).isEqualTo(T.truncatedTo(ChronoUnit.MILLIS));
        assertThat(auditedStore().audit().list(AuditQuery.ALL, 10)).containsExactly(b, a);
    }

    @Test
    default void filtersBySinceActorExactActionAndActionFamily() {
        AuditEntry old = add(T, "alice", "workspace.create");
        AuditEntry del = add(T.plusSeconds(10), "alice", "workspace.delete");
        AuditEntry tok = add(T.plusSeconds(20), "bob", "token.create");
        AuditEntry fail = add(T.plusSeconds(30), "anonymous", "auth.failed");
        var audit = auditedStore().audit();

        assertThat(audit.list(new AuditQuery(T.plusSeconds(10), "", "", AuditQuery.START), 10))
                .containsExactly(fail, tok, del);
        assertThat(audit.list(new AuditQuery(Instant.EPOCH, "alice", "", AuditQuery.START), 10))
                .containsExactly(del, old);
        assertThat(audit.list(new AuditQuery(Instant.EPOCH, "", "token.create", AuditQuery.START), 10))
                .containsExactly(tok);
        assertThat(audit.list(new AuditQuery(Instant.EPOCH, "", "workspace.", AuditQuery.START), 10))
                .containsExactly(del, old);
        assertThat(audit.list(new AuditQuery(Instant.EPOCH, "alice", "workspace.delete", AuditQuery.START), 10))
                .containsExactly(del);
        // no LIKE: wildcards in the filter are plain characters
        assertThat(audit.list(new AuditQuery(Instant.EPOCH, "%", "%.", AuditQuery.START), 10))
                .isEmpty();
        assertThat(audit.list(new AuditQuery(Instant.EPOCH, "", "workspace", AuditQuery.START), 10))
                .isEmpty();
    }

    @Test
    default void pagesNewestFirstByCursorWithoutRepeatsOrGaps() {
        List<AuditEntry> all = new ArrayList<>();
        for (int i = 0; i < 7; i++) all.add(add(T.plusSeconds(i), "u" + (i % 2), "workspace.start"));
        List<AuditEntry> seen = new ArrayList<>();
        AuditQuery q = AuditQuery.ALL;
        while (true) {
            List<AuditEntry> page = auditedStore().audit().list(q, 3);
            if (page.isEmpty()) break;
            seen.addAll(page);
            q = q.before(page.getLast().seq());
            // an entry written meanwhile does not shift later pages
            add(T.plusSeconds(100), "late", "workspace.stop");
        }
        assertThat(seen).containsExactlyElementsOf(all.reversed());
        assertThat(auditedStore().audit().list(AuditQuery.ALL, 0)).isEmpty();
        assertThatThrownBy(() -> auditedStore().audit().list(AuditQuery.ALL, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    default void deleteBeforeRemovesOnlyOlderEntriesAndIsIdempotent() {
        add(T, "a", "workspace.create");
        add(T.plus(Duration.ofDays(1)), "b", "workspace.create");
        AuditEntry kept = add(T.plus(Duration.ofDays(2)), "c", "workspace.create");

        assertThat(auditedStore().audit().deleteBefore(T.plus(Duration.ofDays(2))))
                .isEqualTo(2);
        assertThat(auditedStore().audit().deleteBefore(T.plus(Duration.ofDays(2))))
                .isZero();
        assertThat(auditedStore().audit().list(AuditQuery.ALL, 10)).containsExactly(kept);
        // seq keeps counting up after a prune
        assertThat(add(T.plus(Duration.ofDays(3)), "d", "x.y").seq()).isGreaterThan(kept.seq());
    }

    @Test
    default void keepsAnyTextButRefusesNul() {
        AuditEntry e = auditedStore()
                .audit()
                .append(AuditEntry.of(T, "ß-語", "a.b", "'; DROP TABLE audit_log; --🚀", "[::1]:5", "ok"));
        assertThat(auditedStore().audit().list(AuditQuery.ALL, 1)).containsExactly(e);
        assertThatThrownBy(() -> auditedStore().audit().append(AuditEntry.of(T, "x", "a.b", "bad\0", "", "ok")))
                .isInstanceOf(ValidationException.class);
    }

    /** Prints the median of one synchronous insert (issue #15 item 6 asks for the figure). */
    @Test
    default void oneInsertIsFastEnoughForTheRequestPath() {
        int n = 300;
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            add(T.plusMillis(i), "alice", "workspace.start");
            nanos[i] = System.nanoTime() - t0;
        }
        // the first 50 warm up the pool and the JIT
        long[] measured = Arrays.copyOfRange(nanos, 50, n);
        Arrays.sort(measured);
        double p50 = measured[measured.length / 2] / 1e6;
        double p99 = measured[(int) (measured.length * 0.99)] / 1e6;
        System.out.printf(
                "audit insert on %s: p50 %.3f ms, p99 %.3f ms (%d inserts)%n",
                auditedStore().describe().replaceAll(":.*", ""), p50, p99, measured.length);
        assertThat(auditedStore().audit().list(AuditQuery.ALL, n + 1)).hasSize(n);
        // generous: a synchronous insert must stay far below a request's budget even on a loaded machine
        assertThat(p50).isLessThan(50.0);
    }
}
