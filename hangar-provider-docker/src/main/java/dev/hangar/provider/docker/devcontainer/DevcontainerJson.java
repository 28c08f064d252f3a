package dev.hangar.provider.docker.devcontainer;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A devcontainer.json's text as a JSON object, read leniently (comments and trailing commas: Jackson's
 * {@link JsonReadFeature#ALLOW_JAVA_COMMENTS} and {@link JsonReadFeature#ALLOW_TRAILING_COMMA}), with
 * where each top-level key's name starts, so that an error about a key names its line and column.
 * Immutable once parsed; thread-safe.
 */
final class DevcontainerJson {
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .build();

    private final Path file;
    private final ObjectNode root;
    private final Map<String, JsonLocation> at;

    private DevcontainerJson(Path file, ObjectNode root, Map<String, JsonLocation> at) {
        this.file = file;
        this.root = root;
        this.at = at;
    }

    /**
     * Parses {@code text}, the content of {@code file}.
     *
     * @throws DevcontainerException when the text is not JSON (naming line and column) or not an object
     */
    static DevcontainerJson parse(Path file, String text) {
        JsonNode tree;
        try {
            tree = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw syntax(file, e);
        }
        if (tree == null || !tree.isObject()) throw new DevcontainerException(file, 1, 1, "must be a JSON object");
        return new DevcontainerJson(file, (ObjectNode) tree, topLevelLocations(file, text));
    }

    /** @return the top-level object (not to be modified) */
    ObjectNode root() {
        return root;
    }

    /**
     * @return an error about top-level {@code key}, at the line and column where the key's name starts
     *     (0, 0 when the file does not have the key)
     */
    DevcontainerException error(String key, String message) {
        JsonLocation l = at.get(key);
        return l == null
                ? new DevcontainerException(file, 0, 0, key + ": " + message)
                : new DevcontainerException(file, l.getLineNr(), l.getColumnNr(), key + ": " + message);
    }

    /** @return where each top-level key's name starts (a second, streaming pass over the text) */
    private static Map<String, JsonLocation> topLevelLocations(Path file, String text) {
        Map<String, JsonLocation> at = new HashMap<>();
        try (JsonParser p = JSON.createParser(text)) {
            int depth = 0;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) depth++;
                else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) depth--;
                else if (t == JsonToken.FIELD_NAME && depth == 1)
                    at.putIfAbsent(p.currentName(), p.currentTokenLocation());
            }
        } catch (IOException e) {
            throw syntax(file, e);
        }
        return at;
    }

    private static DevcontainerException syntax(Path file, IOException e) {
        if (e instanceof JsonProcessingException j && j.getLocation() != null) {
            return new DevcontainerException(
                    file,
                    j.getLocation().getLineNr(),
                    j.getLocation().getColumnNr(),
                    "invalid JSON: " + j.getOriginalMessage());
        }
        return new DevcontainerException(file, 0, 0, "invalid JSON: " + e.getMessage());
    }
}
