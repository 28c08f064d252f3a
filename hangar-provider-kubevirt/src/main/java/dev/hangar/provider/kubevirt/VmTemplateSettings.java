package dev.hangar.provider.kubevirt;

import dev.hangar.provider.kubernetes.TemplateSettings;
import dev.hangar.provider.spi.DeviceRequest;
import dev.hangar.provider.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The KubeVirt-specific settings of one workspace, read from {@link
 * dev.hangar.provider.spi.WorkspaceSpec#settings()} (the template's {@code settings}).
 *
 * <table>
 *   <caption>Template settings understood by the kubevirt provider</caption>
 *   <tr><th>key</th><th>example</th><th>meaning</th></tr>
 *   <tr><td>{@code source-pvc}</td><td>{@code golden/debian-12}</td><td>clone the root disk from this
 *       PersistentVolumeClaim ({@code [namespace/]name}; default namespace: the provider's) instead of
 *       importing the catalog image</td></tr>
 *   <tr><td>{@code source-data-source}</td><td>{@code os-images/fedora}</td><td>clone it from this CDI
 *       DataSource ({@code [namespace/]name})</td></tr>
 *   <tr><td>{@code eviction-strategy}</td><td>{@code LiveMigrate}</td><td>the VM's {@code
 *       evictionStrategy}: {@code None}, {@code LiveMigrate}, {@code LiveMigrateIfPossible} or {@code
 *       External}; unset: the cluster's default</td></tr>
 *   <tr><td>{@code node-selector.<label>}</td><td>{@code node-selector.kvm=true}</td><td>one {@code
 *       nodeSelector} entry of the VM</td></tr>
 *   <tr><td>{@code tolerations}</td><td>{@code dedicated=vm:NoSchedule}</td><td>as for the kubernetes
 *       provider: comma-separated {@code key[=value][:Effect]}</td></tr>
 *   <tr><td>{@code device-kind.<device name>}</td><td>{@code device-kind.intel.com/qat=hostDevice}</td>
 *       <td>how the VM asks for that requested device: {@code gpu} ({@code spec.domain.devices.gpus},
 *       the default) or {@code hostDevice} ({@code hostDevices}); see {@link VmDevices}</td></tr>
 * </table>
 *
 * @param source where the root disk comes from
 * @param evictionStrategy the VM's evictionStrategy; empty for the cluster default
 * @param nodeSelector node label selector, sorted by key
 * @param tolerations the VM's tolerations in the order given
 * @param deviceKinds the kind per device name of the {@code device-kind.*} settings, sorted by name;
 *     requested devices not in it are GPUs
 */
public record VmTemplateSettings(
        RootDiskSource source,
        String evictionStrategy,
        Map<String, String> nodeSelector,
        List<Toleration> tolerations,
        Map<String, VmDevices.Kind> deviceKinds) {

    /** The prefix of the per-device kind settings, followed by the device name. */
    public static final String DEVICE_KIND_PREFIX = "device-kind.";

    /** Plain keys; {@code node-selector.*} and {@code device-kind.*} keys are accepted too. */
    public static final Set<String> KEYS =
            Set.of("source-pvc", "source-data-source", "eviction-strategy", "tolerations");

    private static final Set<String> EVICTION = Set.of("None", "LiveMigrate", "LiveMigrateIfPossible", "External");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern LABEL_KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

    public VmTemplateSettings {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(evictionStrategy, "evictionStrategy");
        nodeSelector = java.util.Collections.unmodifiableMap(new TreeMap<>(nodeSelector));
        tolerations = List.copyOf(tolerations);
        deviceKinds = java.util.Collections.unmodifiableMap(new TreeMap<>(deviceKinds));
    }

    /** @return the evictionStrategy when the template sets one */
    public Optional<String> eviction() {
        return evictionStrategy.isEmpty() ? Optional.empty() : Optional.of(evictionStrategy);
    }

    /** Where a workspace's root disk comes from. */
    public sealed interface RootDiskSource {
        /** The catalog entry named by {@code spec.image()}: CDI imports its URL (or registry image). */
        record Catalog() implements RootDiskSource {}

        /** A clone of a golden PersistentVolumeClaim. */
        record Pvc(String namespace, String name) implements RootDiskSource {}

        /** A clone of what a CDI DataSource points at. */
        record DataSource(String namespace, String name) implements RootDiskSource {}
    }

    /**
     * Reads a workspace's settings.
     *
     * @param namespace the provider's namespace, for sources given without one
     * @throws ProviderException (permanent) naming unknown keys or malformed values
     */
    public static VmTemplateSettings parse(Map<String, String> settings, String namespace) {
        Set<String> unknown = new TreeSet<>();
        Map<String, String> nodeSelector = new LinkedHashMap<>();
        Map<String, VmDevices.Kind> deviceKinds = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(TemplateSettings.NODE_SELECTOR_PREFIX)) {
                String label = key.substring(TemplateSettings.NODE_SELECTOR_PREFIX.length());
                String value = e.getValue().trim();
                if (!LABEL_KEY.matcher(label).matches()
                        || !LABEL_VALUE.matcher(value).matches()) {
                    throw new ProviderException(
                            "template setting " + key + "=" + value + " is not a valid node label and value", true);
                }
                nodeSelector.put(label, value);
            } else if (key.startsWith(DEVICE_KIND_PREFIX)) {
                deviceKinds.put(deviceName(key), deviceKind(key, e.getValue().trim()));
            } else if (!KEYS.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ProviderException(
                    "unknown kubevirt template setting(s) " + unknown + "; known keys are " + new TreeSet<>(KEYS)
                            + ", " + TemplateSettings.NODE_SELECTOR_PREFIX + "<label> and " + DEVICE_KIND_PREFIX
                            + "<device name>",
                    true);
        }
        String pvc = settings.getOrDefault("source-pvc", "").trim();
        String dataSource = settings.getOrDefault("source-data-source", "").trim();
        if (!pvc.isEmpty() && !dataSource.isEmpty()) {
            throw new ProviderException(
                    "template settings source-pvc and source-data-source exclude each other; give one", true);
        }
        RootDiskSource source;
        if (!pvc.isEmpty()) {
            String[] ref = reference("source-pvc", pvc, namespace);
            source = new RootDiskSource.Pvc(ref[0], ref[1]);
        } else if (!dataSource.isEmpty()) {
            String[] ref = reference("source-data-source", dataSource, namespace);
            source = new RootDiskSource.DataSource(ref[0], ref[1]);
        } else {
            source = new RootDiskSource.Catalog();
        }
        String eviction = settings.getOrDefault("eviction-strategy", "").trim();
        if (!eviction.isEmpty() && !EVICTION.contains(eviction)) {
            throw new ProviderException(
                    "template setting eviction-strategy must be one of " + new TreeSet<>(EVICTION) + ", got '"
                            + eviction + "'",
                    true);
        }
        return new VmTemplateSettings(
                source,
                eviction,
                nodeSelector,
                TemplateSettings.tolerations(settings.getOrDefault("tolerations", "")),
                deviceKinds);
    }

    private static String deviceName(String key) {
        String name = key.substring(DEVICE_KIND_PREFIX.length());
        String problem = DeviceRequest.nameProblem(name);
        if (!problem.isEmpty()) throw new ProviderException("template setting " + key + ": " + problem, true);
        return name;
    }

    private static VmDevices.Kind deviceKind(String key, String value) {
        for (VmDevices.Kind k : VmDevices.Kind.values()) {
            if (k.setting().equals(value)) return k;
        }
        throw new ProviderException(
                "template setting " + key + " must be gpu or hostDevice, got '" + value + "'", true);
    }

    private static String[] reference(String key, String value, String namespace) {
        int slash = value.indexOf('/');
        String ns = slash < 0 ? namespace : value.substring(0, slash);
        String name = slash < 0 ? value : value.substring(slash + 1);
        if (!DNS_LABEL.matcher(ns).matches()
                || name.length() > 253
                || !DNS_SUBDOMAIN.matcher(name).matches()) {
            throw new ProviderException(
                    "template setting " + key + "='" + value + "' must be [namespace/]name of Kubernetes objects",
                    true);
        }
        return new String[] {ns, name};
    }
}
