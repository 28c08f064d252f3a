package dev.hangar.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceParameters;
import dev.hangar.provider.spi.DeviceRequest;
import dev.hangar.provider.spi.SecretFile;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A workspace's stored devices reach the provider's spec unchanged (issue #19). */
class WorkspaceSpecsDevicesTest {

    @Test
    void theSpecCarriesTheWorkspacesDevicesAndTheWithersKeepThem() {
        List<DeviceRequest> devices =
                List.of(new DeviceRequest("nvidia.com/gpu", 2), new DeviceRequest("example.com/fpga", 1));
        Workspace.Spec s = TestWorkspaces.spec("gpu-box", DesiredState.RUNNING);
        WorkspaceParameters p = s.parameters();
        Workspace w = new Workspace(
                "0b6c3d2e-0000-4000-8000-000000000019",
                new Workspace.Spec(
                        s.name(),
                        s.owner(),
                        s.template(),
                        s.providerType(),
                        new WorkspaceParameters(p.resources(), p.image(), p.extraUserData(), p.devcontainer(), devices),
                        s.hostKey(),
                        s.desired()),
                Workspace.Status.PENDING,
                Instant.parse("2026-12-03T10:00:00Z"),
                Instant.parse("2026-12-03T10:00:00Z"),
                1);

        var spec = WorkspaceSpecs.of(w, Optional.empty(), List.of(), TestWorkspaces.HOST_CA, Optional.empty());
        assertThat(spec.devices()).containsExactlyElementsOf(devices);
        assertThat(spec.withSecrets(List.of(new SecretFile("token", new byte[] {1})))
                        .devices())
                .containsExactlyElementsOf(devices);

        var plain = WorkspaceSpecs.of(
                new Workspace(
                        w.id(),
                        TestWorkspaces.spec("plain", DesiredState.RUNNING),
                        w.status(),
                        w.createdAt(),
                        w.updatedAt(),
                        1),
                Optional.empty(),
                List.of(),
                TestWorkspaces.HOST_CA);
        assertThat(plain.devices()).isEmpty();
    }
}
