package dev.hangar.testing.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.core.audit.AuditEntry;
import dev.hangar.core.audit.AuditQuery;
import dev.hangar.core.domain.Role;
import dev.hangar.testfixtures.TestClock;
import dev.hangar.testing.TestControlPlane;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code audit.retention} with an injected clock: the prune deletes exactly the entries older than
 * the retention, as the clock tells it; nothing waits (issue #15, item 6).
 */
class AuditRetentionTest {

    @Test
    void pruneDeletesOnlyEntriesOlderThanTheRetentionByTheServersClock() {
        TestClock clock = new TestClock(Instant.parse("2026-12-03T10:00:00Z"));
        try (TestControlPlane cp = TestControlPlane.builder()
                .clock(clock)
                .configure(c -> c.withAuditRetention(Duration.ofDays(30)))
                .start()) {
            assertThat(cp.server().audit().retention()).isEqualTo(Duration.ofDays(30));
            String token = cp.createUser("ret-alice", Role.MEMBER).token();
            assertThat(cp.http()
                            .post("/api/v1/users/me/tokens", token, "{\"name\":\"old\"}")
                            .statusCode())
                    .isEqualTo(201);
            clock.advance(Duration.ofDays(29));
            assertThat(cp.http()
                            .post("/api/v1/users/me/tokens", token, "{\"name\":\"new\"}")
                            .statusCode())
                    .isEqualTo(201);
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> targets(cp).containsAll(List.of("ret-alice/old", "ret-alice/new")));

            assertThat(cp.server().audit().prune()).isZero();
            assertThat(targets(cp)).contains("ret-alice/old", "ret-alice/new");

            clock.advance(Duration.ofDays(1).plusMillis(1));
            assertThat(cp.server().audit().prune()).isGreaterThanOrEqualTo(1);
            assertThat(targets(cp)).contains("ret-alice/new").doesNotContain("ret-alice/old");
            assertThat(cp.server().audit().list(AuditQuery.ALL, 1000))
                    .allSatisfy(e ->
                            assertThat(e.at()).isAfterOrEqualTo(clock.instant().minus(Duration.ofDays(30))));

            clock.advance(Duration.ofDays(31));
            cp.server().audit().prune();
            assertThat(cp.server().audit().list(AuditQuery.ALL, 1000)).isEmpty();
        }
    }

    private static List<String> targets(TestControlPlane cp) {
        return cp.server().audit().list(AuditQuery.ALL, 1000).stream()
                .filter(e -> e.action().equals("token.create"))
                .map(AuditEntry::target)
                .toList();
    }
}
