package dev.hangar.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.hangar.api.Json;
import java.io.PrintWriter;

/**
 * Machine-readable output of API records: {@code -o json} (as the API sends it, indented) and
 * {@code -o yaml}. The YAML mapper is built on first use only, keeping other commands' startup
 * cheap. Thread-safe.
 */
final class Output {
    /** The {@code -o} formats. */
    enum Format {
        table,
        json,
        yaml
    }

    private Output() {}

    /** Writes {@code value} (a record or a list of records) in {@code format}, which must not be table. */
    static void write(PrintWriter out, Format format, Object value) {
        try {
            String text = switch (format) {
                case json -> Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value);
                case yaml -> Yaml.MAPPER.writeValueAsString(value);
                case table -> throw new IllegalArgumentException("table is not a serialisation format");
            };
            out.println(text.stripTrailing());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + format + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Holder: the YAML mapper is created when first touched (class initialisation is lazy). */
    private static final class Yaml {
        static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory()
                        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }
}
