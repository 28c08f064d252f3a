package dev.hangar.server;

import dev.hangar.core.secret.SecretKeyFile;
import dev.hangar.core.service.HostCertificateAuthority;
import dev.hangar.gateway.SshGateway;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys every replica of the server must present alike, kept in one Kubernetes Secret instead
 * of a volume the replicas share (docs/adr/0014-replica-keys-in-a-secret.md): the SSH gateway's
 * host key (clients pin it), the SSH host CA (clients trust workspaces it signs) and the secrets key
 * (stored user secrets are sealed with it).
 *
 * <p>{@link #sync} runs once at start, before anything reads those files. It reads the Secret; when
 * there is none, it makes the three values (from the files already in this replica's home, so a
 * single-replica install moves to replicas keeping its keys, else new ones) and creates the Secret.
 * The create is the arbiter between replicas that start together on an empty cluster: the API
 * server accepts exactly one, the others get 409 Conflict and read the winner's Secret. Then the
 * Secret's values are written over the replica's files (mode 0600, atomically), where the gateway,
 * the host CA and the secrets service read them as on a single host. The replica's home is then
 * pod-local scratch (an {@code emptyDir}), not shared state.
 *
 * <p>Never logs a key. Stateless; {@link #sync} is idempotent (a second run rewrites the same bytes)
 * and safe for several processes at once (see above).
 */
final class SharedKeys {
    /** Data key of the gateway's Ed25519 host key (OpenSSH private key format). */
    static final String GATEWAY_HOST_KEY = "gateway-host-key";
    /** Data key of the SSH host CA's Ed25519 private key (OpenSSH private key format). */
    static final String HOST_CA = "host-ca";
    /** Data key of the secrets key (one line, base64 of 32 bytes). */
    static final String SECRETS_KEY = "secrets-key";

    private static final Logger LOG = LoggerFactory.getLogger(SharedKeys.class);

    /**
     * Where this replica keeps the three keys as files.
     *
     * @param gatewayHostKey the gateway's host key file ({@code gateway.state-dir}/ssh_host_ed25519_key)
     * @param hostCa the host CA's private key file ({@code $HANGAR_HOME/ssh/host_ca})
     * @param secretsKey the secrets key file ({@code secrets.key-file})
     */
    record KeyFiles(Path gatewayHostKey, Path hostCa, Path secretsKey) {
        KeyFiles {
            Objects.requireNonNull(gatewayHostKey, "gatewayHostKey");
            Objects.requireNonNull(hostCa, "hostCa");
            Objects.requireNonNull(secretsKey, "secretsKey");
        }

        /** @return the paths the server reads for {@code config} */
        static KeyFiles of(ServerConfig config) {
            return new KeyFiles(
                    SshGatewayHook.stateDir(config).resolve("ssh_host_ed25519_key"),
                    config.home().resolve("ssh").resolve("host_ca"),
                    config.secrets().keyFile());
        }
    }

    private SharedKeys() {}

    /** @return the Secret's name for a Lease name: {@code <lease>-keys} */
    static String secretName(String lease) {
        return lease + "-keys";
    }

    /**
     * Makes this replica's key files equal to the Secret {@code namespace/name}, creating the Secret
     * first when it does not exist (see the class comment).
     *
     * @return true when this call created the Secret, false when it existed (or another replica won
     *     the create)
     * @throws ConfigException when the Secret cannot be read or created (naming the Role rule it
     *     needs), lacks one of the three keys, or a key file cannot be written
     */
    static boolean sync(KubernetesClient client, String namespace, String name, KeyFiles files) {
        String where = "Secret " + namespace + "/" + name;
        try {
            Secret secret = get(client, namespace, name);
            boolean created = false;
            if (secret == null) {
                Secret fresh = new SecretBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(namespace)
                        .addToLabels("app.kubernetes.io/name", "hangar-server")
                        .addToLabels("app.kubernetes.io/part-of", "hangar")
                        .endMetadata()
                        .withType("Opaque")
                        .withData(encode(local(files)))
                        .build();
                try {
                    secret = client.secrets()
                            .inNamespace(namespace)
                            .resource(fresh)
                            .create();
                    created = true;
                    LOG.info("created {} with this replica's gateway host key, host CA and secrets key", where);
                } catch (KubernetesClientException e) {
                    if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) throw e;
                    // Another replica created it between our get and our create: use theirs.
                    secret = get(client, namespace, name);
                    if (secret == null) throw new ConfigException(where + " was created and deleted while starting");
                }
            }
            write(where, decode(where, secret), files);
            if (!created) LOG.info("gateway host key, host CA and secrets key taken from {}", where);
            return created;
        } catch (KubernetesClientException e) {
            throw new ConfigException(
                    "cannot read or create " + where + " (the keys replicas share): " + e.getMessage()
                            + "; the service account needs get and create on secrets in " + namespace
                            + " (deploy/base/rbac.yaml, Role hangar-server-keys)",
                    e);
        }
    }

    private static Secret get(KubernetesClient client, String namespace, String name) {
        return client.secrets().inNamespace(namespace).withName(name).get();
    }

    /** The three values from this replica's files, each made first when absent (new random keys). */
    private static Map<String, byte[]> local(KeyFiles files) {
        try {
            SshGateway.ensureHostKey(files.gatewayHostKey().getParent());
            HostCertificateAuthority.loadOrCreate(files.hostCa());
            SecretKeyFile.loadOrCreate(files.secretsKey());
            Map<String, byte[]> values = new LinkedHashMap<>();
            values.put(GATEWAY_HOST_KEY, Files.readAllBytes(files.gatewayHostKey()));
            values.put(HOST_CA, Files.readAllBytes(files.hostCa()));
            values.put(SECRETS_KEY, Files.readAllBytes(files.secretsKey()));
            return values;
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            throw new ConfigException("cannot make the keys to share with other replicas: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> encode(Map<String, byte[]> values) {
        Map<String, String> data = new LinkedHashMap<>();
        values.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v)));
        return data;
    }

    private static Map<String, byte[]> decode(String where, Secret secret) {
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        Map<String, byte[]> values = new LinkedHashMap<>();
        for (String key : List.of(GATEWAY_HOST_KEY, HOST_CA, SECRETS_KEY)) {
            String v = data.get(key);
            if (v == null || v.isBlank())
                throw new ConfigException(where + " has no '" + key + "'; it must hold " + GATEWAY_HOST_KEY + ", "
                        + HOST_CA + " and " + SECRETS_KEY + " (delete it to have a replica make all three;"
                        + " users must then re-run hangar config-ssh, and stored secrets cannot be read)");
            try {
                values.put(key, Base64.getDecoder().decode(v));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where + " '" + key + "' is not base64", e);
            }
        }
        return values;
    }

    private static void write(String where, Map<String, byte[]> values, KeyFiles files) {
        put(where, files.gatewayHostKey(), values.get(GATEWAY_HOST_KEY));
        put(where, files.hostCa(), values.get(HOST_CA));
        put(where, files.secretsKey(), values.get(SECRETS_KEY));
        // The CA's public key beside it (ssh-keygen's habit) must match the shared private key.
        Path pub = Path.of(files.hostCa() + ".pub");
        try {
            String line = HostCertificateAuthority.loadOrCreate(files.hostCa()).publicKey() + " "
                    + HostCertificateAuthority.COMMENT + "\n";
            if (!Files.isRegularFile(pub) || !Files.readString(pub).equals(line)) {
                Files.deleteIfExists(pub);
                Files.writeString(pub, line, java.nio.charset.StandardCharsets.US_ASCII);
                Files.setPosixFilePermissions(pub, PosixFilePermissions.fromString("rw-r--r--"));
            }
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            throw new ConfigException("the host CA from " + where + " is not usable: " + e.getMessage(), e);
        }
    }

    /** Writes {@code bytes} to {@code file} (0600, parents 0700) unless it holds them already. */
    private static void put(String where, Path file, byte[] bytes) {
        try {
            if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), bytes)) return;
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir))
                Files.createDirectories(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            // Created 0600 from the start and renamed into place: never readable by others, never half written.
            Path tmp = Files.createTempFile(
                    dir,
                    file.getFileName() + ".",
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.write(tmp, bytes);
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new ConfigException("cannot write " + file + " from " + where + ": " + e.getMessage(), e);
        }
    }
}
