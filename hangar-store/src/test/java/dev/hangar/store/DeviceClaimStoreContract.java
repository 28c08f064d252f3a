package dev.hangar.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.device.DeviceClaim;
import dev.hangar.core.device.DeviceClaims;
import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.quota.QuotaPolicy;
import dev.hangar.core.service.CreateWorkspace;
import dev.hangar.core.service.WorkspaceService;
import dev.hangar.core.store.WorkspaceFilter;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.provider.spi.DeviceRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The device-claim part of the store contract (migration V11, issue #19 item 4) and the proof that
 * {@link DeviceClaims} never lets two workspaces hold one host device, even when creates race, run
 * by {@link StoreContractTest} on SQLite and on PostgreSQL.
 */
interface DeviceClaimStoreContract {

    Instant D = Instant.parse("2026-12-03T14:00:00.123Z");
    String GPU = "nvidia.com/gpu";

    /** @return the fresh store of the running test */
    JdbiStore deviceClaimStore();

    private static DeviceClaims claims(Map<String, List<String>> allowed) {
        return new DeviceClaims(allowed, Clock.fixed(D, ZoneOffset.UTC));
    }

    @Test
    default void aClaimIsHeldOnceReadBackReleasedAndGoesWithItsWorkspace() {
        JdbiStore s = deviceClaimStore();
        Workspace a = s.workspaces().insert(Fixtures.workspace("dc-alice", "dc-a"));
        Workspace b = s.workspaces().insert(Fixtures.workspace("dc-bob", "dc-b"));

        assertThat(s.deviceClaims().claim("0000:01:00.0", GPU, a.id(), D)).isTrue();
        assertThat(s.deviceClaims().claim("0000:01:00.0", GPU, b.id(), D))
                .as("held by a")
                .isFalse();
        assertThat(s.deviceClaims().claim("0000:01:00.0", GPU, a.id(), D))
                .as("held, even by the same workspace")
                .isFalse();
        assertThat(s.deviceClaims().claim("0000:02:00.0", "example.com/fpga", a.id(), D))
                .isTrue();
        assertThat(s.deviceClaims().find("0000:01:00.0")).contains(new DeviceClaim("0000:01:00.0", GPU, a.id(), D));
        assertThat(s.deviceClaims().find("0000:03:00.0")).isEmpty();
        assertThat(s.deviceClaims().ofWorkspace(a.id()))
                .extracting(DeviceClaim::address)
                .containsExactly("0000:01:00.0", "0000:02:00.0");
        assertThat(s.deviceClaims().ofWorkspace(b.id())).isEmpty();
        assertThatThrownBy(() -> s.deviceClaims().claim("0000:04:00.0", GPU, "no-such-workspace", D))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("workspace no-such-workspace does not exist");

        assertThat(s.deviceClaims().release(a.id())).isEqualTo(2);
        assertThat(s.deviceClaims().release(a.id())).as("idempotent").isZero();
        assertThat(s.deviceClaims().claim("0000:01:00.0", GPU, b.id(), D)).isTrue();
        assertThat(s.deviceClaims().list()).extracting(DeviceClaim::workspaceId).containsExactly(b.id());

        assertThat(s.workspaces().delete(b.id(), b.version())).isTrue();
        assertThat(s.deviceClaims().list()).as("released with the workspace").isEmpty();
    }

    @Test
    default void claimsTakeFreeAllowedAddressesInOrderAndNameTheHolderWhenNoneIsFree() {
        JdbiStore s = deviceClaimStore();
        DeviceClaims claims = claims(Map.of(GPU, List.of("0000:01:00.0", "0000:02:00.0", "0000:03:00.0")));
        Workspace a = s.workspaces().insert(Fixtures.workspace("dc-carol", "alice-ws"));
        Workspace b = s.workspaces().insert(Fixtures.workspace("dc-dave", "bob-ws"));
        Workspace c = s.workspaces().insert(Fixtures.workspace("dc-erin", "carol-ws"));

        assertThat(s.<List<DeviceClaim>>inTransaction(
                        tx -> claims.claim(tx, a.id(), List.of(new DeviceRequest(GPU, 2)))))
                .extracting(DeviceClaim::address)
                .containsExactly("0000:01:00.0", "0000:02:00.0");
        assertThat(s.<List<DeviceClaim>>inTransaction(
                        tx -> claims.claim(tx, a.id(), List.of(new DeviceRequest(GPU, 2)))))
                .as("idempotent: the workspace's claims count")
                .hasSize(2);
        assertThat(s.<List<String>>inTransaction(tx -> claims.addresses(tx, b.id())))
                .isEmpty();

        // b asks for two, only one is free: the failed create's transaction keeps nothing
        assertThatThrownBy(() -> s.inTransaction(tx -> claims.claim(tx, b.id(), List.of(new DeviceRequest(GPU, 2)))))
                .isInstanceOf(ConflictException.class)
                .hasMessage("no free nvidia.com/gpu: 0000:01:00.0 is held by another user's workspace, 0000:02:00.0"
                        + " is held by another user's workspace");
        assertThat(s.deviceClaims().ofWorkspace(b.id())).isEmpty();

        assertThat(s.<List<DeviceClaim>>inTransaction(
                        tx -> claims.claim(tx, b.id(), List.of(new DeviceRequest(GPU, 1)))))
                .extracting(DeviceClaim::address)
                .containsExactly("0000:03:00.0");
        assertThatThrownBy(() -> s.inTransaction(tx -> claims.claim(tx, c.id(), List.of(new DeviceRequest(GPU, 1)))))
                .isInstanceOf(ConflictException.class)
                .hasMessage("no free nvidia.com/gpu: 0000:01:00.0 is held by another user's workspace, 0000:02:00.0"
                        + " is held by another user's workspace, 0000:03:00.0 is held by another user's workspace")
                .satisfies(e -> assertThat(((ConflictException) e).field()).isEqualTo("devices"));

        assertThat(s.<Integer>inTransaction(tx -> claims.release(tx, a.id()))).isEqualTo(2);
        assertThat(s.<List<DeviceClaim>>inTransaction(
                        tx -> claims.claim(tx, c.id(), List.of(new DeviceRequest(GPU, 1)))))
                .extracting(DeviceClaim::address, DeviceClaim::claimedAt)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("0000:01:00.0", D));
        assertThat(s.<List<String>>inTransaction(tx -> claims.addresses(tx, c.id())))
                .containsExactly("0000:01:00.0");

        assertThatThrownBy(() -> s.inTransaction(
                        tx -> claims.claim(tx, c.id(), List.of(new DeviceRequest("example.com/fpga", 1)))))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("this server passes no example.com/fpga through to local VMs")
                .hasMessageContaining("providers.qemu.pci-devices");
        assertThatThrownBy(() -> s.inTransaction(tx -> claims.claim(tx, c.id(), List.of(new DeviceRequest(GPU, 4)))))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("nvidia.com/gpu=4 asks for more than the 3 nvidia.com/gpu device(s)");
    }

    /**
     * Issue #19's race: 16 creates, each inserting its workspace and claiming the one allowed GPU in
     * one transaction, start together. Exactly one wins; the other 15 get the message naming the
     * winner, and their workspace rows are rolled back with the failed claim.
     */
    @Test
    default void sixteenConcurrentCreatesForOneDeviceAdmitExactlyOne() throws Exception {
        JdbiStore s = deviceClaimStore();
        DeviceClaims claims = claims(Map.of(GPU, List.of("0000:01:00.0")));
        int threads = 16;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int i = 0; i < threads; i++) {
                String name = "race-ws-" + i;
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        s.inTransaction(tx -> {
                            Workspace w = tx.workspaces().insert(Fixtures.workspace("dc-racer", name));
                            return claims.claim(tx, w.id(), List.of(new DeviceRequest(GPU, 1)));
                        });
                        return "won " + name;
                    } catch (ConflictException e) {
                        return e.getMessage();
                    }
                }));
            }
            go.countDown();
        }
        List<String> outcomes = new ArrayList<>();
        for (Future<String> f : results) outcomes.add(f.get());

        List<String> winners =
                outcomes.stream().filter(o -> o.startsWith("won ")).toList();
        assertThat(winners).as(outcomes.toString()).hasSize(1);
        String winner = winners.getFirst().substring("won ".length());
        assertThat(outcomes.stream().filter(o -> !o.startsWith("won ")))
                .hasSize(15)
                .allSatisfy(o -> assertThat(o)
                        .isEqualTo("no free nvidia.com/gpu: 0000:01:00.0 is held by your workspace " + winner));
        assertThat(s.deviceClaims().list())
                .singleElement()
                .satisfies(c -> assertThat(s.workspaces()
                                .find(c.workspaceId())
                                .orElseThrow()
                                .name())
                        .isEqualTo(winner));
        assertThat(s.workspaces().list(WorkspaceFilter.ALL))
                .as("the losers' workspace rows went with their transactions")
                .extracting(Workspace::name)
                .containsExactly(winner);
    }

    @Test
    default void aLocalVmCreateClaimsItsDevicesInTheInsertTransactionAndALoserLeavesNoRow() {
        JdbiStore s = deviceClaimStore();
        User owner = s.users().insert(new User("dc-vm-owner", Role.MEMBER, false, D));
        TemplateCatalog templates = TemplateCatalog.of(List.of(
                TemplateCatalog.parse(
                        "vm-gpu.yaml",
                        ("name: vm-gpu\nprovider: qemu\nimage: img\ndevices: [{name: " + GPU + ", count: 1, max: 1}]\n")
                                .getBytes(StandardCharsets.UTF_8)),
                TemplateCatalog.parse(
                        "pod-gpu.yaml",
                        ("name: pod-gpu\nprovider: kubernetes\nimage: img\ndevices: [{name: " + GPU
                                        + ", count: 1, max: 1}]\n")
                                .getBytes(StandardCharsets.UTF_8))));
        WorkspaceService service = new WorkspaceService(
                s,
                templates,
                Clock.fixed(D, ZoneOffset.UTC),
                id -> {},
                "vm-gpu",
                QuotaPolicy.UNLIMITED,
                claims(Map.of(GPU, List.of("0000:01:00.0"))));

        Workspace first = service.create(owner, CreateWorkspace.named("vm-one"));
        assertThat(s.deviceClaims().ofWorkspace(first.id()))
                .extracting(DeviceClaim::address)
                .containsExactly("0000:01:00.0");
        assertThatThrownBy(() -> service.create(owner, CreateWorkspace.named("vm-two")))
                .isInstanceOf(ConflictException.class)
                .hasMessage("no free nvidia.com/gpu: 0000:01:00.0 is held by your workspace vm-one");
        assertThat(s.workspaces().findByName(owner.name(), "vm-two"))
                .as("rolled back")
                .isEmpty();

        Workspace pod = service.create(owner, CreateWorkspace.named("pod-one").withTemplate("pod-gpu"));
        assertThat(s.deviceClaims().ofWorkspace(pod.id()))
                .as("a Pod's devices are the cluster's to schedule, not host devices")
                .isEmpty();
    }
}
