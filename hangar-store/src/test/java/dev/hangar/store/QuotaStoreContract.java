package dev.hangar.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;
import dev.hangar.core.quota.QuotaExceededException;
import dev.hangar.core.quota.QuotaLimits;
import dev.hangar.core.quota.QuotaPolicy;
import dev.hangar.core.service.CreateWorkspace;
import dev.hangar.core.service.WorkspaceService;
import dev.hangar.core.store.WorkspaceFilter;
import dev.hangar.core.template.TemplateCatalog;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The quota part of the store contract (migration V7: per-user overrides; V14: their device
 * limits) and the proof that the
 * check in {@link WorkspaceService#create} cannot be overshot by concurrent creates, run by {@link
 * StoreContractTest} on SQLite and on PostgreSQL.
 */
interface QuotaStoreContract {

    Instant Q = Instant.parse("2026-12-03T08:00:00Z");

    /** @return the fresh store of the running test */
    JdbiStore quotaStore();

    private static QuotaLimits limits(Integer running, Integer cpus, Long memoryMiB, Long diskGiB) {
        return new QuotaLimits(
                running == null ? OptionalInt.empty() : OptionalInt.of(running),
                cpus == null ? OptionalInt.empty() : OptionalInt.of(cpus),
                memoryMiB == null ? OptionalLong.empty() : OptionalLong.of(memoryMiB),
                diskGiB == null ? OptionalLong.empty() : OptionalLong.of(diskGiB));
    }

    @Test
    default void overridesRoundTripWithEmptyFieldsAreReplacedClearedAndGoWithTheirUser() {
        JdbiStore s = quotaStore();
        s.users().insert(new User("quota-alice", Role.MEMBER, false, Q));
        assertThat(s.quotas().find("quota-alice")).isEmpty();

        QuotaLimits some = limits(3, null, 65_536L * 1024, null);
        assertThat(s.quotas().save("quota-alice", some)).isEqualTo(some);
        assertThat(s.quotas().find("quota-alice")).contains(some);
        QuotaLimits all = limits(0, 64, 1L << 40, 5000L);
        s.quotas().save("quota-alice", all);
        assertThat(s.quotas().find("quota-alice")).contains(all);
        s.quotas().save("quota-alice", QuotaLimits.UNLIMITED);
        assertThat(s.quotas().find("quota-alice")).isEmpty();

        s.quotas().save("quota-alice", some);
        assertThat(s.users().delete("quota-alice")).isTrue();
        assertThat(s.quotas().find("quota-alice")).isEmpty();
        assertThatThrownBy(() -> s.quotas().save("quota-nobody", some)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> s.quotas().save("quota-nobody", QuotaLimits.UNLIMITED))
                .isInstanceOf(NotFoundException.class);
        // locking an unknown user inside a transaction is harmless
        s.inTransaction(tx -> {
            tx.quotas().lockOwner("quota-nobody");
            return null;
        });
    }

    @Test
    default void deviceLimitsOfAnOverrideRoundTripAreReplacedAndClearedWithTheOverride() {
        JdbiStore s = quotaStore();
        s.users().insert(new User("quota-dev", Role.MEMBER, false, Q));

        // devices alone make an override (V14); 0 is a limit (none of that device), not "unset"
        QuotaLimits onlyDevices = QuotaLimits.UNLIMITED.withDevices(Map.of("nvidia.com/gpu", 2, "example.com/fpga", 0));
        assertThat(s.quotas().save("quota-dev", onlyDevices)).isEqualTo(onlyDevices);
        assertThat(s.quotas().find("quota-dev")).contains(onlyDevices);
        assertThat(s.quotas().find("quota-dev").orElseThrow().devices())
                .containsExactly(Map.entry("example.com/fpga", 0), Map.entry("nvidia.com/gpu", 2));

        // a save replaces the device limits as a whole, with the other fields
        QuotaLimits mixed = limits(2, 8, null, null).withDevices(Map.of("nvidia.com/gpu", 1));
        s.quotas().save("quota-dev", mixed);
        assertThat(s.quotas().find("quota-dev")).contains(mixed);
        QuotaLimits noDevices = limits(2, 8, null, null);
        s.quotas().save("quota-dev", noDevices);
        assertThat(s.quotas().find("quota-dev").orElseThrow().devices()).isEmpty();
        assertThat(s.quotas().find("quota-dev")).contains(noDevices);

        s.quotas().save("quota-dev", onlyDevices);
        s.quotas().save("quota-dev", QuotaLimits.UNLIMITED);
        assertThat(s.quotas().find("quota-dev")).isEmpty();
        assertThatThrownBy(() -> s.quotas().save("quota-dev-nobody", onlyDevices))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    default void sixteenConcurrentCreatesAdmitExactlyTheRunningLimit() throws Exception {
        JdbiStore s = quotaStore();
        User owner = s.users().insert(new User("quota-race", Role.MEMBER, false, Q));
        int limit = 4;
        int threads = 16;
        WorkspaceService service = new WorkspaceService(
                s,
                TemplateCatalog.of(List.of(TemplateCatalog.parse(
                        "small",
                        ("name: small\nprovider: fake\nimage: img\ndefaults: {cpus: 1, memoryMiB: 256, diskGiB: 1}\n"
                                        + "limits: {cpus: {min: 1, max: 8}, memoryMiB: {min: 128, max: 16384},"
                                        + " diskGiB: {min: 1, max: 100}}\n")
                                .getBytes(StandardCharsets.UTF_8)))),
                Clock.systemUTC(),
                id -> {},
                "small",
                new QuotaPolicy(Map.of(Role.MEMBER, limits(limit, null, null, null))));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int i = 0; i < threads; i++) {
                String name = "race-" + i;
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        service.create(owner, CreateWorkspace.named(name));
                        return "created";
                    } catch (QuotaExceededException e) {
                        return e.getMessage();
                    }
                }));
            }
            go.countDown();
        }
        List<String> outcomes = new ArrayList<>();
        for (Future<String> r : results) outcomes.add(r.get());

        assertThat(outcomes).filteredOn("created"::equals).hasSize(limit);
        assertThat(outcomes)
                .filteredOn(o -> !o.equals("created"))
                .hasSize(threads - limit)
                .allMatch(o -> o.equals("quota: running workspaces 4 of 4 (member); stop one or ask an admin"));
        assertThat(s.workspaces().list(WorkspaceFilter.ownedBy("quota-race"))).hasSize(limit);
    }
}
