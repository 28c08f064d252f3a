package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.ProviderException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code kubernetes} provider's section of the server configuration.
 *
 * <table>
 *   <caption>Provider settings (lower-kebab keys)</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code namespace}</td><td>(required)</td><td>namespace holding every workspace object</td></tr>
 *   <tr><td>{@code kubeconfig}</td><td>fabric8's chain: {@code KUBECONFIG}, {@code ~/.kube/config},
 *       in-cluster service account</td><td>path of a kubeconfig file to use instead</td></tr>
 *   <tr><td>{@code context}</td><td>the kubeconfig's current context</td><td>kubeconfig context</td></tr>
 *   <tr><td>{@code allow-privileged}</td><td>{@code false}</td><td>whether templates may ask for
 *       {@code privileged=true} (USB/IP)</td></tr>
 *   <tr><td>{@code service-routable}</td><td>{@code false}</td><td>{@code true}: the gateway connects to
 *       the Service's ClusterIP:22; {@code false}: to a loopback port-forward through the API server</td></tr>
 *   <tr><td>{@code storage-class}</td><td>the cluster's default class</td><td>StorageClass of home volumes</td></tr>
 *   <tr><td>{@code apply-mode}</td><td>{@code server-side}</td><td>{@code server-side} or {@code merge}
 *       (see {@link ApplyMode})</td></tr>
 *   <tr><td>{@code secrets}</td><td>none</td><td>comma-separated Secret names mounted read-only at
 *       {@code /var/secrets} in every workspace</td></tr>
 *   <tr><td>{@code run-as-user}</td><td>{@code 1000}</td><td>uid (and gid) the workspace container runs
 *       as; the image contract's user</td></tr>
 *   <tr><td>{@code terminal}</td><td>{@code true}</td><td>whether the console (dashboard, {@code hangar
 *       console}) offers a shell in running workspaces through the exec API; needs {@code pods/exec} in
 *       the Role; {@code false} for clusters whose policy forbids exec</td></tr>
 * </table>
 *
 * @param namespace a DNS-1123 label
 * @param kubeconfig path of a kubeconfig file; empty for fabric8's default chain
 * @param context kubeconfig context name; empty for the current context
 * @param allowPrivileged whether privileged workspaces are allowed
 * @param serviceRoutable whether the Service's ClusterIP is reachable from the control plane
 * @param storageClass StorageClass name; empty for the cluster default
 * @param applyMode how objects are written
 * @param secrets Secret names mounted at {@code /var/secrets} in every workspace
 * @param runAsUser uid and gid of the workspace container, at least 1
 * @param terminal whether {@link KubernetesProvider#terminal()} offers a shell (exec)
 */
public record KubernetesSettings(
        String namespace,
        String kubeconfig,
        String context,
        boolean allowPrivileged,
        boolean serviceRoutable,
        String storageClass,
        ApplyMode applyMode,
        List<String> secrets,
        long runAsUser,
        boolean terminal) {

    /** Every key {@link #parse} accepts. */
    public static final Set<String> KEYS = Set.of(
            "namespace",
            "kubeconfig",
            "context",
            "allow-privileged",
            "service-routable",
            "storage-class",
            "apply-mode",
            "secrets",
            "run-as-user",
            "terminal");

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    public KubernetesSettings {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(kubeconfig, "kubeconfig");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(storageClass, "storageClass");
        Objects.requireNonNull(applyMode, "applyMode");
        secrets = List.copyOf(secrets);
    }

    /** @return the kubeconfig path when one is configured */
    public Optional<String> kubeconfigPath() {
        return kubeconfig.isEmpty() ? Optional.empty() : Optional.of(kubeconfig);
    }

    /** @return the StorageClass name when one is configured */
    public Optional<String> storageClassName() {
        return storageClass.isEmpty() ? Optional.empty() : Optional.of(storageClass);
    }

    /**
     * Reads and validates the provider settings.
     *
     * @throws ProviderException (permanent) naming every unknown key, a missing {@code namespace} or a
     *     malformed value, and what to write instead
     */
    public static KubernetesSettings parse(Map<String, String> settings) {
        Set<String> unknown = new TreeSet<>(settings.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new ProviderException(
                    "unknown kubernetes provider setting(s) " + unknown + "; known keys are " + new TreeSet<>(KEYS),
                    true);
        }
        String namespace = settings.getOrDefault("namespace", "").trim();
        if (namespace.isEmpty()) {
            throw new ProviderException(
                    "kubernetes provider setting 'namespace' is required (the namespace for workspace objects)", true);
        }
        if (!DNS_LABEL.matcher(namespace).matches()) {
            throw new ProviderException(
                    "kubernetes provider setting namespace='" + namespace + "' is not a DNS-1123 label", true);
        }
        String storageClass = settings.getOrDefault("storage-class", "").trim();
        if (!storageClass.isEmpty() && !DNS_SUBDOMAIN.matcher(storageClass).matches()) {
            throw new ProviderException(
                    "kubernetes provider setting storage-class='" + storageClass + "' is not a DNS-1123 subdomain",
                    true);
        }
        List<String> secrets = secretNames("secrets", settings.getOrDefault("secrets", ""));
        String uid = settings.getOrDefault("run-as-user", "1000").trim();
        long runAsUser;
        try {
            runAsUser = Long.parseLong(uid);
        } catch (NumberFormatException e) {
            runAsUser = -1;
        }
        if (runAsUser < 1) {
            throw new ProviderException(
                    "kubernetes provider setting run-as-user must be a uid of 1 or more (root is not allowed), got '"
                            + uid + "'",
                    true);
        }
        return new KubernetesSettings(
                namespace,
                settings.getOrDefault("kubeconfig", "").trim(),
                settings.getOrDefault("context", "").trim(),
                bool("allow-privileged", settings.getOrDefault("allow-privileged", "false")),
                bool("service-routable", settings.getOrDefault("service-routable", "false")),
                storageClass,
                ApplyMode.parse(settings.getOrDefault("apply-mode", ApplyMode.SERVER_SIDE.setting())),
                secrets,
                runAsUser,
                bool("terminal", settings.getOrDefault("terminal", "true")));
    }

    static boolean bool(String key, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ProviderException(key + " must be true or false, got '" + value + "'", true);
        };
    }

    /** Splits a comma-separated list of Secret names and checks each is a DNS-1123 subdomain. */
    static List<String> secretNames(String key, String value) {
        if (value.isBlank()) return List.of();
        List<String> names = java.util.Arrays.stream(value.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
        for (String name : names) {
            if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
                throw new ProviderException(
                        key + ": '" + name + "' is not a valid Secret name (a DNS-1123 subdomain)", true);
            }
        }
        return names;
    }
}
