package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Builds a workspace's SSH Secret ({@code v1/Secret} {@link WorkspaceNames#sshSecret()}, type {@code
 * Opaque}), which the pod mounts read-only at {@value WorkspaceManifests#SSH_SECRET_MOUNT}. Its
 * {@code data} holds, each base64 of UTF-8 text ending in a newline:
 *
 * <ul>
 *   <li>{@code authorized_keys}: the spec's authorized keys, one stripped key per line;
 *   <li>{@code ssh_host_<type>_key} and {@code ssh_host_<type>_key.pub}: the host key Hangar
 *       generated, in OpenSSH format ({@code <type>} from {@link #hostKeyFile});
 *   <li>{@code ssh_host_<type>_key-cert.pub}: the host certificate the core's host CA signed, which
 *       the image's entrypoint passes to sshd as {@code HostCertificate}.
 * </ul>
 *
 * <p>{@code data} rather than {@code stringData}: the API server never returns {@code stringData},
 * so a merge apply comparing desired with live would see a difference on every pass. {@link
 * #configHash} digests the data, for a pod template annotation that rolls the pod when keys change.
 *
 * <p>Pure: no cluster access, same input gives equal output, thread-safe.
 */
final class SshSecretManifests {
    private final KubernetesSettings settings;

    /** @param settings the provider settings; only the namespace is used */
    SshSecretManifests(KubernetesSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * @param spec the workspace; its authorized keys, host key and host certificate become the data
     * @param names the workspace's object names; the Secret is {@link WorkspaceNames#sshSecret()}
     * @param labels the labels every workspace object carries ({@link WorkspaceManifests#labels})
     * @return a new Secret in the provider's namespace; never throws for a valid spec
     */
    Secret build(WorkspaceSpec spec, WorkspaceNames names, Map<String, String> labels) {
        String keyFile = hostKeyFile(spec.hostKey().algorithm());
        Map<String, String> data = new TreeMap<>();
        StringBuilder keys = new StringBuilder();
        for (String key : spec.authorizedKeys()) keys.append(key.strip()).append('\n');
        data.put("authorized_keys", base64(keys.toString()));
        data.put(keyFile, base64(withNewline(spec.hostKey().privateKeyOpenSsh())));
        data.put(keyFile + ".pub", base64(withNewline(spec.hostKey().publicKey())));
        // the host certificate the core signed; the image's entrypoint adds HostCertificate for it
        data.put(keyFile + "-cert.pub", base64(withNewline(spec.hostCertificate())));
        // "data" rather than "stringData": the API server never returns stringData, so a merge apply
        // comparing desired with live would see a difference on every pass.
        return new SecretBuilder()
                .withMetadata(WorkspaceManifests.meta(settings.namespace(), names.sshSecret(), labels))
                .withType("Opaque")
                .withData(data)
                .build();
    }

    /**
     * @param algorithm an SSH key algorithm name, e.g. {@code ssh-ed25519}, {@code
     *     ecdsa-sha2-nistp256}, {@code rsa-sha2-512} (case-insensitive)
     * @return the file name sshd expects for a host key of {@code algorithm}, e.g. {@code
     *     ssh_host_ed25519_key}; an unknown algorithm gives {@code ssh_host_<algorithm>_key} with
     *     every character other than {@code [a-z0-9]} replaced by {@code _}
     */
    static String hostKeyFile(String algorithm) {
        String a = algorithm.toLowerCase(Locale.ROOT);
        String type;
        if (a.contains("ed25519")) type = "ed25519";
        else if (a.startsWith("ecdsa")) type = "ecdsa";
        else if (a.contains("rsa")) type = "rsa";
        else type = a.replaceAll("[^a-z0-9]", "_");
        return "ssh_host_" + type + "_key";
    }

    /**
     * @param secret a Secret with {@code data} (as {@link #build} makes it)
     * @return the first 16 hex digits of SHA-256 over {@code key=value} lines of its data in key
     *     order: equal for equal data, different (with overwhelming probability) otherwise
     */
    static String configHash(Secret secret) {
        StringBuilder all = new StringBuilder();
        new TreeMap<>(secret.getData())
                .forEach((k, v) -> all.append(k).append('=').append(v).append('\n'));
        return WorkspaceNames.sha256Hex(all.toString()).substring(0, 16);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String withNewline(String text) {
        return text.endsWith("\n") ? text : text + "\n";
    }
}
