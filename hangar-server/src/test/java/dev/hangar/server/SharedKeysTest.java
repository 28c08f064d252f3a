package dev.hangar.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.secret.SecretKeyFile;
import dev.hangar.core.service.HostCertificateAuthority;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SharedKeys} against fabric8's mock API server in CRUD mode (a create of an existing name
 * answers 409 there, as on a real API server; the race of two creates at the same instant is
 * covered on the real cluster by {@code InClusterIT}).
 */
class SharedKeysTest {
    private static final String NS = "hangar";
    private static final String NAME = "hangar-server-keys";

    @TempDir
    Path tmp;

    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    private SharedKeys.KeyFiles files(String replica) {
        Path home = tmp.resolve(replica);
        return new SharedKeys.KeyFiles(
                home.resolve("gateway/ssh_host_ed25519_key"), home.resolve("ssh/host_ca"), home.resolve("secrets.key"));
    }

    @Test
    void theFirstReplicaCreatesTheSecretAndTheSecondGetsTheSameKeysOverItsOwn() throws Exception {
        SharedKeys.KeyFiles a = files("a");
        SharedKeys.KeyFiles b = files("b");
        // Replica b already made keys of its own (as a single host would): they must be replaced.
        HostCertificateAuthority bOwn = HostCertificateAuthority.loadOrCreate(b.hostCa());

        assertThat(SharedKeys.sync(client, NS, NAME, a)).isTrue();
        assertThat(SharedKeys.sync(client, NS, NAME, b)).isFalse();

        for (Path p : new Path[] {a.gatewayHostKey(), a.hostCa(), a.secretsKey()}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                    .as(p.toString())
                    .isEqualTo("rw-------");
        }
        assertThat(Files.readAllBytes(b.gatewayHostKey())).isEqualTo(Files.readAllBytes(a.gatewayHostKey()));
        assertThat(Files.readAllBytes(b.secretsKey())).isEqualTo(Files.readAllBytes(a.secretsKey()));
        HostCertificateAuthority caA = HostCertificateAuthority.loadOrCreate(a.hostCa());
        HostCertificateAuthority caB = HostCertificateAuthority.loadOrCreate(b.hostCa());
        assertThat(caB.publicKey()).isEqualTo(caA.publicKey()).isNotEqualTo(bOwn.publicKey());
        assertThat(Files.readString(Path.of(b.hostCa() + ".pub"))).startsWith(caA.publicKey());
        assertThat(SecretKeyFile.loadOrCreate(b.secretsKey()).keyId())
                .isEqualTo(SecretKeyFile.loadOrCreate(a.secretsKey()).keyId());

        Secret secret = client.secrets().inNamespace(NS).withName(NAME).get();
        assertThat(secret.getData())
                .containsOnlyKeys(SharedKeys.GATEWAY_HOST_KEY, SharedKeys.HOST_CA, SharedKeys.SECRETS_KEY);
        // Idempotent: a restart of a rewrites nothing and keeps the Secret as it is.
        assertThat(SharedKeys.sync(client, NS, NAME, a)).isFalse();
        assertThat(client.secrets().inNamespace(NS).withName(NAME).get().getData())
                .isEqualTo(secret.getData());
    }

    @Test
    void aSingleHostsExistingKeysSeedTheSecret() throws Exception {
        SharedKeys.KeyFiles a = files("a");
        HostCertificateAuthority before = HostCertificateAuthority.loadOrCreate(a.hostCa());
        SecretKeyFile.loadOrCreate(a.secretsKey());
        byte[] secretsKey = Files.readAllBytes(a.secretsKey());

        SharedKeys.sync(client, NS, NAME, a);

        assertThat(HostCertificateAuthority.loadOrCreate(a.hostCa()).publicKey())
                .isEqualTo(before.publicKey());
        assertThat(Files.readAllBytes(a.secretsKey())).isEqualTo(secretsKey);
        assertThat(client.secrets().inNamespace(NS).withName(NAME).get().getData())
                .containsEntry(
                        SharedKeys.SECRETS_KEY, java.util.Base64.getEncoder().encodeToString(secretsKey));
    }

    @Test
    void aSecretWithoutOneOfTheKeysIsRefusedNamingIt() {
        client.secrets()
                .inNamespace(NS)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(NAME)
                        .withNamespace(NS)
                        .endMetadata()
                        .withData(Map.of(SharedKeys.HOST_CA, "eA=="))
                        .build())
                .create();

        assertThatThrownBy(() -> SharedKeys.sync(client, NS, NAME, files("a")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Secret hangar/hangar-server-keys has no 'gateway-host-key'");
    }
}
