package dev.hangar.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads {@code server.yaml} into flat dotted keys: nested mappings and dotted keys are the same
 * thing ({@code database: {url: x}} is {@code database.url: x}); a YAML null is an empty value;
 * a list is allowed only as the value of a provider setting {@code providers.<type>.<key>} (e.g.
 * {@code providers.qemu.pci-devices}) and becomes indexed keys ({@code pci-devices.0.name}), which
 * the provider checks. Which keys are known is not checked here ({@link ServerConfigLoader} does).
 * Stateless and thread-safe.
 */
final class ServerConfigFile {
    /** {@code providers.<type>.<setting>}; group 1 is the type, group 2 the setting. */
    static final Pattern PROVIDER_KEY = Pattern.compile("providers\\.([a-z0-9-]+)\\.([a-z0-9.-]+)");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ServerConfigFile() {}

    /**
     * @param file the YAML file; a missing file is an empty map
     * @return the file's values by dotted key, sorted
     * @throws ConfigException when the file cannot be read or parsed, is not a mapping, or holds a
     *     list outside {@code providers.<type>.}
     */
    static Map<String, String> read(Path file) {
        if (!Files.exists(file)) return Map.of();
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) return Map.of();
        if (!root.isObject()) throw new ConfigException(file + " must be a YAML mapping of config keys");
        Map<String, String> out = new TreeMap<>();
        flatten(file, "", root, out);
        return out;
    }

    private static void flatten(Path file, String prefix, JsonNode node, Map<String, String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            flattenValue(file, prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
        }
    }

    private static void flattenValue(Path file, String key, JsonNode v, Map<String, String> out) {
        if (v.isObject()) {
            flatten(file, key, v, out);
        } else if (v.isValueNode()) {
            out.put(key, v.isNull() ? "" : v.asText());
        } else if (PROVIDER_KEY.matcher(key).matches() && !key.matches(".*\\.\\d+")) {
            for (int i = 0; i < v.size(); i++) flattenValue(file, key + "." + i, v.get(i), out);
        } else {
            throw new ConfigException(file + ": key '" + key + "' must be a scalar or a mapping, not a list");
        }
    }
}
