package dev.hangar.provider.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ContainerManifestsTest {
    private static final String CERT = "ssh-ed25519-cert-v01@openssh.com AAAAC3NzaC1lZDI1NTE5";
    private static final DockerSettings DEFAULTS = DockerSettings.parse(Map.of());

    static WorkspaceSpec spec(String id, Map<String, String> settings) {
        return new WorkspaceSpec(
                id,
                "dev",
                "alice",
                "container",
                new Resources(2, 1536, 8),
                "localhost/hangar/workspace:test",
                "alice",
                List.of("ssh-ed25519 AAAAkey1 alice@pc", " ssh-ed25519 AAAAkey2 alice@laptop "),
                new SshHostKey(
                        "ssh-ed25519",
                        "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----",
                        "ssh-ed25519 AAAAhost"),
                CERT,
                CloudInitConfig.EMPTY,
                settings);
    }

    @Test
    void planNamesLabelsLimitsAndMounts() {
        String id = UUID.randomUUID().toString();
        ContainerPlan plan = ContainerManifests.plan(spec(id, Map.of()), DEFAULTS, Path.of("/data/workspaces/" + id));
        assertThat(plan.containerName()).isEqualTo("hangar-" + id);
        assertThat(plan.volumeName()).isEqualTo("hangar-" + id + "-home");
        assertThat(plan.image()).isEqualTo("localhost/hangar/workspace:test");
        assertThat(plan.user()).isEqualTo("1000:1000");
        assertThat(plan.nanoCpus()).isEqualTo(2_000_000_000L);
        assertThat(plan.memoryBytes()).isEqualTo(1536L * 1024 * 1024);
        assertThat(plan.privileged()).isFalse();
        assertThat(plan.keyDirectory()).isEqualTo("/data/workspaces/" + id);
        assertThat(plan.env())
                .contains(
                        "HANGAR_USER=alice",
                        "HOME=/storage/home/alice",
                        "HANGAR_SSH_DIR=/etc/hangar/ssh",
                        "HANGAR_SSH_PORT=2222",
                        "HANGAR_STORAGE=/storage");
        assertThat(plan.labels())
                .containsEntry("dev.hangar.workspace-id", id)
                .containsEntry("dev.hangar.owner", "alice")
                .containsEntry("dev.hangar.name", "dev")
                .containsEntry("dev.hangar.managed-by", "hangar")
                .containsEntry("dev.hangar.config-hash", plan.configHash());
    }

    @Test
    void configHashIsStableAndFollowsTheSpec() {
        String id = UUID.randomUUID().toString();
        Path dir = Path.of("/d");
        ContainerPlan a = ContainerManifests.plan(spec(id, Map.of()), DEFAULTS, dir);
        ContainerPlan b = ContainerManifests.plan(spec(id, Map.of()), DEFAULTS, dir);
        assertThat(a).isEqualTo(b);
        WorkspaceSpec s = spec(id, Map.of());
        WorkspaceSpec bigger = new WorkspaceSpec(
                s.id(),
                s.name(),
                s.owner(),
                s.template(),
                new Resources(4, 1536, 8),
                s.image(),
                s.sshUser(),
                s.authorizedKeys(),
                s.hostKey(),
                s.hostCertificate(),
                s.cloudInit(),
                s.settings());
        assertThat(ContainerManifests.plan(bigger, DEFAULTS, dir).configHash()).isNotEqualTo(a.configHash());
    }

    @Test
    void privilegedOnlyWhenTheTemplateAsksAndTheServerAllows() {
        String id = UUID.randomUUID().toString();
        Map<String, String> ask = Map.of("privileged", "true");
        assertThatThrownBy(() -> ContainerManifests.plan(spec(id, ask), DEFAULTS, Path.of("/d")))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("providers.docker.allow-privileged")
                .matches(e -> ((ProviderException) e).permanent());
        DockerSettings allow = DockerSettings.parse(Map.of("allow-privileged", "true"));
        assertThat(ContainerManifests.plan(spec(id, ask), allow, Path.of("/d")).privileged())
                .isTrue();
        assertThat(ContainerManifests.plan(spec(id, Map.of()), allow, Path.of("/d"))
                        .privileged())
                .isFalse();
    }

    @Test
    void unknownTemplateSettingsAreRefused() {
        assertThatThrownBy(() -> ContainerManifests.plan(
                        spec(UUID.randomUUID().toString(), Map.of("privilegd", "true")), DEFAULTS, Path.of("/d")))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("privilegd");
    }

    @Test
    void sshFilesUseTheEntrypointsNames() {
        Map<String, String> files =
                ContainerManifests.sshFiles(spec(UUID.randomUUID().toString(), Map.of()));
        assertThat(files.keySet())
                .containsExactly(
                        "authorized_keys",
                        "ssh_host_ed25519_key",
                        "ssh_host_ed25519_key.pub",
                        "ssh_host_ed25519_key-cert.pub");
        assertThat(files.get("authorized_keys"))
                .isEqualTo("ssh-ed25519 AAAAkey1 alice@pc\nssh-ed25519 AAAAkey2 alice@laptop\n");
        assertThat(files.get("ssh_host_ed25519_key"))
                .startsWith("-----BEGIN OPENSSH PRIVATE KEY-----")
                .endsWith("\n");
        assertThat(files.get("ssh_host_ed25519_key.pub")).isEqualTo("ssh-ed25519 AAAAhost\n");
        assertThat(files.get("ssh_host_ed25519_key-cert.pub")).isEqualTo(CERT + "\n");
    }

    @Test
    void aDevcontainerAddsItsImageContainerEnvAndMountsButNotOverHangarsEnv(@org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        java.nio.file.Files.writeString(dir.resolve(".devcontainer.json"), """
                {"image": "x:1", "containerEnv": {"FOO": "bar", "HOME": "/root"},
                 "mounts": ["source=cache,target=/cache,type=volume"]}
                """);
        var dc = dev.hangar.provider.docker.devcontainer.DevcontainerParser.read(dir);
        String id = UUID.randomUUID().toString();
        WorkspaceSpec spec = spec(id, Map.of(ContainerManifests.DEVCONTAINER, dir.toString()));
        ContainerPlan plain = ContainerManifests.plan(spec, DEFAULTS, Path.of("/d"));
        ContainerPlan plan = ContainerManifests.plan(
                spec,
                DEFAULTS,
                Path.of("/d"),
                java.util.Optional.of(dc),
                "localhost/hangar/devcontainer-" + id + ":latest");
        assertThat(plan.image()).isEqualTo("localhost/hangar/devcontainer-" + id + ":latest");
        assertThat(plan.env()).contains("FOO=bar", "HOME=/storage/home/alice").doesNotContain("HOME=/root");
        assertThat(ContainerManifests.overriddenEnv(dc)).containsExactly("HOME");
        assertThat(plan.mounts())
                .extracting(m -> m.type() + " " + m.source() + " " + m.target())
                .containsExactly("bind " + dir + " /workspaces/" + dir.getFileName(), "volume cache /cache");
        assertThat(plain.mounts()).isEmpty();
        assertThat(plan.configHash()).isNotEqualTo(plain.configHash());
    }
}
