package dev.hangar.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.store.InMemoryStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class AuditLogTest {
    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

    @Test
    void recordStampsTheClocksTimeAndKeepsTheFields() {
        InMemoryStore store = new InMemoryStore();
        AuditLog log = new AuditLog(store, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(1));

        log.record("alice", "workspace.create", "alice/dev", "127.0.0.1", "201");

        assertThat(log.list(AuditQuery.ALL, 10))
                .containsExactly(new AuditEntry(1, NOW, "alice", "workspace.create", "alice/dev", "127.0.0.1", "201"));
    }

    @Test
    void controlCharactersBecomeQuestionMarksAndLongFieldsAreCut() {
        InMemoryStore store = new InMemoryStore();
        AuditLog log = new AuditLog(store, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(1));

        log.record("anonymous", "workspace.delete", "a/b\0c\nd" + "x".repeat(1000), "", "404");

        String target = log.list(AuditQuery.ALL, 1).getFirst().target();
        assertThat(target).startsWith("a/b?c?dxxx").endsWith("...").hasSize(AuditLog.MAX_FIELD + 3);
    }

    @Test
    void aFailingStoreDoesNotFailTheAuditedCall() {
        InMemoryStore store = new InMemoryStore();
        AuditLog log = new AuditLog(store, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(1));
        // an empty action is refused by AuditEntry: the failure is logged, not thrown
        log.record("alice", "", "", "", "201");
        assertThat(log.list(AuditQuery.ALL, 10)).isEmpty();
    }

    @Test
    void pruneDeletesWhatIsOlderThanTheRetentionByTheClock() {
        InMemoryStore store = new InMemoryStore();
        store.audit().append(AuditEntry.of(NOW.minus(Duration.ofDays(2)), "a", "x.y", "", "", "ok"));
        AuditEntry edge = store.audit().append(AuditEntry.of(NOW.minus(Duration.ofDays(1)), "b", "x.y", "", "", "ok"));
        AuditLog log = new AuditLog(store, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(1));

        assertThat(log.prune()).isEqualTo(1);
        assertThat(log.prune()).isZero();
        assertThat(log.list(AuditQuery.ALL, 10)).containsExactly(edge);
    }

    @Test
    void retentionMustBePositive() {
        assertThatThrownBy(() -> new AuditLog(new InMemoryStore(), Clock.systemUTC(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
