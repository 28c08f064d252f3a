package dev.hangar.provider.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;
import dev.hangar.provider.spi.SecretFile;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/**
 * Secrets in a container workspace at unit level: the create request mounts a 0700 tmpfs at
 * /var/secrets (no bind mount, nothing of the values), and the tar stream
 * the start copies in holds each secret as a 0400 file.
 */
class ContainerSecretsTest {
    private static final String VALUE = "docker-unit-secret-value";

    private static WorkspaceSpec specWithSecret(String id) {
        return ContainerManifestsTest.spec(id, Map.of())
                .withSecrets(List.of(new SecretFile("github-token", VALUE.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void theCreateRequestHasASecretsTmpfsAndNoBindMountOrValue() throws Exception {
        String id = UUID.randomUUID().toString();
        DockerSettings settings = DockerSettings.parse(Map.of("run-as-user", "1234"));
        ContainerPlan plan = ContainerManifests.plan(specWithSecret(id), settings, Path.of("/data/keys/" + id));
        assertThat(plan.tmpfs()).containsExactly(Map.entry("/var/secrets", "rw,noexec,nosuid,nodev,size=4m,mode=0700"));
        HostConfig host = ContainerManifests.hostConfig(plan, "127.0.0.1");
        assertThat(host.getTmpFs()).isEqualTo(plan.tmpfs());
        assertThat(host.getBinds()).extracting(b -> b.getVolume().getPath()).doesNotContain("/var/secrets");
        assertThat(host.getBinds()).extracting(Bind::getPath).noneMatch(p -> p.contains("secret"));
        String request = new ObjectMapper().writeValueAsString(host) + new ObjectMapper().writeValueAsString(plan);
        assertThat(request).contains("/var/secrets").doesNotContain(VALUE);
        // the values are not part of the config hash: a changed secret never re-creates the container
        assertThat(plan.configHash())
                .isEqualTo(ContainerManifests.plan(
                                ContainerManifestsTest.spec(id, Map.of()), settings, Path.of("/data/keys/" + id))
                        .configHash());
    }

    @Test
    void theTarHoldsEachSecretAsAReadOnlyFile() throws Exception {
        byte[] tar = SecretDelivery.tar(List.of(
                new SecretFile("github-token", VALUE.getBytes(StandardCharsets.UTF_8)),
                new SecretFile("id_ed25519", new byte[] {0, 1, 2, (byte) 0xff})));
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry a = in.getNextEntry();
            assertThat(a.getName()).isEqualTo("github-token");
            assertThat(a.getMode() & 07777).isEqualTo(0400);
            assertThat(a.isFile()).isTrue();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(VALUE);
            TarArchiveEntry b = in.getNextEntry();
            assertThat(b.getName()).isEqualTo("id_ed25519");
            assertThat(in.readAllBytes()).containsExactly(0, 1, 2, 0xff);
            assertThat(in.getNextEntry()).isNull();
        }
    }

    @Test
    void theScriptRefusesAnythingButATmpfsAndReplacesTheContent() {
        assertThat(SecretDelivery.SCRIPT)
                .contains("grep -qs \" $d tmpfs \" /proc/mounts || exit 3")
                .contains("find \"$d\" -mindepth 1 -delete")
                .contains("head -c \"$1\" | tar -x --no-same-owner -f - -C \"$d\"")
                .contains("chown -R \"$2\" \"$d\" && chmod 0700 \"$d\"")
                .startsWith("d=/var/secrets;");
    }
}
