package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SSH Secret builder on its own: no cluster involved. */
class SshSecretManifestsTest {

    @Test
    void hostKeyFileFollowsSshdsNamingForEachAlgorithm() {
        assertThat(SshSecretManifests.hostKeyFile("ssh-ed25519")).isEqualTo("ssh_host_ed25519_key");
        assertThat(SshSecretManifests.hostKeyFile("ecdsa-sha2-nistp256")).isEqualTo("ssh_host_ecdsa_key");
        assertThat(SshSecretManifests.hostKeyFile("rsa-sha2-512")).isEqualTo("ssh_host_rsa_key");
        assertThat(SshSecretManifests.hostKeyFile("SSH-RSA")).isEqualTo("ssh_host_rsa_key");
        assertThat(SshSecretManifests.hostKeyFile("sk-ssh-foo@openssh.com"))
                .isEqualTo("ssh_host_sk_ssh_foo_openssh_com_key");
    }

    @Test
    void secretIsOpaqueInTheProviderNamespaceWithTheSharedLabels() {
        WorkspaceSpec spec = Specs.spec("dora", "sec-box", Map.of());
        WorkspaceNames names = WorkspaceNames.of(spec.owner(), spec.name());
        Map<String, String> labels = WorkspaceManifests.labels(spec, names);

        Secret secret = new SshSecretManifests(Specs.settings(Map.of())).build(spec, names, labels);

        assertThat(secret.getType()).isEqualTo("Opaque");
        assertThat(secret.getMetadata().getName()).isEqualTo("ws-dora-sec-box-ssh");
        assertThat(secret.getMetadata().getNamespace()).isEqualTo("hangar-test");
        assertThat(secret.getMetadata().getLabels()).isEqualTo(labels);
        assertThat(secret.getStringData()).isNullOrEmpty();
    }

    @Test
    void configHashIsSixteenHexDigitsIndependentOfKeyOrderAndSensitiveToEveryValue() {
        Map<String, String> one = new LinkedHashMap<>();
        one.put("authorized_keys", "YQo=");
        one.put("ssh_host_ed25519_key", "Ygo=");
        Map<String, String> reversed = new LinkedHashMap<>();
        reversed.put("ssh_host_ed25519_key", "Ygo=");
        reversed.put("authorized_keys", "YQo=");
        Map<String, String> changed = new LinkedHashMap<>(one);
        changed.put("ssh_host_ed25519_key", "Ywo=");

        String hash = SshSecretManifests.configHash(secret(one));

        assertThat(hash).matches("[0-9a-f]{16}");
        assertThat(SshSecretManifests.configHash(secret(reversed))).isEqualTo(hash);
        assertThat(SshSecretManifests.configHash(secret(changed))).isNotEqualTo(hash);
    }

    private static Secret secret(Map<String, String> data) {
        return new SecretBuilder().withData(data).build();
    }
}
