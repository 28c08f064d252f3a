package dev.hangar.provider.kubevirt;

import dev.hangar.provider.kubernetes.KubernetesSettings;
import dev.hangar.provider.spi.ProviderException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code kubevirt} provider's section of the server configuration. Cluster access and object
 * writing are the Pod provider's ({@link KubernetesSettings}, parsed by its code), without the
 * keys that only make sense for Pods ({@code allow-privileged}, {@code secrets}, {@code
 * run-as-user}).
 *
 * <table>
 *   <caption>Provider settings (lower-kebab keys)</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code namespace}</td><td>(required)</td><td>namespace of every workspace object</td></tr>
 *   <tr><td>{@code kubeconfig}, {@code context}</td><td>fabric8's chain</td><td>as for the kubernetes
 *       provider</td></tr>
 *   <tr><td>{@code service-routable}</td><td>{@code false}</td><td>{@code true}: the control plane reaches
 *       the VM's sshd at its Service's ClusterIP:22 (and probes it there); {@code false}: through the VMI
 *       port-forward subresource, through a loopback port the provider keeps per running workspace</td></tr>
 *   <tr><td>{@code storage-class}</td><td>the cluster's default class</td><td>StorageClass of root disks;
 *       checked to exist when the cluster lets Hangar read StorageClasses</td></tr>
 *   <tr><td>{@code apply-mode}</td><td>{@code server-side}</td><td>{@code server-side} or {@code merge}</td></tr>
 *   <tr><td>{@code image-catalog}</td><td>the catalog shipped with Hangar (the qemu provider's)</td><td>path of
 *       an image catalog YAML file replacing it</td></tr>
 * </table>
 *
 * @param cluster cluster access, namespace, service routing, storage class and apply mode
 * @param imageCatalog path of a catalog file; empty for the shipped catalog
 */
public record KubevirtSettings(KubernetesSettings cluster, String imageCatalog) {

    /** Every key {@link #parse} accepts. */
    public static final Set<String> KEYS = Set.of(
            "namespace", "kubeconfig", "context", "service-routable", "storage-class", "apply-mode", "image-catalog");

    public KubevirtSettings {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(imageCatalog, "imageCatalog");
    }

    /** @return the namespace of every workspace object */
    public String namespace() {
        return cluster.namespace();
    }

    /** @return the catalog file path when one is configured */
    public Optional<String> imageCatalogPath() {
        return imageCatalog.isEmpty() ? Optional.empty() : Optional.of(imageCatalog);
    }

    /**
     * Reads and validates the provider settings.
     *
     * @throws ProviderException (permanent) naming every unknown key, a missing {@code namespace} or a
     *     malformed value
     */
    public static KubevirtSettings parse(Map<String, String> settings) {
        Set<String> unknown = new TreeSet<>(settings.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new ProviderException(
                    "unknown kubevirt provider setting(s) " + unknown + "; known keys are " + new TreeSet<>(KEYS),
                    true);
        }
        Map<String, String> cluster = new HashMap<>(settings);
        String catalog = cluster.remove("image-catalog");
        KubernetesSettings parsed;
        try {
            parsed = KubernetesSettings.parse(cluster);
        } catch (ProviderException e) {
            throw new ProviderException(e.getMessage().replace("kubernetes provider", "kubevirt provider"), true, e);
        }
        return new KubevirtSettings(parsed, catalog == null ? "" : catalog.trim());
    }
}
