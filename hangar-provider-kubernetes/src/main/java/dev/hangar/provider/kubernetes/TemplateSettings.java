package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The Kubernetes-specific settings of one workspace, read from {@link
 * dev.hangar.provider.spi.WorkspaceSpec#settings()} (the template's {@code settings} plus user
 * additions).
 *
 * <table>
 *   <caption>Template settings understood by the kubernetes provider</caption>
 *   <tr><th>key</th><th>example</th><th>meaning</th></tr>
 *   <tr><td>{@code privileged}</td><td>{@code true}</td><td>privileged container with {@code /dev/bus/usb}
 *       and {@code /sys} from the node (USB/IP); only when the provider allows it</td></tr>
 *   <tr><td>{@code node-selector.<label>}</td><td>{@code node-selector.kuul-type=ssh}</td><td>one
 *       {@code nodeSelector} entry</td></tr>
 *   <tr><td>{@code tolerations}</td><td>{@code dedicated=dev:NoSchedule,gpu:NoExecute,spot}</td><td>comma-separated
 *       {@code key[=value][:Effect]}; without a value the operator is {@code Exists}, without an effect every
 *       effect is tolerated</td></tr>
 *   <tr><td>{@code secrets}</td><td>{@code kuul-secret}</td><td>comma-separated Secret names added to the
 *       provider's, mounted read-only at {@code /var/secrets}</td></tr>
 *   <tr><td>{@code storage-class}</td><td>{@code fast-ssd}</td><td>StorageClass of the home volume, overriding
 *       the provider's; only read when the volume is created</td></tr>
 *   <tr><td>{@code image-pull-policy}</td><td>{@code Never}</td><td>{@code Always}, {@code IfNotPresent}
 *       (default) or {@code Never} (images loaded onto nodes by hand, seed 001)</td></tr>
 * </table>
 *
 * @param privileged whether the template asks for a privileged container
 * @param nodeSelector node label selector, sorted by key
 * @param tolerations pod tolerations in the order given
 * @param secrets Secret names to mount at {@code /var/secrets}
 * @param storageClass StorageClass override; empty for none
 * @param imagePullPolicy {@code Always}, {@code IfNotPresent} or {@code Never}
 */
public record TemplateSettings(
        boolean privileged,
        Map<String, String> nodeSelector,
        List<Toleration> tolerations,
        List<String> secrets,
        String storageClass,
        String imagePullPolicy) {

    /** Plain keys; {@code node-selector.*} keys are accepted too. */
    public static final Set<String> KEYS =
            Set.of("privileged", "tolerations", "secrets", "storage-class", "image-pull-policy");

    /** Prefix of one nodeSelector entry key. */
    public static final String NODE_SELECTOR_PREFIX = "node-selector.";

    /** Template settings with nothing set. */
    public static final TemplateSettings DEFAULTS =
            new TemplateSettings(false, Map.of(), List.of(), List.of(), "", "IfNotPresent");

    // A Kubernetes label key: optional DNS subdomain prefix and '/', then a name of at most 63 chars.
    private static final Pattern LABEL_KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
    private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");
    private static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");

    public TemplateSettings {
        nodeSelector = java.util.Collections.unmodifiableMap(new TreeMap<>(nodeSelector));
        tolerations = List.copyOf(tolerations);
        secrets = List.copyOf(secrets);
        Objects.requireNonNull(storageClass, "storageClass");
        Objects.requireNonNull(imagePullPolicy, "imagePullPolicy");
    }

    /**
     * Reads a workspace's settings.
     *
     * @throws ProviderException (permanent) naming unknown keys or malformed values
     */
    public static TemplateSettings parse(Map<String, String> settings) {
        Set<String> unknown = new TreeSet<>();
        Map<String, String> nodeSelector = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(NODE_SELECTOR_PREFIX)) {
                String label = key.substring(NODE_SELECTOR_PREFIX.length());
                String value = e.getValue().trim();
                if (!LABEL_KEY.matcher(label).matches() || label.length() > 317) {
                    throw new ProviderException(
                            "template setting " + key + ": '" + label + "' is not a valid label key", true);
                }
                if (!LABEL_VALUE.matcher(value).matches()) {
                    throw new ProviderException(
                            "template setting " + key + ": '" + value + "' is not a valid label value", true);
                }
                nodeSelector.put(label, value);
            } else if (!KEYS.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ProviderException(
                    "unknown kubernetes template setting(s) " + unknown + "; known keys are " + new TreeSet<>(KEYS)
                            + " and " + NODE_SELECTOR_PREFIX + "<label>",
                    true);
        }
        String pullPolicy =
                settings.getOrDefault("image-pull-policy", "IfNotPresent").trim();
        if (!PULL_POLICIES.contains(pullPolicy)) {
            throw new ProviderException(
                    "template setting image-pull-policy must be one of " + new TreeSet<>(PULL_POLICIES) + ", got '"
                            + pullPolicy + "'",
                    true);
        }
        return new TemplateSettings(
                KubernetesSettings.bool("privileged", settings.getOrDefault("privileged", "false")),
                nodeSelector,
                tolerations(settings.getOrDefault("tolerations", "")),
                KubernetesSettings.secretNames("template setting secrets", settings.getOrDefault("secrets", "")),
                settings.getOrDefault("storage-class", "").trim(),
                pullPolicy);
    }

    /**
     * Parses the {@code tolerations} setting (format in the table above); also used by the kubevirt
     * provider, whose templates take the same setting.
     *
     * @throws ProviderException (permanent) for a malformed item
     */
    public static List<Toleration> tolerations(String value) {
        List<Toleration> result = new ArrayList<>();
        for (String raw : value.split(",")) {
            String item = raw.trim();
            if (item.isEmpty()) continue;
            String effect = null;
            int colon = item.lastIndexOf(':');
            if (colon >= 0) {
                effect = item.substring(colon + 1);
                item = item.substring(0, colon);
                if (!EFFECTS.contains(effect)) {
                    throw new ProviderException(
                            "template setting tolerations: effect '" + effect + "' in '" + raw.trim()
                                    + "' must be one of " + new TreeSet<>(EFFECTS),
                            true);
                }
            }
            int eq = item.indexOf('=');
            String key = eq >= 0 ? item.substring(0, eq) : item;
            String val = eq >= 0 ? item.substring(eq + 1) : null;
            if (key.isEmpty() || !LABEL_KEY.matcher(key).matches()) {
                throw new ProviderException(
                        "template setting tolerations: '" + raw.trim()
                                + "' needs key[=value][:Effect] with a valid key",
                        true);
            }
            result.add(new TolerationBuilder()
                    .withKey(key)
                    .withOperator(val == null ? "Exists" : "Equal")
                    .withValue(val)
                    .withEffect(effect)
                    .build());
        }
        return result;
    }
}
