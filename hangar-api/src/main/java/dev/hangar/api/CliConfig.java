package dev.hangar.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * The CLI's config file ({@code $HANGAR_HOME/cli.yaml}, mode 0600): which server to talk to and
 * with which token. {@code HANGAR_URL} and {@code HANGAR_TOKEN} override it.
 *
 * @param url the server's base URL, e.g. {@code http://127.0.0.1:7080}
 * @param token a bearer API token ({@code hgr_...}); a secret, never printed by {@link #toString()}
 */
public record CliConfig(String url, String token) {
    /**
     * Reads with Jackson's streaming YAML parser, no databind: every CLI command reads this file,
     * and an {@code ObjectMapper} over the record cost about 30 ms of a 0.3 s start (bench/README.md,
     * "CLI start"); the JSON mapper the API needs is another one anyway.
     */
    private static final YAMLFactory YAML = new YAMLFactory();

    public CliConfig {
        url = url == null ? "" : url;
        token = token == null ? "" : token;
    }

    @Override
    public String toString() {
        return "CliConfig[url=" + url + ", token=" + (token.isEmpty() ? "" : "<redacted>") + "]";
    }

    /**
     * Reads the file, then applies {@code HANGAR_URL} / {@code HANGAR_TOKEN} from {@code env}.
     *
     * @return empty fields where neither the file nor the environment has a value
     * @throws UncheckedIOException when the file exists but cannot be read or parsed
     */
    public static CliConfig load(Path file, Map<String, String> env) {
        CliConfig fromFile = read(file).orElse(new CliConfig("", ""));
        String url = env.getOrDefault("HANGAR_URL", "");
        String token = env.getOrDefault("HANGAR_TOKEN", "");
        return new CliConfig(url.isBlank() ? fromFile.url() : url, token.isBlank() ? fromFile.token() : token);
    }

    /**
     * Reads the file: a YAML mapping whose {@code url} and {@code token} are scalars (other keys
     * are ignored, so an older CLI reads a newer file).
     *
     * @return the file's content, empty when the file does not exist or holds no document
     * @throws UncheckedIOException when the file cannot be read, is not a mapping, or {@code url}
     *     or {@code token} is not a scalar; the message names the file
     */
    public static Optional<CliConfig> read(Path file) {
        if (!Files.exists(file)) return Optional.empty();
        try (JsonParser p = YAML.createParser(file.toFile())) {
            JsonToken first = p.nextToken();
            if (first == null) return Optional.empty();
            if (first != JsonToken.START_OBJECT)
                throw new IOException("expected a mapping with 'url' and 'token', found "
                        + (first == JsonToken.START_ARRAY ? "a list" : "a single value"));
            String url = "";
            String token = "";
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken value = p.nextToken();
                switch (key) {
                    case "url" -> url = scalar(p, key, value);
                    case "token" -> token = scalar(p, key, value);
                    default -> p.skipChildren();
                }
            }
            return Optional.of(new CliConfig(url, token));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String scalar(JsonParser p, String key, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) return "";
        if (!value.isScalarValue()) throw new IOException("'" + key + "' must be a string");
        return p.getText();
    }

    /**
     * Writes the file atomically with mode 0600 (created so, never widened in between), creating
     * parent directories with mode 0700.
     */
    public void write(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.exists(dir)) {
                Files.createDirectories(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Path tmp = Files.createTempFile(
                    dir,
                    ".cli",
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(tmp, new ObjectMapper(YAML).writeValueAsString(Map.of("url", url, "token", token)));
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
