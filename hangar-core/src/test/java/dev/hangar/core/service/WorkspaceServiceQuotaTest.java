package dev.hangar.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;
import dev.hangar.core.quota.QuotaExceededException;
import dev.hangar.core.quota.QuotaLimits;
import dev.hangar.core.quota.QuotaPolicy;
import dev.hangar.core.store.InMemoryStore;
import dev.hangar.core.store.WorkspaceFilter;
import dev.hangar.core.template.TemplateCatalog;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Quotas as {@link WorkspaceService#create} and {@link WorkspaceService#start} enforce them. */
class WorkspaceServiceQuotaTest {
    private static final Instant NOW = Instant.parse("2026-12-03T08:00:00Z");
    private static final User ALICE = new User("alice", Role.MEMBER, false, NOW);
    private static final User ROOT = new User("root", Role.ADMIN, false, NOW);

    private final InMemoryStore store = new InMemoryStore();

    private WorkspaceService service(QuotaPolicy quotas) {
        store.users().insert(ALICE);
        store.users().insert(ROOT);
        return new WorkspaceService(
                store,
                TemplateCatalog.of(List.of(WorkspaceServiceCreateTest.template("t"))),
                Clock.fixed(NOW, ZoneOffset.UTC),
                id -> {},
                "t",
                quotas);
    }

    private static QuotaPolicy members(int running, int cpus) {
        return new QuotaPolicy(Map.of(
                Role.MEMBER,
                new QuotaLimits(
                        OptionalInt.of(running), OptionalInt.of(cpus), OptionalLong.empty(), OptionalLong.empty())));
    }

    @Test
    void createsUpToTheRunningLimitThenRefusesWithoutWritingAndAStopMakesRoomForAStart() {
        WorkspaceService s = service(members(2, 100));
        s.create(ALICE, CreateWorkspace.named("one"));
        s.create(ALICE, CreateWorkspace.named("two"));
        assertThatThrownBy(() -> s.create(ALICE, CreateWorkspace.named("three")))
                .isInstanceOf(QuotaExceededException.class)
                .hasMessage("quota: running workspaces 2 of 2 (member); stop one or ask an admin");
        assertThat(store.workspaces().list(WorkspaceFilter.ownedBy("alice"))).hasSize(2);

        s.stop(ALICE, "", "one");
        s.create(ALICE, CreateWorkspace.named("three"));
        assertThatThrownBy(() -> s.start(ALICE, "", "one"))
                .isInstanceOf(QuotaExceededException.class)
                .hasMessageContaining("running workspaces 2 of 2");
        assertThat(store.workspaces().findByName("alice", "one").orElseThrow().desired())
                .isEqualTo(DesiredState.STOPPED);
        // an admin starting alice's workspace is held to alice's quota, not the admin's (unlimited)
        assertThatThrownBy(() -> s.start(ROOT, "alice", "one")).isInstanceOf(QuotaExceededException.class);
        s.delete(ALICE, "", "two");
        assertThat(s.start(ALICE, "", "one").desired()).isEqualTo(DesiredState.RUNNING);
        // starting what is already meant to run is idempotent, not a second admission
        assertThat(s.start(ALICE, "", "one").desired()).isEqualTo(DesiredState.RUNNING);
    }

    @Test
    void cpusCountTheRequestedSizeAndAPerUserOverrideRaisesTheRoleLimit() {
        WorkspaceService s = service(members(10, 4));
        s.create(ALICE, CreateWorkspace.named("big").withCpus(3));
        assertThatThrownBy(() -> s.create(ALICE, CreateWorkspace.named("more").withCpus(2)))
                .isInstanceOfSatisfying(
                        QuotaExceededException.class, e -> assertThat(e.field()).isEqualTo("cpus"))
                .hasMessage("quota: vCPUs 3 of 4, 2 more requested (member); stop one or ask an admin");
        new QuotaService(store, members(10, 4))
                .setOverride(
                        "alice",
                        new QuotaLimits(
                                OptionalInt.empty(), OptionalInt.of(5), OptionalLong.empty(), OptionalLong.empty()));
        s.create(ALICE, CreateWorkspace.named("more").withCpus(2));
        assertThatThrownBy(() -> s.create(ALICE, CreateWorkspace.named("most").withCpus(1)))
                .hasMessage("quota: vCPUs 5 of 5, 1 more requested (per-user override); stop one or ask an admin");
        // admins have no limit by default
        for (int i = 0; i < 5; i++)
            s.create(ROOT, CreateWorkspace.named("r" + i).withCpus(8));
    }

    @Test
    void devicesCountLikeCpusPerDeviceNameAndAStopMakesRoom() {
        store.users().insert(ALICE);
        WorkspaceService s = new WorkspaceService(
                store,
                TemplateCatalog.of(List.of(TemplateCatalog.parse(
                        "gpu.yaml",
                        ("name: gpu\nprovider: fake\nimage: img\n"
                                        + "devices: [{name: nvidia.com/gpu, count: 1, max: 2}, {name: example.com/fpga, max: 1}]\n")
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8)))),
                Clock.fixed(NOW, ZoneOffset.UTC),
                id -> {},
                "gpu",
                new QuotaPolicy(Map.of(
                        Role.MEMBER,
                        new QuotaLimits(
                                OptionalInt.empty(),
                                OptionalInt.empty(),
                                OptionalLong.empty(),
                                OptionalLong.empty(),
                                Map.of("nvidia.com/gpu", 2)))));
        s.create(ALICE, CreateWorkspace.named("one"));
        s.create(ALICE, CreateWorkspace.named("two"));
        assertThatThrownBy(() -> s.create(ALICE, CreateWorkspace.named("three")))
                .isInstanceOfSatisfying(
                        QuotaExceededException.class, e -> assertThat(e.field()).isEqualTo("devices.nvidia.com/gpu"))
                .hasMessage(
                        "quota: devices nvidia.com/gpu 2 of 2, 1 more requested (member); stop one or ask an admin");
        assertThat(store.workspaces().findByName("alice", "three")).isEmpty();
        // stopping one frees its GPU; starting it again while the others hold both is refused
        s.stop(ALICE, "", "one");
        s.create(ALICE, CreateWorkspace.named("three"));
        assertThatThrownBy(() -> s.start(ALICE, "", "one"))
                .isInstanceOf(QuotaExceededException.class)
                .hasMessageContaining("devices nvidia.com/gpu 2 of 2");
    }

    @Test
    void membersSeeOnlyTheirOwnQuotaAndAuditorsAnyone() {
        service(members(3, 6));
        QuotaService q = new QuotaService(store, members(3, 6));
        User auditor = new User("eve", Role.AUDITOR, false, NOW);
        store.users().insert(auditor);
        QuotaPolicy.Status mine = q.status(ALICE, "");
        assertThat(mine.effective().running()).hasValue(3);
        assertThat(mine.override()).isEmpty();
        assertThat(q.status(auditor, "alice").user()).isEqualTo(ALICE);
        assertThat(q.status(ROOT, "root").effective().unlimited()).isTrue();
        assertThatThrownBy(() -> q.status(ALICE, "root")).isInstanceOf(dev.hangar.core.domain.NotFoundException.class);
        assertThatThrownBy(() -> q.status(auditor, "nobody"))
                .isInstanceOf(dev.hangar.core.domain.NotFoundException.class);
    }
}
