package dev.hangar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.api.CreateLabRequest;
import dev.hangar.api.LabView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lab files and flags into the create request, and the one progress line of {@code --wait}. */
class LabFileTest {
    @TempDir
    Path dir;

    @Test
    void aLabFileIsReadWithEveryKey() throws Exception {
        Path f = dir.resolve("lab.yaml");
        Files.writeString(f, """
                name: k8s
                template: debian-12
                vars: {k8s_version: "1.31"}
                groups:
                  - {name: master, count: 1, cpus: 2, memoryMiB: 4096, diskGiB: 20, vars: {role: cp}}
                  - name: nodes
                    count: 2
                    template: ubuntu-24-04
                    userData: |
                      packages: [git]
                """);
        CreateLabRequest r = LabFile.read(f, "k8s");
        assertThat(r.name()).isEqualTo("k8s");
        assertThat(r.template()).isEqualTo("debian-12");
        assertThat(r.vars()).containsExactly(Map.entry("k8s_version", "1.31"));
        assertThat(r.groups()).hasSize(2);
        assertThat(r.groups().get(0))
                .isEqualTo(new CreateLabRequest.LabGroupRequest(
                        "master", 1, null, 2, 4096, 20, null, Map.of("role", "cp")));
        assertThat(r.groups().get(1).userData()).isEqualTo("packages: [git]\n");
    }

    @Test
    void unknownKeysWrongTypesAndAnotherNameAreRefused() throws Exception {
        Path unknown = dir.resolve("unknown.yaml");
        Files.writeString(unknown, "groups:\n  - name: db\n    count: 1\n    size: large\n");
        assertThatThrownBy(() -> LabFile.read(unknown, "x"))
                .isInstanceOfSatisfying(
                        CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.BAD_INPUT))
                .hasMessageContaining("unknown key 'size' at groups[0]")
                .hasMessageContaining("known keys: count, cpus")
                .hasMessageContaining("userData, userDataFile, vars");
        Path top = dir.resolve("top.yaml");
        Files.writeString(top, "network: flat\ngroups: []\n");
        assertThatThrownBy(() -> LabFile.read(top, "x")).hasMessageContaining("unknown key 'network';");
        Path wrongType = dir.resolve("type.yaml");
        Files.writeString(wrongType, "groups:\n  - name: db\n    count: many\n");
        assertThatThrownBy(() -> LabFile.read(wrongType, "x")).hasMessageContaining("at groups[0].count");
        Path named = dir.resolve("named.yaml");
        Files.writeString(named, "name: other\ngroups: [{name: a, count: 1}]\n");
        assertThatThrownBy(() -> LabFile.read(named, "x"))
                .isInstanceOfSatisfying(
                        CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE));
        assertThatThrownBy(() -> LabFile.read(dir.resolve("missing.yaml"), "x")).hasMessageContaining("does not exist");
    }

    @Test
    void aGroupsUserDataFileIsReadBesideTheLabFileAndABadOneIsRefusedNamingTheFieldAndFile() throws Exception {
        Files.writeString(dir.resolve("user-data.yml"), "#cloud-config\nhostname: master\npackages: [git]\n");
        Path f = dir.resolve("lab.yaml");
        Files.writeString(f, "groups:\n  - {name: master, count: 1, userDataFile: user-data.yml}\n");
        assertThat(LabFile.read(f, "k8s").groups().getFirst().userData())
                .isEqualTo("#cloud-config\nhostname: master\npackages: [git]\n");

        Files.writeString(dir.resolve("broken.yml"), "packages: [git\n  oops: {\n");
        Files.writeString(dir.resolve("scalar.yml"), "just text\n");
        for (String[] c : new String[][] {
            {"{name: m, count: 1, userDataFile: broken.yml}", "broken.yml is not valid YAML"},
            {"{name: m, count: 1, userDataFile: scalar.yml}", "scalar.yml is not a #cloud-config YAML mapping"},
            {"{name: m, count: 1, userDataFile: none.yml}", "none.yml does not exist"},
            {"{name: m, count: 1, userDataFile: user-data.yml, userData: 'a: b'}", "not both"},
        }) {
            Files.writeString(f, "groups:\n  - {name: n, count: 1}\n  - " + c[0] + "\n");
            assertThatThrownBy(() -> LabFile.read(f, "k8s"))
                    .isInstanceOfSatisfying(
                            CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.BAD_INPUT))
                    .hasMessageContaining("groups[1].userDataFile")
                    .hasMessageContaining(c[1]);
        }
    }

    @Test
    void flagsMakeGroupsInOrderAndVars() {
        CreateLabRequest r =
                LabFile.fromFlags("k8s", "fake", List.of("master=1", "nodes=2"), List.of("a=1", "motd=hello = world"));
        assertThat(r.groups())
                .extracting(CreateLabRequest.LabGroupRequest::name, CreateLabRequest.LabGroupRequest::count)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("master", 1),
                        org.assertj.core.groups.Tuple.tuple("nodes", 2));
        assertThat(r.vars()).containsExactly(Map.entry("a", "1"), Map.entry("motd", "hello = world"));
        assertThatThrownBy(() -> LabFile.fromFlags("k8s", null, List.of("nodes"), List.of()))
                .hasMessageContaining("NAME=COUNT");
        assertThatThrownBy(() -> LabFile.fromFlags("k8s", null, List.of("a=1"), List.of("1bad=x")))
                .hasMessageContaining("KEY=VALUE");
    }

    @Test
    void progressIsOneLineForAllMembers() {
        LabView l = new LabView(
                "k8s",
                "alice",
                "Creating",
                1,
                3,
                "1/3 ready",
                "10.213.0.0/24",
                Map.of(),
                Instant.EPOCH,
                List.of(
                        new LabView.LabMemberView("k8s-master-1", "master", 1, "10.213.0.11", "Running", ""),
                        new LabView.LabMemberView("k8s-nodes-1", "nodes", 1, "10.213.0.12", "Provisioning", ""),
                        new LabView.LabMemberView("k8s-nodes-2", "nodes", 2, "10.213.0.13", "Provisioning", "")));
        assertThat(LabWaiter.progress(l)).isEqualTo("lab k8s: Creating 1/3 ready (Provisioning 2, Running 1)");
    }
}
