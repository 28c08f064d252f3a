package dev.hangar.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.usb.UsbPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-user USB allow-lists, kept by an administrator in {@code $HANGAR_HOME/usb-allow.yaml}:
 *
 * <pre>
 * users:
 *   ann: ["0483:3748", "1366:*"]
 *   bob: ["*:*"]
 * </pre>
 *
 * A user's list adds to the template's {@code usb.allow}. The file is read on every lookup (it is
 * tiny and attaches are rare), so an edit applies at once without a restart. A missing file means
 * no user has a list; a malformed one is logged and treated as empty (deny), never as allow-all.
 * Thread-safe.
 */
final class UsbAllowFile implements Function<String, List<String>> {
    private static final Logger LOG = LoggerFactory.getLogger(UsbAllowFile.class);
    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** File name under {@code $HANGAR_HOME}. */
    static final String NAME = "usb-allow.yaml";

    private final Path file;

    record Shape(Map<String, List<String>> users) {}

    UsbAllowFile(Path home) {
        this.file = home.resolve(NAME);
    }

    @Override
    public List<String> apply(String user) {
        try {
            Shape s = YAML.readValue(Files.readAllBytes(file), Shape.class);
            if (s == null || s.users() == null) return List.of();
            List<String> entries = s.users().get(user);
            return entries == null ? List.of() : UsbPolicy.canonical(NAME + " users." + user, entries);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException | ValidationException e) {
            LOG.warn("ignoring {} (no per-user USB allow-lists apply): {}", file, e.getMessage());
            return List.of();
        }
    }
}
