package dev.hangar.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
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
    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

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

    /** @return the file's content, empty when the file does not exist */
    public static Optional<CliConfig> read(Path file) {
        if (!Files.exists(file)) return Optional.empty();
        try {
            return Optional.ofNullable(YAML.readValue(file.toFile(), CliConfig.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
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
                Files.writeString(tmp, YAML.writeValueAsString(Map.of("url", url, "token", token)));
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
