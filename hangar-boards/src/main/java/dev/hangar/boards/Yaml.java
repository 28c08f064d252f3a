package dev.hangar.boards;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/**
 * The YAML writer of this module's renderers, configured like the qemu provider's cloud-init renderer
 * (no {@code ---}, quotes only where needed, literal blocks for multi-line text) and, because
 * passphrases and SSIDs may be all digits, strings that look like numbers stay quoted. Long lines
 * (SSH keys) are not folded, so each key stays on one line for people and grep.
 */
final class Yaml {
    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .disable(YAMLGenerator.Feature.SPLIT_LINES));

    private Yaml() {}

    /** @return {@code doc} (maps, lists, strings, numbers, booleans) as a YAML document */
    static String write(Object doc) {
        try {
            return MAPPER.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render YAML", e);
        }
    }
}
