package dev.hangar.store;

import static dev.hangar.store.Fixtures.T0;
import static dev.hangar.store.Fixtures.workspace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.ApiToken;
import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.SshPublicKey;
import dev.hangar.core.domain.StaleVersionException;
import dev.hangar.core.domain.TokenAndOwner;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.UserSshKey;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.domain.WorkspaceParameters;
import dev.hangar.core.domain.WorkspaceSummary;
import dev.hangar.core.store.Store;
import dev.hangar.core.store.StoreException;
import dev.hangar.core.store.WorkspaceCursor;
import dev.hangar.core.store.WorkspaceFilter;
import dev.hangar.provider.spi.DeviceRequest;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link JdbiStore} must show, whatever the database. Each test gets a fresh,
 * empty database from {@link #newDatabase()}; subclasses run the suite on a real SQLite file and on
 * a real PostgreSQL server.
 */
abstract class StoreContractTest
        implements AuditStoreContract,
                QuotaStoreContract,
                OidcIdentityStoreContract,
                LabStoreContract,
                SecretStoreContract,
                DeviceClaimStoreContract,
                DeviceStoreContract,
                ResetStoreContract,
                ReconcileClaimStoreContract,
                SealedHostKeyContract,
                WorkspaceGenerationContract {

    protected StoreConfig config;
    protected JdbiStore store;

    /** @return the config of a new, empty database that no other test uses */
    protected abstract StoreConfig newDatabase() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        config = newDatabase();
        store = JdbiStore.open(config, Fixtures.KEY);
    }

    @Override
    public JdbiStore sealedStore() {
        return store;
    }

    @Override
    public StoreConfig sealedStoreConfig() {
        return config;
    }

    @Override
    public JdbiStore auditedStore() {
        return store;
    }

    @Override
    public JdbiStore labStore() {
        return store;
    }

    @Override
    public long labMemberRows() throws Exception {
        try (java.sql.Connection c =
                        java.sql.DriverManager.getConnection(config.jdbcUrl(), config.username(), config.password());
                java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM lab_members")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public JdbiStore quotaStore() {
        return store;
    }

    @Override
    public JdbiStore identityStore() {
        return store;
    }

    @Override
    public JdbiStore secretStore() {
        return store;
    }

    @Override
    public JdbiStore deviceClaimStore() {
        return store;
    }

    @Override
    public JdbiStore deviceStore() {
        return store;
    }

    @Override
    public JdbiStore resetStore() {
        return store;
    }

    @Override
    public JdbiStore claimStore() {
        return store;
    }

    @Override
    public JdbiStore generationStore() {
        return store;
    }

    @Override
    public StoreConfig generationStoreConfig() {
        return config;
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    // ---- activity (idle auto-stop) ------------------------------------------------------------

    @Test
    void activityRowsUpsertReadBackAndGoWithTheirWorkspace() {
        Workspace w = store.workspaces().insert(workspace("alice", "idle"));
        Instant t = T0.truncatedTo(ChronoUnit.MILLIS).plusMillis(1234);
        var first = dev.hangar.core.autostop.WorkspaceActivity.startingAt(
                w.id(),
                t,
                java.util.Optional.of(new dev.hangar.core.autostop.Autostop(java.time.Duration.ofMinutes(30))));
        assertThat(store.activity().find(w.id())).isEmpty();
        store.activity().save(first);
        assertThat(store.activity().find(w.id())).contains(first);

        var second = first.activeAt(t.plusSeconds(60))
                .leasedUntil(t.plusSeconds(3600))
                .warned();
        store.inTransaction(tx -> {
            tx.activity().save(second);
            return null;
        });
        assertThat(store.activity().find(w.id())).contains(second);
        var templateSetting =
                dev.hangar.core.autostop.WorkspaceActivity.startingAt(w.id(), t, java.util.Optional.empty());
        store.activity().save(templateSetting);
        assertThat(store.activity().find(w.id())).contains(templateSetting);

        assertThatThrownBy(() -> store.activity()
                        .save(dev.hangar.core.autostop.WorkspaceActivity.startingAt(
                                UUID.randomUUID().toString(), t, java.util.Optional.empty())))
                .isInstanceOf(dev.hangar.core.store.StoreException.class);
        assertThat(store.workspaces().delete(w.id(), w.version())).isTrue();
        assertThat(store.activity().find(w.id())).isEmpty();
    }

    @Test
    void userAutostopDefaultsAreSetReplacedClearedAndGoWithTheirUser() {
        var twoHours = new dev.hangar.core.autostop.Autostop(java.time.Duration.ofHours(2));
        store.users().insert(new User("idler", false, T0));
        store.users().insert(new User("worker", false, T0));
        assertThat(store.activity().userDefault("idler")).isEmpty();

        store.activity().setUserDefault("idler", java.util.Optional.of(twoHours));
        store.activity().setUserDefault("worker", java.util.Optional.of(dev.hangar.core.autostop.Autostop.OFF));
        assertThat(store.activity().userDefault("idler")).contains(twoHours);
        assertThat(store.activity().userDefaults())
                .containsExactly(
                        java.util.Map.entry("idler", twoHours),
                        java.util.Map.entry("worker", dev.hangar.core.autostop.Autostop.OFF));
        var thirty = new dev.hangar.core.autostop.Autostop(java.time.Duration.ofMinutes(30));
        store.activity().setUserDefault("idler", java.util.Optional.of(thirty));
        assertThat(store.activity().userDefault("idler")).contains(thirty);

        store.activity().setUserDefault("worker", java.util.Optional.empty());
        store.activity().setUserDefault("worker", java.util.Optional.empty()); // idempotent
        assertThat(store.activity().userDefault("worker")).isEmpty();
        assertThatThrownBy(() -> store.activity().setUserDefault("nobody", java.util.Optional.of(thirty)))
                .isInstanceOf(dev.hangar.core.domain.NotFoundException.class)
                .hasMessageContaining("nobody");
        assertThat(store.users().delete("idler")).isTrue();
        assertThat(store.activity().userDefaults()).isEmpty();
    }

    // ---- workspaces ---------------------------------------------------------------------------

    @Test
    void insertedWorkspaceReadsBackEqualWithInstantsTruncatedToMillis() {
        Workspace w = workspace("alice", "dev");

        Workspace inserted = store.workspaces().insert(w);

        assertThat(inserted.createdAt()).isEqualTo(T0.truncatedTo(ChronoUnit.MILLIS));
        assertThat(inserted.updatedAt()).isEqualTo(T0.plusMillis(5).truncatedTo(ChronoUnit.MILLIS));
        assertThat(inserted.version()).isEqualTo(1);
        assertThat(inserted.hostKey().privateKeyOpenSsh()).isEqualTo(w.hostKey().privateKeyOpenSsh());
        assertThat(store.workspaces().find(w.id())).contains(inserted);
        assertThat(store.workspaces().findByName("alice", "dev")).contains(inserted);
        assertThat(store.workspaces().find(UUID.randomUUID().toString())).isEmpty();
        assertThat(store.workspaces().findByName("alice", "other")).isEmpty();
        assertThat(store.workspaces().findByName("bob", "dev")).isEmpty();
    }

    @Test
    void randomWorkspacesRoundTripExactly() {
        // Property-style: many generated values, including awkward text, instants before 1970 and
        // with nanoseconds, and every enum constant; each must read back exactly as stored.
        Random random = new Random(20261121);
        for (int i = 0; i < 60; i++) {
            Workspace w = randomWorkspace(random, "owner" + i % 3, "ws-" + i);
            Workspace inserted = store.workspaces().insert(w);
            assertThat(inserted).isEqualTo(truncated(w));
            assertThat(store.workspaces().find(w.id())).contains(inserted);

            Workspace changed = randomWorkspace(random, w.owner(), w.name() + "-x");
            Workspace next = new Workspace(
                    w.id(),
                    changed.spec(),
                    changed.status(),
                    changed.createdAt(),
                    changed.updatedAt(),
                    inserted.version());
            Workspace updated = store.workspaces().update(next);
            assertThat(updated).isEqualTo(truncated(next).withVersion(inserted.version() + 1));
            assertThat(store.workspaces().find(w.id())).contains(updated);
        }
        assertThat(store.workspaces().count()).isEqualTo(60);
    }

    @Test
    void duplicateNameForSameOwnerIsAConflictOnName() {
        store.workspaces().insert(workspace("alice", "dev"));

        assertThatThrownBy(() -> store.workspaces().insert(workspace("alice", "dev")))
                .isInstanceOf(ConflictException.class)
                .isNotInstanceOf(StaleVersionException.class)
                .hasMessageContaining("dev")
                .extracting(e -> ((ConflictException) e).field())
                .isEqualTo("name");
        // another owner may use the same name
        store.workspaces().insert(workspace("bob", "dev"));
        assertThat(store.workspaces().count()).isEqualTo(2);
    }

    @Test
    void duplicateIdIsAConflictOnId() {
        Workspace w = store.workspaces().insert(workspace("alice", "dev"));
        Workspace sameId = new Workspace(
                w.id(),
                new Workspace.Spec(
                        "other", "alice", w.template(), w.providerType(), w.parameters(), w.hostKey(), w.desired()),
                w.status(),
                w.createdAt(),
                w.updatedAt(),
                1);

        assertThatThrownBy(() -> store.workspaces().insert(sameId))
                .isInstanceOf(ConflictException.class)
                .extracting(e -> ((ConflictException) e).field())
                .isEqualTo("id");
    }

    @Test
    void updateStoresEveryFieldAndBumpsTheVersion() {
        Workspace w = store.workspaces().insert(workspace("alice", "dev"));
        Instant later = T0.plusSeconds(60).plusNanos(999_999);
        Workspace changed = w.withPhase(Phase.Running, "booted", later)
                .withDesired(DesiredState.STOPPED, later)
                .withSsh("127.0.0.1", 40022)
                .withRestartPending(true)
                .withFailures(3);

        Workspace updated = store.workspaces().update(changed);

        assertThat(updated.version()).isEqualTo(2);
        assertThat(updated.updatedAt()).isEqualTo(later.truncatedTo(ChronoUnit.MILLIS));
        assertThat(store.workspaces().find(w.id())).contains(updated);
        Workspace stored = store.workspaces().find(w.id()).orElseThrow();
        assertThat(stored.phase()).isEqualTo(Phase.Running);
        assertThat(stored.reason()).isEqualTo("booted");
        assertThat(stored.desired()).isEqualTo(DesiredState.STOPPED);
        assertThat(stored.sshHost()).isEqualTo("127.0.0.1");
        assertThat(stored.sshPort()).isEqualTo(40022);
        assertThat(stored.restartPending()).isTrue();
        assertThat(stored.failures()).isEqualTo(3);
    }

    @Test
    void updateWithStaleVersionFailsAndChangesNothing() {
        Workspace w = store.workspaces().insert(workspace("alice", "dev"));
        Workspace v2 = store.workspaces().update(w.withFailures(1));

        assertThatThrownBy(() -> store.workspaces().update(w.withFailures(7)))
                .isInstanceOf(StaleVersionException.class)
                .hasMessageContaining(w.id());
        assertThat(store.workspaces().find(w.id())).contains(v2);
    }

    @Test
    void updateOfMissingRowIsNotFound() {
        Workspace never = workspace("alice", "ghost");

        assertThatThrownBy(() -> store.workspaces().update(never))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining(never.id());
        assertThat(store.workspaces().count()).isZero();
    }

    @Test
    void updateRenamingOntoAnExistingNameIsAConflictOnName() {
        store.workspaces().insert(workspace("alice", "taken"));
        Workspace w = store.workspaces().insert(workspace("alice", "dev"));
        Workspace renamed = new Workspace(
                w.id(),
                new Workspace.Spec(
                        "taken", w.owner(), w.template(), w.providerType(), w.parameters(), w.hostKey(), w.desired()),
                w.status(),
                w.createdAt(),
                w.updatedAt(),
                w.version());

        assertThatThrownBy(() -> store.workspaces().update(renamed))
                .isInstanceOf(ConflictException.class)
                .extracting(e -> ((ConflictException) e).field())
                .isEqualTo("name");
        assertThat(store.workspaces().find(w.id())).contains(w);
    }

    @Test
    void deleteChecksTheVersionIsIdempotentAndCascadesToEvents() {
        Workspace w = store.workspaces().insert(workspace("alice", "dev"));
        Workspace other = store.workspaces().insert(workspace("alice", "keep"));
        store.events().append(event(w.id(), "created"));
        store.events().append(event(w.id(), "phase"));
        store.events().append(event(other.id(), "created"));
        Workspace v2 = store.workspaces().update(w.withFailures(1));

        assertThatThrownBy(() -> store.workspaces().delete(w.id(), 1)).isInstanceOf(StaleVersionException.class);
        assertThat(store.workspaces().find(w.id())).contains(v2);
        assertThat(store.events().list(w.id(), 10)).hasSize(2);

        assertThat(store.workspaces().delete(w.id(), 2)).isTrue();
        assertThat(store.workspaces().find(w.id())).isEmpty();
        assertThat(store.events().list(w.id(), 10)).isEmpty();
        assertThat(rawCount("SELECT COUNT(*) FROM workspace_events WHERE workspace_id = '" + w.id() + "'"))
                .isZero();
        assertThat(store.events().list(other.id(), 10)).hasSize(1);

        assertThat(store.workspaces().delete(w.id(), 2)).isFalse();
        assertThat(store.workspaces().delete(w.id(), 99)).isFalse();
        assertThat(store.workspaces().delete(UUID.randomUUID().toString(), 1)).isFalse();
        assertThat(store.workspaces().count()).isEqualTo(1);
    }

    @Test
    void listPagesByKeysetWithoutRepeatsOrGapsWhileRowsChange() {
        Workspace aliceAb = store.workspaces().insert(workspace("alice", "ab", "ubuntu", "qemu", Phase.Stopped));
        Workspace bobZeta = store.workspaces().insert(workspace("bob", "zeta", "debian", "qemu", Phase.Running));
        Workspace aliceDash = store.workspaces().insert(workspace("alice", "a-b", "debian", "qemu", Phase.Running));
        Workspace bobX = store.workspaces().insert(workspace("bob-x", "m", "debian", "qemu", Phase.Failed));
        Workspace alice1 = store.workspaces().insert(workspace("alice", "a1", "ubuntu", "qemu", Phase.Pending));

        List<Workspace> first = store.workspaces().list(WorkspaceFilter.ALL, WorkspaceCursor.START, 2);
        assertThat(first).containsExactly(aliceDash, alice1);
        // a row inserted before the cursor and one after it, between pages: the next page neither
        // repeats nor skips rows that were there (keyset, not OFFSET)
        store.workspaces().insert(workspace("aaron", "zz", "debian", "qemu", Phase.Running));
        Workspace bobAlpha = store.workspaces().insert(workspace("bob", "alpha", "debian", "qemu", Phase.Running));
        List<Workspace> second = store.workspaces().list(WorkspaceFilter.ALL, WorkspaceCursor.after("alice", "a1"), 2);
        assertThat(second).containsExactly(aliceAb, bobAlpha);
        assertThat(store.workspaces().list(WorkspaceFilter.ALL, WorkspaceCursor.after("bob", "alpha"), 2))
                .containsExactly(bobZeta, bobX);
        assertThat(store.workspaces().list(WorkspaceFilter.ALL, WorkspaceCursor.after("bob-x", "m"), 2))
                .isEmpty();
        // filters and cursor combine; the cursor need not name an existing row
        assertThat(store.workspaces()
                        .list(
                                new WorkspaceFilter("", Set.of(Phase.Running), "", ""),
                                WorkspaceCursor.after("b", ""),
                                5))
                .containsExactly(bobAlpha, bobZeta);
        assertThatThrownBy(() -> store.workspaces().list(WorkspaceFilter.ALL, WorkspaceCursor.START, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit");
    }

    @Test
    void summariesArePagesOfListWithoutSecrets() {
        Workspace plain = store.workspaces().insert(workspace("alice", "ab", "ubuntu", "qemu", Phase.Stopped));
        Workspace rich = store.workspaces()
                .insert(new Workspace(
                        UUID.randomUUID().toString(),
                        new Workspace.Spec(
                                "rich",
                                "alice",
                                "debian",
                                "docker",
                                new WorkspaceParameters(
                                        new Resources(4, 8192, 40),
                                        "debian-12",
                                        "#cloud-config\n",
                                        "/srv/dev/rich",
                                        List.of(
                                                new DeviceRequest("nvidia.com/gpu", 1),
                                                new DeviceRequest("example.com/usb", 2))),
                                Fixtures.hostKey(),
                                DesiredState.STOPPED),
                        Workspace.Status.PENDING.withPhase(Phase.Failed, "boot failed: no disk"),
                        T0,
                        T0.plusSeconds(3),
                        1));
        Workspace bob = store.workspaces().insert(workspace("bob", "zeta", "debian", "qemu", Phase.Running));
        Workspace aliceDash = store.workspaces().insert(workspace("alice", "a-b", "debian", "qemu", Phase.Running));
        Workspace changed = store.workspaces().update(bob.withPhase(Phase.Stopped, "stopped by alice", T0));

        List<WorkspaceFilter> filters = List.of(
                WorkspaceFilter.ALL,
                WorkspaceFilter.ownedBy("alice"),
                new WorkspaceFilter("", Set.of(Phase.Failed, Phase.Stopped), "", ""),
                new WorkspaceFilter("", Set.of(), "debian", "qemu"));
        for (WorkspaceFilter f : filters) {
            for (WorkspaceCursor after : List.of(
                    WorkspaceCursor.START, WorkspaceCursor.after("alice", "a-b"), WorkspaceCursor.after("b", ""))) {
                for (int limit : List.of(1, 2, Integer.MAX_VALUE)) {
                    assertThat(store.workspaces().summaries(f, after, limit))
                            .as("%s after %s, limit %d", f, after, limit)
                            .isEqualTo(store.workspaces().list(f, after, limit).stream()
                                    .map(WorkspaceSummary::of)
                                    .toList());
                }
            }
        }
        assertThat(store.workspaces().summaries(WorkspaceFilter.ALL, WorkspaceCursor.START, 10))
                .containsExactly(
                        WorkspaceSummary.of(aliceDash),
                        WorkspaceSummary.of(plain),
                        WorkspaceSummary.of(rich),
                        WorkspaceSummary.of(changed));
        WorkspaceSummary s = store.workspaces()
                .summaries(WorkspaceFilter.ownedBy("alice"), WorkspaceCursor.after("alice", "ab"), 1)
                .getFirst();
        assertThat(s.devices())
                .containsExactly(new DeviceRequest("nvidia.com/gpu", 1), new DeviceRequest("example.com/usb", 2));
        assertThat(s.devcontainer()).isEqualTo("/srv/dev/rich");
        assertThat(s.hostKeyPublic()).isEqualTo(rich.hostKey().publicKey());
        assertThat(s.reason()).isEqualTo("boot failed: no disk");
        assertThatThrownBy(() -> store.workspaces().summaries(WorkspaceFilter.ALL, WorkspaceCursor.START, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit");
    }

    @Test
    void countByPhaseCountsInOneQuery() {
        assertThat(store.workspaces().countByPhase()).isEmpty();
        store.workspaces().insert(workspace("alice", "a", "debian", "qemu", Phase.Running));
        store.workspaces().insert(workspace("alice", "b", "debian", "qemu", Phase.Running));
        store.workspaces().insert(workspace("bob", "c", "debian", "qemu", Phase.Failed));
        assertThat(store.workspaces().countByPhase())
                .containsOnly(Map.entry(Phase.Running, 2L), Map.entry(Phase.Failed, 1L));
    }

    @Test
    void listFiltersByEveryFieldAndOrdersByOwnerThenNameBytewise() {
        Workspace aliceAb = store.workspaces().insert(workspace("alice", "ab", "ubuntu", "kubernetes", Phase.Stopped));
        Workspace bobZeta = store.workspaces().insert(workspace("bob", "zeta", "debian", "qemu", Phase.Running));
        Workspace aliceDash = store.workspaces().insert(workspace("alice", "a-b", "debian", "qemu", Phase.Running));
        Workspace bobX = store.workspaces().insert(workspace("bob-x", "m", "debian", "kubevirt", Phase.Failed));
        Workspace alice1 = store.workspaces().insert(workspace("alice", "a1", "ubuntu", "qemu", Phase.Pending));

        // byte order ('-' < '1' < 'b'), as SQLite's BINARY and PostgreSQL's "C" collation give it
        assertThat(store.workspaces().list(WorkspaceFilter.ALL))
                .containsExactly(aliceDash, alice1, aliceAb, bobZeta, bobX);
        assertThat(store.workspaces().list(WorkspaceFilter.ownedBy("alice")))
                .containsExactly(aliceDash, alice1, aliceAb);
        assertThat(store.workspaces().list(WorkspaceFilter.ownedBy("bob"))).containsExactly(bobZeta);
        assertThat(store.workspaces().list(WorkspaceFilter.ownedBy("nobody"))).isEmpty();
        assertThat(store.workspaces().list(new WorkspaceFilter("", Set.of(Phase.Running), "", "")))
                .containsExactly(aliceDash, bobZeta);
        assertThat(store.workspaces().list(new WorkspaceFilter("", Set.of(Phase.Running, Phase.Failed), "", "")))
                .containsExactly(aliceDash, bobZeta, bobX);
        assertThat(store.workspaces().list(new WorkspaceFilter("", Set.of(), "ubuntu", "")))
                .containsExactly(alice1, aliceAb);
        assertThat(store.workspaces().list(new WorkspaceFilter("", Set.of(), "", "qemu")))
                .containsExactly(aliceDash, alice1, bobZeta);
        assertThat(store.workspaces()
                        .list(new WorkspaceFilter("alice", Set.of(Phase.Running, Phase.Pending), "debian", "qemu")))
                .containsExactly(aliceDash);
        assertThat(store.workspaces().list(new WorkspaceFilter("alice", Set.of(Phase.Deleting), "", "")))
                .isEmpty();
        assertThat(store.workspaces().count()).isEqualTo(5);
    }

    @Test
    void identicalConsecutiveEventsAreFoldedIntoOneWithACount() {
        Workspace w = store.workspaces().insert(workspace("alice", "fold"));
        Workspace other = store.workspaces().insert(workspace("alice", "fold-other"));
        WorkspaceEvent first = store.events().append(event(w.id(), "error"));
        assertThat(first.count()).isEqualTo(1);

        WorkspaceEvent again = store.events().append(event(w.id(), "error"));
        store.events().append(event(other.id(), "error")); // another workspace's event does not interrupt
        WorkspaceEvent third = store.events()
                .append(new WorkspaceEvent(0, w.id(), T0.plusSeconds(9), "system", "error", first.message()));

        assertThat(again.seq()).isEqualTo(first.seq());
        assertThat(again.count()).isEqualTo(2);
        assertThat(third).isEqualTo(first.withCount(3));
        assertThat(store.events().list(w.id(), 10)).containsExactly(first.withCount(3));

        WorkspaceEvent byUser =
                store.events().append(new WorkspaceEvent(0, w.id(), T0, "alice", "error", first.message()));
        WorkspaceEvent after = store.events().append(event(w.id(), "error"));
        assertThat(byUser.seq()).as("another actor is another event").isGreaterThan(first.seq());
        assertThat(after.seq()).as("only the newest event folds").isGreaterThan(byUser.seq());
        assertThat(store.events().list(w.id(), 10))
                .extracting(WorkspaceEvent::count)
                .containsExactly(3, 1, 1);
        assertThat(store.events().list(other.id(), 10))
                .extracting(WorkspaceEvent::count)
                .containsExactly(1);
    }

    @Test
    void textWithNulIsRefusedOnBothDatabases() {
        Workspace bad = workspace("alice", "dev").withPhase(Phase.Failed, "oops\0", T0);

        assertThatThrownBy(() -> store.workspaces().insert(bad))
                .isInstanceOf(ValidationException.class)
                .extracting(e -> ((ValidationException) e).field())
                .isEqualTo("reason");
        assertThat(store.workspaces().count()).isZero();
    }

    // ---- events -------------------------------------------------------------------------------

    @Test
    void eventsGetIncreasingSeqAndListReturnsTheNewestOldestFirst() {
        Workspace w = store.workspaces().insert(workspace("alice", "dev"));
        Workspace other = store.workspaces().insert(workspace("alice", "other"));
        List<WorkspaceEvent> appended = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            appended.add(store.events().append(event(w.id(), "phase-" + i)));
            store.events().append(event(other.id(), "noise-" + i));
        }

        assertThat(appended).extracting(WorkspaceEvent::seq).isSorted().doesNotHaveDuplicates();
        assertThat(appended.getFirst().seq()).isPositive();
        assertThat(appended.getFirst().at()).isEqualTo(T0.truncatedTo(ChronoUnit.MILLIS));
        assertThat(store.events().list(w.id(), 100)).containsExactlyElementsOf(appended);
        assertThat(store.events().list(w.id(), 3)).containsExactlyElementsOf(appended.subList(2, 5));
        assertThat(store.events().list(w.id(), 1)).containsExactly(appended.getLast());
        assertThat(store.events().list(w.id(), 0)).isEmpty();
        assertThat(store.events().list(UUID.randomUUID().toString(), 10)).isEmpty();
        assertThatThrownBy(() -> store.events().list(w.id(), -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit");
    }

    @Test
    void appendingToAMissingWorkspaceIsNotFound() {
        String missing = UUID.randomUUID().toString();

        assertThatThrownBy(() -> store.events().append(event(missing, "created")))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining(missing);
        assertThat(rawCount("SELECT COUNT(*) FROM workspace_events")).isZero();
    }

    // ---- users, keys, tokens ------------------------------------------------------------------

    @Test
    void usersAreUniqueByNameAndListedByName() {
        User bob = store.users().insert(new User("bob", false, T0));
        User alice = store.users().insert(new User("alice", true, T0.plusNanos(1)));
        User carol = store.users().insert(new User("carol", false, T0.plusSeconds(1)));

        assertThat(bob.createdAt()).isEqualTo(T0.truncatedTo(ChronoUnit.MILLIS));
        assertThat(store.users().find("alice")).contains(alice);
        assertThat(store.users().find("alice").orElseThrow().admin()).isTrue();
        assertThat(store.users().find("dave")).isEmpty();
        assertThat(store.users().list()).containsExactly(alice, bob, carol);
        assertThatThrownBy(() -> store.users().insert(new User("bob", true, T0)))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("bob")
                .extracting(e -> ((ConflictException) e).field())
                .isEqualTo("name");
        assertThat(store.users().find("bob")).contains(bob);
    }

    @Test
    void sshKeysAreGloballyUniqueByFingerprintAndOrderedByWhenAdded() {
        store.users().insert(new User("alice", false, T0));
        store.users().insert(new User("bob", false, T0));
        SshPublicKey first = Fixtures.userKey("alice@laptop");
        SshPublicKey second = Fixtures.userKey("alice@desktop");
        SshPublicKey third = Fixtures.userKey("alice@tablet");
        UserSshKey k2 = store.users().addKey(new UserSshKey("alice", second, T0.plusSeconds(5)));
        UserSshKey k1 = store.users().addKey(new UserSshKey("alice", first, T0));
        // same millisecond as k2: ties keep the order in which they were added
        UserSshKey k3 = store.users()
                .addKey(new UserSshKey("alice", third, T0.plusSeconds(5).plusNanos(1)));

        assertThat(store.users().keys("alice")).containsExactly(k1, k2, k3);
        assertThat(store.users().keys("bob")).isEmpty();
        assertThat(store.users().findKey(first.fingerprint())).contains(k1);
        assertThat(k1.key().fingerprint()).startsWith("SHA256:");
        assertThatThrownBy(() -> store.users().addKey(new UserSshKey("bob", first, T0)))
                .isInstanceOf(ConflictException.class)
                .hasMessageNotContaining("alice")
                .extracting(e -> ((ConflictException) e).field())
                .isEqualTo("key");
        assertThatThrownBy(() -> store.users().addKey(new UserSshKey("alice", first, T0)))
                .isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> store.users().addKey(new UserSshKey("nobody", Fixtures.userKey("x"), T0)))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("nobody");

        assertThat(store.users().removeKey("bob", first.fingerprint())).isFalse();
        assertThat(store.users().removeKey("alice", first.fingerprint())).isTrue();
        assertThat(store.users().removeKey("alice", first.fingerprint())).isFalse();
        assertThat(store.users().findKey(first.fingerprint())).isEmpty();
        assertThat(store.users().keys("alice")).containsExactly(k2, k3);
        // once removed, the key can be registered again, by anyone
        assertThat(store.users().addKey(new UserSshKey("bob", first, T0)).owner())
                .isEqualTo("bob");
    }

    @Test
    void tokensStoreOnlyTheHashAndAreFoundAndRemovedById() throws SQLException {
        store.users().insert(new User("alice", false, T0));
        ApiToken token = new ApiToken("0123456789abcdef", "alice", "ab".repeat(32), "cli", T0);

        ApiToken stored = store.users().insertToken(token);

        assertThat(stored.createdAt()).isEqualTo(T0.truncatedTo(ChronoUnit.MILLIS));
        assertThat(store.users().findToken("0123456789abcdef")).contains(stored);
        assertThat(store.users().findToken("ffffffffffffffff")).isEmpty();
        assertThat(rawColumns("api_tokens"))
                .containsExactlyInAnyOrder(
                        "id", "owner", "secret_hash", "name", "created_at_ms", "expires_at_ms", "last_used_at_ms");
        assertThatThrownBy(() -> store.users()
                        .insertToken(new ApiToken("0123456789abcdef", "alice", "ab".repeat(32), "other", T0)))
                .isInstanceOf(ConflictException.class)
                .extracting(e -> ((ConflictException) e).field())
                .isEqualTo("id");
        assertThatThrownBy(() -> store.users()
                        .insertToken(new ApiToken("1111111111111111", "ghost", "cd".repeat(32), "cli", T0)))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("ghost");
        assertThat(store.users().removeToken("0123456789abcdef")).isTrue();
        assertThat(store.users().removeToken("0123456789abcdef")).isFalse();
        assertThat(store.users().findToken("0123456789abcdef")).isEmpty();
    }

    @Test
    void aTokenIsReadWithItsOwnersCurrentRowInOneCall() {
        store.users().insert(new User("olga", Role.AUDITOR, false, T0.plusMillis(7)));
        ApiToken stored = store.users()
                .insertToken(new ApiToken(
                        "00000000000000e1",
                        "olga",
                        "ef".repeat(32),
                        "ci",
                        T0.plusSeconds(1),
                        Optional.of(T0.plusSeconds(3600)),
                        Optional.of(T0.plusSeconds(2))));

        TokenAndOwner found =
                store.users().findTokenWithOwner("00000000000000e1").orElseThrow();

        assertThat(found.token())
                .isEqualTo(stored)
                .isEqualTo(store.users().findToken("00000000000000e1").orElseThrow());
        assertThat(found.owner()).isEqualTo(store.users().find("olga").orElseThrow());
        assertThat(store.users().findTokenWithOwner("ffffffffffffffff")).isEmpty();
        // never a stale owner: a role change or a disable is in the next read
        store.users().update(new User("olga", Role.MEMBER, true, T0));
        assertThat(store.users()
                        .findTokenWithOwner("00000000000000e1")
                        .orElseThrow()
                        .owner())
                .extracting(User::role, User::disabled)
                .containsExactly(Role.MEMBER, true);
        store.users().removeToken("00000000000000e1");
        assertThat(store.users().findTokenWithOwner("00000000000000e1")).isEmpty();
    }

    @Test
    void tokenNamesAreUniquePerOwnerAndExpiryAndLastUseRoundTrip() {
        store.users().insert(new User("alice", false, T0));
        store.users().insert(new User("bob", false, T0));
        ApiToken ci = store.users()
                .insertToken(new ApiToken(
                        "00000000000000c1",
                        "alice",
                        "ab".repeat(32),
                        "ci",
                        T0,
                        Optional.of(T0.plusSeconds(3600).plusNanos(7)),
                        Optional.empty()));
        ApiToken bobsCi = store.users().insertToken(new ApiToken("00000000000000b1", "bob", "cd".repeat(32), "ci", T0));
        ApiToken alpha =
                store.users().insertToken(new ApiToken("00000000000000a1", "alice", "ef".repeat(32), "alpha", T0));

        assertThat(ci.expiresAt()).contains(T0.plusSeconds(3600).truncatedTo(ChronoUnit.MILLIS));
        assertThat(store.users().findToken("00000000000000c1")).contains(ci);
        assertThat(store.users().tokens("alice")).containsExactly(alpha, ci);
        assertThat(store.users().tokens("bob")).containsExactly(bobsCi);
        assertThatThrownBy(() ->
                        store.users().insertToken(new ApiToken("00000000000000c2", "alice", "12".repeat(32), "ci", T0)))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("ci")
                .extracting(e -> ((ConflictException) e).field())
                .isEqualTo("name");

        Instant used = T0.plusSeconds(100).truncatedTo(ChronoUnit.MILLIS);
        assertThat(store.users().touchToken("00000000000000c1", used, used.minusSeconds(60)))
                .isTrue();
        // within the minute: not written again
        assertThat(store.users().touchToken("00000000000000c1", used.plusSeconds(30), used.minusSeconds(30)))
                .isFalse();
        assertThat(store.users().findToken("00000000000000c1").orElseThrow().lastUsedAt())
                .contains(used);
        assertThat(store.users().touchToken("00000000000000c1", used.plusSeconds(61), used.plusSeconds(1)))
                .isTrue();
        assertThat(store.users().findToken("00000000000000c1").orElseThrow().lastUsedAt())
                .contains(used.plusSeconds(61));
        assertThat(store.users().touchToken("ffffffffffffffff", used, used)).isFalse();
    }

    @Test
    void usersHaveARoleAndADisabledFlagAndDeleteTakesTheirKeysAndTokens() {
        User audrey = store.users().insert(new User("audrey", Role.AUDITOR, false, T0));
        store.users().insert(new User("zed", Role.MEMBER, false, T0));
        store.users().addKey(new UserSshKey("audrey", Fixtures.userKey("audrey@pc"), T0));
        store.users().insertToken(new ApiToken("00000000000000d1", "audrey", "ab".repeat(32), "cli", T0));

        assertThat(store.users().find("audrey")).contains(audrey);
        User disabled = store.users().update(audrey.withDisabled(true).withRole(Role.ADMIN));
        assertThat(disabled.disabled()).isTrue();
        assertThat(disabled.role()).isEqualTo(Role.ADMIN);
        assertThat(store.users().find("audrey")).contains(disabled);
        assertThatThrownBy(() -> store.users().update(new User("ghost", Role.MEMBER, false, T0)))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("ghost");

        assertThat(store.users().delete("audrey")).isTrue();
        assertThat(store.users().delete("audrey")).isFalse();
        assertThat(store.users().find("audrey")).isEmpty();
        assertThat(store.users().findToken("00000000000000d1")).isEmpty();
        assertThat(store.users().keys("audrey")).isEmpty();
        assertThat(store.users().list()).extracting(User::name).containsExactly("zed");
    }

    @Test
    void migratingAVersion2DatabaseKeepsAdminsAndTheFirstStartToken() throws Exception {
        // SQLite's newDatabase() is the file the store already opened; another file next to it
        StoreConfig old =
                config.isSqlite() ? StoreConfig.sqlite(config.sqliteFile().resolveSibling("v2.db")) : newDatabase();
        org.flywaydb.core.Flyway.configure()
                .dataSource(old.jdbcUrl(), old.username(), old.password())
                .locations(Dialect.of(old).migrations())
                .target("2")
                .load()
                .migrate();
        boolean sqlite = old.isSqlite();
        try (Connection c = DriverManager.getConnection(old.jdbcUrl(), old.username(), old.password());
                Statement st = c.createStatement()) {
            String yes = sqlite ? "1" : "TRUE";
            String no = sqlite ? "0" : "FALSE";
            st.execute("INSERT INTO users (name, admin, created_at_ms) VALUES ('root', " + yes + ", 1)");
            st.execute("INSERT INTO users (name, admin, created_at_ms) VALUES ('bob', " + no + ", 2)");
            st.execute("INSERT INTO api_tokens (id, owner, secret_hash, description, created_at_ms) VALUES"
                    + " ('00000000000000a1', 'root', 'aa', 'bootstrap (written to the CLI config)', 3)");
            st.execute("INSERT INTO api_tokens (id, owner, secret_hash, description, created_at_ms) VALUES"
                    + " ('00000000000000b1', 'bob', 'bb', 'test', 4)");
            st.execute("INSERT INTO api_tokens (id, owner, secret_hash, description, created_at_ms) VALUES"
                    + " ('00000000000000b2', 'bob', 'cc', 'test', 5)");
        }
        try (JdbiStore migrated = JdbiStore.open(old, Fixtures.KEY)) {
            assertThat(migrated.users().find("root").orElseThrow().role()).isEqualTo(Role.ADMIN);
            assertThat(migrated.users().find("bob").orElseThrow().role()).isEqualTo(Role.MEMBER);
            assertThat(migrated.users().find("bob").orElseThrow().disabled()).isFalse();
            assertThat(migrated.users()
                            .findToken("00000000000000a1")
                            .orElseThrow()
                            .name())
                    .isEqualTo("initial");
            assertThat(migrated.users().tokens("bob"))
                    .extracting(ApiToken::name)
                    .containsExactly("token-00000000000000b1", "token-00000000000000b2");
            assertThat(migrated.users()
                            .findToken("00000000000000b1")
                            .orElseThrow()
                            .expiresAt())
                    .isEmpty();
        }
    }

    // ---- transactions -------------------------------------------------------------------------

    @Test
    void transactionCommitsAllItsWritesWhenWorkReturns() {
        Workspace w = workspace("alice", "dev");

        WorkspaceEvent created = store.inTransaction(tx -> {
            tx.workspaces().insert(w);
            return tx.events().append(event(w.id(), "created"));
        });

        assertThat(store.workspaces().find(w.id())).isPresent();
        assertThat(store.events().list(w.id(), 10)).containsExactly(created);
    }

    @Test
    void transactionRollsBackEverythingAndRethrowsWhenWorkThrows() {
        Workspace existing = store.workspaces().insert(workspace("alice", "existing"));
        Workspace w = workspace("alice", "dev");
        IllegalStateException boom = new IllegalStateException("boom");

        assertThatThrownBy(() -> store.inTransaction(tx -> {
                    tx.workspaces().insert(w);
                    tx.events().append(event(w.id(), "created"));
                    tx.workspaces().update(existing.withFailures(5));
                    tx.users().insert(new User("alice", false, T0));
                    throw boom;
                }))
                .isSameAs(boom);

        assertThat(store.workspaces().find(w.id())).isEmpty();
        assertThat(store.events().list(w.id(), 10)).isEmpty();
        assertThat(rawCount("SELECT COUNT(*) FROM workspace_events")).isZero();
        assertThat(store.workspaces().find(existing.id())).contains(existing);
        assertThat(store.users().list()).isEmpty();
        assertThat(store.workspaces().count()).isEqualTo(1);
    }

    @Test
    void nestedTransactionUsesTheSameHandleAndRollsBackOnlyItself() {
        Workspace a = workspace("alice", "a");
        Workspace b = workspace("alice", "b");
        Workspace c = workspace("alice", "c");
        RuntimeException inner = new IllegalArgumentException("inner");

        store.inTransaction(tx -> {
            tx.workspaces().insert(a);
            // the nested view sees the outer transaction's uncommitted row: same handle
            Optional<Workspace> seenNested =
                    tx.inTransaction(nested -> nested.workspaces().find(a.id()));
            assertThat(seenNested).isPresent();
            assertThatThrownBy(() -> tx.inTransaction(nested -> {
                        nested.workspaces().insert(b);
                        throw inner;
                    }))
                    .isSameAs(inner);
            assertThat(tx.workspaces().find(b.id())).isEmpty();
            return tx.inTransaction(nested -> nested.workspaces().insert(c));
        });

        assertThat(store.workspaces().list(WorkspaceFilter.ownedBy("alice")))
                .extracting(Workspace::name)
                .containsExactly("a", "c");
    }

    @Test
    void readsThroughTheOuterStoreSeeOnlyCommittedDataFromOtherThreadsButTheirOwnOnTheSameThread() throws Exception {
        Workspace a = workspace("alice", "a");

        store.inTransaction(tx -> {
            tx.workspaces().insert(a);
            // JDBI reuses the handle a thread already has open, so this read joins the transaction
            assertThat(store.workspaces().find(a.id())).isPresent();
            // another thread gets its own pooled connection and sees only committed data
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                assertThat(pool.submit(() -> store.workspaces().find(a.id())).get())
                        .isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return null;
        });

        assertThat(store.workspaces().find(a.id())).isPresent();
    }

    @Test
    void aConflictInsideATransactionLeavesItUsable() {
        store.workspaces().insert(workspace("alice", "dev"));
        Workspace fallback = workspace("alice", "dev-2");

        store.inTransaction(tx -> {
            assertThatThrownBy(() -> tx.workspaces().insert(workspace("alice", "dev")))
                    .isInstanceOf(ConflictException.class);
            return tx.workspaces().insert(fallback);
        });

        assertThat(store.workspaces().find(fallback.id())).isPresent();
    }

    @Test
    void writingThroughTheOuterStoreInsideATransactionIsRefused() {
        Workspace w = workspace("alice", "dev");

        store.inTransaction(tx -> {
            assertThatThrownBy(() -> store.workspaces().insert(w))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("inTransaction");
            assertThatThrownBy(() -> store.inTransaction(again -> 1)).isInstanceOf(IllegalStateException.class);
            return tx.workspaces().insert(w);
        });

        assertThat(store.workspaces().find(w.id())).isPresent();
    }

    @Test
    void theTransactionViewIsUnusableAfterTheTransactionEnds() {
        Store leaked = store.inTransaction(tx -> tx);

        assertThatThrownBy(() -> leaked.workspaces().count())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("after its transaction ended");
        assertThat(leaked.describe()).isEqualTo(store.describe());
    }

    // ---- concurrency --------------------------------------------------------------------------

    @Test
    void concurrentUpdatesOfOneVersionLetExactlyOneWin() throws Exception {
        Workspace w = store.workspaces().insert(workspace("alice", "dev"));
        int threads = 16;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < threads; i++) {
                int failures = i + 1;
                results.add(pool.submit(() -> {
                    start.await();
                    try {
                        store.workspaces().update(w.withFailures(failures));
                        return true;
                    } catch (StaleVersionException lost) {
                        return false;
                    }
                }));
            }
            start.countDown();
        }
        int successes = 0;
        for (Future<Boolean> r : results) if (r.get()) successes++;

        assertThat(successes).isEqualTo(1);
        Workspace stored = store.workspaces().find(w.id()).orElseThrow();
        assertThat(stored.version()).isEqualTo(successes + 1);
    }

    @Test
    void concurrentReadModifyWriteLoopsLoseNoUpdate() throws Exception {
        Workspace w = store.workspaces().insert(workspace("alice", "dev"));
        int threads = 16;
        AtomicInteger successes = new AtomicInteger();
        AtomicInteger staleRetries = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < threads; i++) {
                pool.submit(() -> {
                    start.await();
                    while (true) {
                        Workspace current = store.workspaces().find(w.id()).orElseThrow();
                        try {
                            store.workspaces().update(current.withFailures(current.failures() + 1));
                            successes.incrementAndGet();
                            return null;
                        } catch (StaleVersionException lost) {
                            staleRetries.incrementAndGet();
                        }
                    }
                });
            }
            start.countDown();
        }

        Workspace stored = store.workspaces().find(w.id()).orElseThrow();
        assertThat(successes.get()).isEqualTo(threads);
        assertThat(stored.failures()).isEqualTo(threads);
        assertThat(stored.version()).isEqualTo(successes.get() + 1);
    }

    @Test
    void concurrentTransactionsFromManyVirtualThreadsAllCommit() throws Exception {
        int threads = 48;
        List<Future<Workspace>> results = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < threads; i++) {
                Workspace w = workspace("owner-" + i % 4, "ws-" + i);
                results.add(pool.submit(() -> {
                    start.await();
                    return store.inTransaction(tx -> {
                        Workspace inserted = tx.workspaces().insert(w);
                        tx.events().append(event(w.id(), "created"));
                        return tx.workspaces().update(inserted.withFailures(1));
                    });
                }));
            }
            start.countDown();
        }

        for (Future<Workspace> r : results) {
            Workspace w = r.get();
            assertThat(store.workspaces().find(w.id())).contains(w);
            assertThat(store.events().list(w.id(), 10)).hasSize(1);
        }
        assertThat(store.workspaces().count()).isEqualTo(threads);
    }

    @Test
    void concurrentInsertsOfOneNameLetExactlyOneWin() throws Exception {
        int threads = 16;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    try {
                        store.workspaces().insert(workspace("alice", "dev"));
                        return "inserted";
                    } catch (ConflictException e) {
                        return e.field();
                    }
                }));
            }
            start.countDown();
        }
        List<String> outcomes = new ArrayList<>();
        for (Future<String> r : results) outcomes.add(r.get());

        assertThat(outcomes).filteredOn("inserted"::equals).hasSize(1);
        assertThat(outcomes).filteredOn("name"::equals).hasSize(threads - 1);
        assertThat(store.workspaces().count()).isEqualTo(1);
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    @Test
    void reopeningKeepsDataAndDoesNotRerunMigrations() throws SQLException {
        store.users().insert(new User("alice", true, T0));
        Workspace w = store.workspaces().insert(workspace("alice", "dev"));
        WorkspaceEvent e = store.events().append(event(w.id(), "created"));
        long applied = rawCount("SELECT COUNT(*) FROM flyway_schema_history");
        store.close();

        store = JdbiStore.open(config, Fixtures.KEY);
        store.close();
        store = JdbiStore.open(config, Fixtures.KEY);

        assertThat(applied).isPositive();
        assertThat(rawCount("SELECT COUNT(*) FROM flyway_schema_history")).isEqualTo(applied);
        assertThat(store.workspaces().find(w.id())).contains(w);
        assertThat(store.events().list(w.id(), 10)).containsExactly(e);
        assertThat(store.users().find("alice")).isPresent();
        // sequences continue after the reopen
        assertThat(store.events().append(event(w.id(), "again")).seq()).isGreaterThan(e.seq());
    }

    @Test
    void pingDescribeAndClose() {
        assertThat(store.ping()).isTrue();
        assertThat(store.describe()).doesNotContain("jdbc:").doesNotContain("?");
        if (!config.password().isEmpty()) {
            assertThat(store.describe()).doesNotContain(config.password());
            assertThat(config.toString()).doesNotContain(config.password());
            assertThat(store.toString()).doesNotContain(config.password());
        }

        store.close();
        store.close();

        assertThat(store.ping()).isFalse();
        assertThatThrownBy(() -> store.workspaces().count()).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.users().insert(new User("alice", false, T0)))
                .isInstanceOf(StoreException.class);
    }

    // ---- helpers ------------------------------------------------------------------------------

    static WorkspaceEvent event(String workspaceId, String type) {
        return new WorkspaceEvent(0, workspaceId, T0, "system", type, "something happened: " + type);
    }

    /** Runs a COUNT query on a plain JDBC connection, outside the store. */
    protected long rawCount(String sql) {
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), config.username(), config.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the column names of {@code table}, read through JDBC metadata */
    protected List<String> rawColumns(String table) throws SQLException {
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), config.username(), config.password());
                ResultSet rs = c.getMetaData().getColumns(null, null, table, null)) {
            List<String> names = new ArrayList<>();
            while (rs.next()) names.add(rs.getString("COLUMN_NAME").toLowerCase(java.util.Locale.ROOT));
            return names;
        }
    }

    private static Workspace truncated(Workspace w) {
        return w.withTimes(
                w.createdAt().truncatedTo(ChronoUnit.MILLIS), w.updatedAt().truncatedTo(ChronoUnit.MILLIS));
    }

    private static Workspace randomWorkspace(Random random, String owner, String name) {
        Phase[] phases = Phase.values();
        DesiredState[] desired = DesiredState.values();
        return new Workspace(
                UUID.randomUUID().toString(),
                new Workspace.Spec(
                        name,
                        owner,
                        randomText(random, 12),
                        randomText(random, 8),
                        new WorkspaceParameters(
                                new Resources(
                                        1 + random.nextInt(64), 64 + random.nextInt(1 << 20), 1 + random.nextInt(4096)),
                                randomText(random, 40),
                                randomText(random, 400),
                                randomText(random, 60)),
                        new SshHostKey(randomText(random, 20), randomText(random, 600), randomText(random, 120)),
                        desired[random.nextInt(desired.length)]),
                new Workspace.Status(
                        phases[random.nextInt(phases.length)],
                        randomText(random, 200),
                        randomText(random, 30),
                        random.nextInt(65536),
                        random.nextBoolean(),
                        random.nextInt(Integer.MAX_VALUE)),
                randomInstant(random),
                randomInstant(random),
                1 + random.nextInt(1000));
    }

    /** Instants from 1900 to 2200 with arbitrary nanoseconds. */
    private static Instant randomInstant(Random random) {
        long from = Instant.parse("1900-01-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("2200-01-01T00:00:00Z").getEpochSecond();
        return Instant.ofEpochSecond(from + (long) (random.nextDouble() * (to - from)), random.nextInt(1_000_000_000));
    }

    /** Text mixing ASCII, quotes, backslashes, newlines, non-Latin letters and astral-plane emoji. */
    private static String randomText(Random random, int maxLength) {
        String[] pieces = {
            "a", "Z", "9", "-", "'", "\"", "\\", "%", "_", "\n", "\t", " ", "é", "ß", "Ж", "語", "🚀", "😀", ";"
        };
        int length = random.nextInt(maxLength + 1);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) s.append(pieces[random.nextInt(pieces.length)]);
        return s.toString();
    }
}
