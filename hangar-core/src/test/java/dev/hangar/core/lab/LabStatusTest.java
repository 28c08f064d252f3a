package dev.hangar.core.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceParameters;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Aggregation of a lab's status from its members. */
class LabStatusTest {
    private static final Instant T = Instant.parse("2026-12-03T10:00:00Z");

    private static final Lab LAB = new Lab(
            "lab-id",
            "alice",
            new LabSpec("k8s", "fake", Map.of(), List.of(LabGroup.of("master", 1), LabGroup.of("nodes", 2))),
            "10.213.0.0/24",
            T,
            List.of(
                    new LabMember("master", 1, "k8s-master-1", "w1", "10.213.0.11", ""),
                    new LabMember("nodes", 1, "k8s-nodes-1", "w2", "10.213.0.12", ""),
                    new LabMember("nodes", 2, "k8s-nodes-2", "w3", "10.213.0.13", "")));

    private static Workspace ws(String id, String name, Phase phase, DesiredState desired, String reason) {
        return new Workspace(
                id,
                name,
                "alice",
                "fake",
                "fake",
                new WorkspaceParameters(new Resources(1, 512, 1), "img", "", ""),
                new SshHostKey("ssh-ed25519", "private", "ssh-ed25519 AAAA"),
                desired,
                phase,
                reason,
                "",
                0,
                false,
                0,
                T,
                T,
                1);
    }

    private static Map<String, Workspace> all(Phase p1, Phase p2, Phase p3, DesiredState d) {
        Map<String, Workspace> m = new HashMap<>();
        m.put("w1", ws("w1", "k8s-master-1", p1, d, ""));
        m.put("w2", ws("w2", "k8s-nodes-1", p2, d, ""));
        m.put("w3", ws("w3", "k8s-nodes-2", p3, d, ""));
        return m;
    }

    @Test
    void readyWhenEveryMemberRuns() {
        LabStatus s = LabStatus.of(LAB, all(Phase.Running, Phase.Running, Phase.Running, DesiredState.RUNNING));
        assertThat(s.state()).isEqualTo(LabStatus.State.Ready);
        assertThat(s.message()).isEqualTo("3/3 ready");
        assertThat(s.ready()).isEqualTo(3);
    }

    @Test
    void creatingStartingStoppingStoppedDeleting() {
        assertThat(LabStatus.of(LAB, all(Phase.Running, Phase.Pending, Phase.Provisioning, DesiredState.RUNNING))
                        .state())
                .isEqualTo(LabStatus.State.Creating);
        assertThat(LabStatus.of(LAB, all(Phase.Running, Phase.Starting, Phase.Stopped, DesiredState.RUNNING))
                        .state())
                .isEqualTo(LabStatus.State.Starting);
        assertThat(LabStatus.of(LAB, all(Phase.Running, Phase.Stopping, Phase.Stopped, DesiredState.STOPPED))
                        .state())
                .isEqualTo(LabStatus.State.Stopping);
        LabStatus stopped = LabStatus.of(LAB, all(Phase.Stopped, Phase.Stopped, Phase.Stopped, DesiredState.STOPPED));
        assertThat(stopped.state()).isEqualTo(LabStatus.State.Stopped);
        assertThat(stopped.message()).isEqualTo("0/3 ready");
        assertThat(LabStatus.of(LAB, all(Phase.Deleting, Phase.Running, Phase.Running, DesiredState.DELETED))
                        .state())
                .isEqualTo(LabStatus.State.Deleting);
    }

    @Test
    void degradedNamesTheFailedMemberAndItsReason() {
        Map<String, Workspace> m = all(Phase.Running, Phase.Running, Phase.Running, DesiredState.RUNNING);
        m.put("w3", ws("w3", "k8s-nodes-2", Phase.Failed, DesiredState.RUNNING, "disk full"));
        LabStatus s = LabStatus.of(LAB, m);
        assertThat(s.state()).isEqualTo(LabStatus.State.Degraded);
        assertThat(s.message()).isEqualTo("k8s-nodes-2: Failed: disk full (2/3 ready)");
    }

    @Test
    void aMemberWithoutWorkspaceIsMissingOrStillBeingCreated() {
        Lab failed = new Lab(
                LAB.id(),
                LAB.owner(),
                LAB.spec(),
                LAB.subnet(),
                T,
                List.of(
                        LAB.members().get(0),
                        LAB.members().get(1).withError("quota exceeded"),
                        new LabMember("nodes", 2, "k8s-nodes-2", "", "10.213.0.13", "")));
        LabStatus s = LabStatus.of(failed, all(Phase.Running, Phase.Running, Phase.Running, DesiredState.RUNNING));
        assertThat(s.state()).isEqualTo(LabStatus.State.Degraded);
        assertThat(s.message()).startsWith("k8s-nodes-1: Missing: not created: quota exceeded");
        assertThat(s.members().get(2).phase()).isEqualTo("Pending");

        Map<String, Workspace> gone = all(Phase.Running, Phase.Running, Phase.Running, DesiredState.RUNNING);
        gone.remove("w1");
        assertThat(LabStatus.of(LAB, gone).message())
                .contains("k8s-master-1: Missing: workspace deleted outside the lab");
    }
}
