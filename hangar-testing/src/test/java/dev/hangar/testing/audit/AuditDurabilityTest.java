package dev.hangar.testing.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.core.audit.AuditEntry;
import dev.hangar.core.audit.AuditQuery;
import dev.hangar.core.domain.Role;
import dev.hangar.store.JdbiStore;
import dev.hangar.store.StoreConfig;
import dev.hangar.testing.TestControlPlane;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clean shutdown loses no audit entry (issue #15, item 6): entries are written synchronously
 * before the answer goes out, so every write the client saw answered is in the database after the
 * server stops, read back by a fresh store on the same file.
 */
class AuditDurabilityTest {

    @Test
    void everyAnsweredWriteIsInTheDatabaseAfterACleanShutdown(@TempDir Path home) {
        int writes = 25;
        try (TestControlPlane cp = TestControlPlane.builder().home(home).start()) {
            String token = cp.createUser("dur-alice", Role.MEMBER).token();
            for (int i = 0; i < writes; i++) {
                // no waiting: the entry must be there as soon as the answer is
                assertThat(cp.http()
                                .post("/api/v1/users/me/tokens", token, "{\"name\":\"t" + i + "\"}")
                                .statusCode())
                        .isEqualTo(201);
                assertThat(cp.server()
                                .audit()
                                .list(new AuditQuery(java.time.Instant.EPOCH, "dur-alice", "", AuditQuery.START), 1))
                        .singleElement()
                        .extracting(AuditEntry::target)
                        .isEqualTo("dur-alice/t" + i);
            }
        }
        try (JdbiStore reopened = JdbiStore.open(
                StoreConfig.sqlite(home.resolve("hangar.db")),
                dev.hangar.core.secret.SecretKeyFile.loadOrCreate(home.resolve("secrets.key")))) {
            List<AuditEntry> kept = reopened.audit()
                    .list(new AuditQuery(java.time.Instant.EPOCH, "dur-alice", "token.create", AuditQuery.START), 1000);
            assertThat(kept).hasSize(writes);
            assertThat(kept).extracting(AuditEntry::outcome).containsOnly("201");
        }
    }
}
