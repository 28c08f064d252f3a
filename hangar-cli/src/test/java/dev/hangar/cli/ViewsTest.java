package dev.hangar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.api.DesiredState;
import dev.hangar.api.EventView;
import dev.hangar.api.SshKeyView;
import dev.hangar.api.TemplateView;
import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.WorkspaceView;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Output formatting of fixed records: the shapes users and scripts see. */
class ViewsTest {
    static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    static WorkspaceView workspace(String name, String phase, int memoryMiB, Instant created) {
        return new WorkspaceView(
                "3f1c2b9e-0000-4000-8000-000000000001",
                name,
                "alice",
                "small",
                "qemu",
                2,
                memoryMiB,
                16,
                "debian-12",
                DesiredState.RUNNING,
                WorkspacePhase.valueOf(phase),
                "",
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample",
                created,
                created.plusSeconds(30),
                3);
    }

    @Test
    void workspaceTableLooksLikeKubectl() {
        List<WorkspaceView> list = List.of(
                workspace("dev", "Running", 4096, NOW.minusSeconds(3 * 3600 + 60)),
                workspace("build-box-2", "Provisioning", 1536, NOW.minusSeconds(45)));
        assertThat(render(Views.workspaces(list, false, NOW))).isEqualTo("""
                        NAME          TEMPLATE   PHASE          CPUS   MEMORY    DISK    AGE
                        dev           small      Running        2      4GiB      16GiB   3h1m
                        build-box-2   small      Provisioning   2      1536MiB   16GiB   45s
                        """);
    }

    @Test
    void allWorkspacesTableAddsTheOwner() {
        String s = render(Views.workspaces(List.of(workspace("dev", "Stopped", 4096, NOW)), true, NOW));
        assertThat(s.lines().findFirst().orElseThrow())
                .isEqualTo("NAME   OWNER   TEMPLATE   PHASE     CPUS   MEMORY   DISK    AGE");
        assertThat(s).contains("dev    alice   small      Stopped");
    }

    @Test
    void workspaceDescriptionListsEveryFieldAndTheReasonOnlyWhenSet() {
        StringWriter sw = new StringWriter();
        Views.workspace(new PrintWriter(sw, true), workspace("dev", "Running", 4096, NOW.minusSeconds(120)), NOW);
        assertThat(sw.toString()).isEqualTo("""
                        Name:       dev
                        Owner:      alice
                        Template:   small
                        Provider:   qemu
                        Phase:      Running
                        Desired:    running
                        CPUs:       2
                        Memory:     4GiB
                        Disk:       16GiB
                        Image:      debian-12
                        Host key:   ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample
                        Created:    2026-11-21T11:58:00Z (2m ago)
                        Updated:    2026-11-21T11:58:30Z (90s ago)
                        ID:         3f1c2b9e-0000-4000-8000-000000000001
                        """);
    }

    @Test
    void devicesAppearInTheWorkspaceAndTemplateDescriptions() {
        WorkspaceView base = workspace("gpu", "Starting", 4096, NOW.minusSeconds(120));
        WorkspaceView w = new WorkspaceView(
                base.id(),
                base.name(),
                base.owner(),
                base.template(),
                base.provider(),
                base.cpus(),
                base.memoryMiB(),
                base.diskGiB(),
                base.image(),
                base.desired(),
                base.phase(),
                "Unschedulable: 0/1 nodes are available: 1 Insufficient nvidia.com/gpu.",
                base.hostKey(),
                base.createdAt(),
                base.updatedAt(),
                base.version(),
                null,
                List.of(),
                List.of(
                        new dev.hangar.api.DeviceView("nvidia.com/gpu", 2),
                        new dev.hangar.api.DeviceView("example.com/fpga", 1)));
        StringWriter sw = new StringWriter();
        Views.workspace(new PrintWriter(sw, true), w, NOW);
        assertThat(sw.toString())
                .contains("Reason:     Unschedulable: 0/1 nodes are available: 1 Insufficient nvidia.com/gpu.\n")
                .contains("Image:      debian-12\nDevices:    nvidia.com/gpu=2 example.com/fpga=1\nHost key:");

        TemplateView t = new TemplateView(
                "gpu",
                "GPU pod",
                "kubernetes",
                "cuda:12",
                new TemplateView.Sizes(2, 4096, 16),
                new TemplateView.Limits(
                        new TemplateView.Range(1, 8),
                        new TemplateView.Range(512, 32768),
                        new TemplateView.Range(8, 512)),
                List.of(new TemplateView.Device("nvidia.com/gpu", 1, new TemplateView.Range(0, 2))));
        StringWriter tw = new StringWriter();
        Views.template(new PrintWriter(tw, true), t);
        assertThat(tw.toString()).endsWith("Device nvidia.com/gpu:   1 (allowed 0-2)\n");
    }

    @Test
    void templateTableAndDescription() {
        TemplateView t = new TemplateView(
                "small",
                "Debian 12 VM",
                "qemu",
                "debian-12",
                new TemplateView.Sizes(2, 4096, 16),
                new TemplateView.Limits(
                        new TemplateView.Range(1, 8),
                        new TemplateView.Range(512, 32768),
                        new TemplateView.Range(8, 512)));
        assertThat(render(Views.templates(List.of(t)))).isEqualTo("""
                        NAME    PROVIDER   CPUS   MEMORY   DISK    IMAGE       DESCRIPTION
                        small   qemu       2      4GiB     16GiB   debian-12   Debian 12 VM
                        """);
        StringWriter sw = new StringWriter();
        Views.template(new PrintWriter(sw, true), t);
        assertThat(sw.toString()).isEqualTo("""
                        Name:          small
                        Description:   Debian 12 VM
                        Provider:      qemu
                        Image:         debian-12
                        CPUs:          2 (allowed 1-8)
                        Memory:        4GiB (allowed 512MiB-32GiB)
                        Disk:          16GiB (allowed 8GiB-512GiB)
                        """);
    }

    @Test
    void keyAndEventTables() {
        SshKeyView k = new SshKeyView("ssh-ed25519", 256, "SHA256:abc", "alice@pc", NOW.minusSeconds(86400 * 3));
        assertThat(render(Views.keys(List.of(k), NOW))).isEqualTo("""
                        FINGERPRINT   ALGORITHM     BITS   COMMENT    AGE
                        SHA256:abc    ssh-ed25519   256    alice@pc   3d
                        """);
        EventView e = new EventView(7, Instant.parse("2026-11-21T11:00:00.123Z"), "alice", "created", "created from x");
        assertThat(render(Views.events(List.of(e)))).isEqualTo("""
                        TIME                   ACTOR   TYPE      MESSAGE
                        2026-11-21T11:00:00Z   alice   created   created from x
                        """);
        EventView folded = new EventView(8, Instant.parse("2026-11-21T11:00:01Z"), "system", "error", "boom", 3);
        assertThat(render(Views.events(List.of(e, folded)))).isEqualTo("""
                        TIME                   ACTOR    TYPE      MESSAGE
                        2026-11-21T11:00:00Z   alice    created   created from x
                        2026-11-21T11:00:01Z   system   error     boom (3 times)
                        """);
    }

    @Test
    void jsonAndYamlCarryTheApiFieldNamesAndIsoTimes() {
        WorkspaceView w = workspace("dev", "Running", 4096, NOW);
        StringWriter json = new StringWriter();
        Output.write(new PrintWriter(json, true), Output.Format.json, w);
        assertThat(json.toString())
                .contains("\"name\" : \"dev\"", "\"memoryMiB\" : 4096", "\"createdAt\" : \"2026-11-21T12:00:00Z\"");
        StringWriter yaml = new StringWriter();
        Output.write(new PrintWriter(yaml, true), Output.Format.yaml, List.of(w));
        assertThat(yaml.toString())
                .startsWith("- id: 3f1c2b9e-0000-4000-8000-000000000001\n  name: dev\n")
                .contains("  memoryMiB: 4096\n", "  createdAt: 2026-11-21T12:00:00Z\n");
    }

    private static String render(Table t) {
        StringWriter sw = new StringWriter();
        t.print(new PrintWriter(sw, true));
        return sw.toString();
    }
}
