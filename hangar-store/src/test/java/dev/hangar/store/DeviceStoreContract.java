package dev.hangar.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceParameters;
import dev.hangar.provider.spi.DeviceRequest;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The device part of the store contract (migration V12: a workspace's chosen devices, issue #19),
 * run by {@link StoreContractTest} on SQLite and on PostgreSQL.
 */
interface DeviceStoreContract {

    /** @return the fresh store of the running test */
    JdbiStore deviceStore();

    private static Workspace withDevices(Workspace w, List<DeviceRequest> devices) {
        WorkspaceParameters p = w.parameters();
        Workspace.Spec s = w.spec();
        return w.withSpec(
                new Workspace.Spec(
                        s.name(),
                        s.owner(),
                        s.template(),
                        s.providerType(),
                        new WorkspaceParameters(p.resources(), p.image(), p.extraUserData(), p.devcontainer(), devices),
                        s.hostKey(),
                        s.desired()),
                w.updatedAt());
    }

    @Test
    default void aWorkspacesDevicesReadBackInOrderAndFollowUpdates() {
        List<DeviceRequest> two =
                List.of(new DeviceRequest("nvidia.com/gpu", 2), new DeviceRequest("example.com/fpga", 1));
        Workspace w = deviceStore()
                .workspaces()
                .insert(withDevices(Fixtures.workspace("dana", "gpu-box", "gpu", "kubernetes", Phase.Pending), two));

        assertThat(deviceStore()
                        .workspaces()
                        .find(w.id())
                        .orElseThrow()
                        .parameters()
                        .devices())
                .containsExactlyElementsOf(two);
        assertThat(deviceStore()
                        .workspaces()
                        .findByName("dana", "gpu-box")
                        .orElseThrow()
                        .parameters()
                        .devices())
                .containsExactlyElementsOf(two);

        List<DeviceRequest> one = List.of(new DeviceRequest("nvidia.com/gpu", 1));
        Workspace updated = deviceStore().workspaces().update(withDevices(w, one));
        assertThat(deviceStore()
                        .workspaces()
                        .find(w.id())
                        .orElseThrow()
                        .parameters()
                        .devices())
                .containsExactlyElementsOf(one);

        deviceStore().workspaces().update(withDevices(updated, List.of()));
        assertThat(deviceStore()
                        .workspaces()
                        .find(w.id())
                        .orElseThrow()
                        .parameters()
                        .devices())
                .isEmpty();
    }

    @Test
    default void aWorkspaceWithoutDevicesReadsBackWithNone() {
        Workspace w = deviceStore()
                .workspaces()
                .insert(Fixtures.workspace("dana", "plain-" + Instant.now().toEpochMilli()));
        assertThat(deviceStore()
                        .workspaces()
                        .find(w.id())
                        .orElseThrow()
                        .parameters()
                        .devices())
                .isEmpty();
    }
}
