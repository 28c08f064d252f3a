package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/server-config.md against {@link KubernetesSettings}: the {@code providers.kubernetes.*} rows
 * are exactly {@link KubernetesSettings#KEYS}, and each default written as a literal is the one
 * {@link KubernetesSettings#parse} applies. (The other keys: ServerConfigReferenceTest in
 * hangar-server.)
 */
class KubernetesSettingsReferenceTest {
    private static final String PREFIX = "providers.kubernetes.";
    private static final Pattern ROW =
            Pattern.compile("^\\|\\s*`" + Pattern.quote(PREFIX) + "([^`]+)`\\s*\\|\\s*(.*?)\\s*\\|.*$");
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");

    /** @return setting (without the prefix) to its default cell, in document order */
    private static Map<String, String> documented() throws IOException {
        Path doc = null;
        for (Path dir = Path.of("").toAbsolutePath(); dir != null && doc == null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docs/server-config.md"))) doc = dir.resolve("docs/server-config.md");
        }
        assertThat(doc)
                .as("docs/server-config.md above " + Path.of("").toAbsolutePath())
                .isNotNull();
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(doc)) {
            Matcher m = ROW.matcher(line);
            if (m.matches())
                assertThat(rows.put(m.group(1), m.group(2)))
                        .as("%s listed twice", m.group(1))
                        .isNull();
        }
        return rows;
    }

    @Test
    void documentsExactlyTheProvidersSettings() throws IOException {
        assertThat(documented().keySet()).containsExactlyInAnyOrderElementsOf(KubernetesSettings.KEYS);
    }

    @Test
    void eachLiteralDefaultIsTheOneTheProviderApplies() throws IOException {
        Map<String, String> required = Map.of("namespace", "hangar-workspaces");
        KubernetesSettings defaults = KubernetesSettings.parse(required);
        int checked = 0;
        for (Map.Entry<String, String> e : documented().entrySet()) {
            Matcher m = CODE.matcher(e.getValue());
            if (!m.matches()) continue;
            Map<String, String> settings = new HashMap<>(required);
            settings.put(e.getKey(), m.group(1));
            assertThat(KubernetesSettings.parse(settings))
                    .as("%s%s set to its documented default '%s'", PREFIX, e.getKey(), m.group(1))
                    .isEqualTo(defaults);
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(4);
        assertThat(documented()).containsEntry("namespace", "(required)");
    }
}
