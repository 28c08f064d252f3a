package dev.hangar.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.gateway.GatewayConfig;
import dev.hangar.provider.qemu.QemuSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/server-config.md against the code: it documents exactly the keys the loader, the SSH
 * gateway and the qemu provider accept, with the defaults they apply ({@code
 * providers.kubernetes.*}: KubernetesSettingsReferenceTest in that module).
 */
class ServerConfigReferenceTest {
    /** A table row whose first cell is one code span: {@code | `key` | default | meaning |}. */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|\\s*(.*?)\\s*\\|.*$");

    private static final Pattern CODE = Pattern.compile("`([^`]*)`");

    private static final String PROVIDER_ENABLED = "providers.<type>.enabled";

    /** The repository's file, found from the module directory Surefire runs in. */
    static Path reference() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path doc = dir.resolve("docs/server-config.md");
            if (Files.isRegularFile(doc)) return doc;
        }
        throw new AssertionError(
                "docs/server-config.md not found above " + Path.of("").toAbsolutePath());
    }

    /** @return documented key to its default cell, in document order; fails on a key listed twice */
    static Map<String, String> documented() throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(reference())) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                assertThat(rows.put(m.group(1), m.group(2)))
                        .as("key %s listed twice", m.group(1))
                        .isNull();
            }
        }
        return rows;
    }

    /** @return the value of a default cell that is exactly one code span, else empty */
    private static java.util.Optional<String> literal(String cell) {
        Matcher m = CODE.matcher(cell);
        return m.matches() ? java.util.Optional.of(m.group(1)) : java.util.Optional.empty();
    }

    @Test
    void documentsExactlyTheKeysTheServerAccepts() throws IOException {
        List<String> expected = new ArrayList<>(ServerConfigLoader.keys());
        SshGatewayHook.KEYS.forEach(k -> expected.add("gateway." + k));
        expected.add(PROVIDER_ENABLED);
        QemuSettings.KEYS.forEach(k -> expected.add("providers.qemu." + k));

        List<String> keys = documented().keySet().stream()
                .filter(k -> !k.startsWith("providers.kubernetes."))
                .toList();

        assertThat(keys).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(ServerConfigLoader.USAGE).contains("docs/server-config.md");
    }

    @Test
    void serverKeysAreListedInTableOrderWithTheirDefaults() throws IOException {
        Map<String, String> doc = documented();
        List<String> listed = doc.keySet().stream()
                .filter(ServerConfigLoader.keys()::contains)
                .toList();
        assertThat(listed).containsExactlyElementsOf(ServerConfigLoader.keys());
        for (ServerConfigLoader.Key k : ServerConfigLoader.KEYS) {
            String cell = k.defaultValue().isEmpty() ? "(empty)" : "`" + k.defaultValue() + "`";
            assertThat(doc.get(k.name())).as("default of %s", k.name()).isEqualTo(cell);
        }
    }

    @Test
    void eachServerKeysDefaultIsTheOneTheLoaderApplies(@TempDir Path home) {
        ServerConfig defaults = ServerConfig.defaults(home, Map.of("USER", "alice"));
        for (ServerConfigLoader.Key k : ServerConfigLoader.KEYS) {
            String value = k.defaultValue()
                    .replace("$HANGAR_HOME", defaults.home().toString())
                    .replace("$USER", "alice");
            assertThat(ServerConfigLoader.fromValues(defaults, Map.of(k.name(), value)))
                    .as("%s set to its documented default '%s'", k.name(), value)
                    .isEqualTo(defaults);
        }
    }

    @Test
    void gatewayDefaultsAreTheGatewaysOwn() throws IOException {
        Map<String, String> doc = documented();
        assertThat(doc.get("gateway.listen-address")).isEqualTo("`" + GatewayConfig.DEFAULT_ADDRESS + "`");
        assertThat(doc.get("gateway.listen-port")).isEqualTo("`" + GatewayConfig.DEFAULT_PORT + "`");
        assertThat(doc.get("gateway.connect-timeout"))
                .isEqualTo("`" + GatewayConfig.DEFAULT_CONNECT_TIMEOUT.toSeconds() + "s`");
        assertThat(doc.get("gateway.enabled")).isEqualTo("`true`");
        assertThat(doc.get("gateway.state-dir")).isEqualTo("`$HANGAR_HOME/gateway`");
    }

    @Test
    void eachLiteralQemuDefaultIsTheOneTheProviderApplies() throws IOException {
        QemuSettings defaults = QemuSettings.parse(Map.of());
        int checked = 0;
        for (Map.Entry<String, String> e : documented().entrySet()) {
            if (!e.getKey().startsWith("providers.qemu.")) continue;
            String key = e.getKey().substring("providers.qemu.".length());
            java.util.Optional<String> value = literal(e.getValue());
            if (value.isEmpty()) continue;
            assertThat(QemuSettings.parse(Map.of(key, value.get())))
                    .as("%s set to its documented default '%s'", e.getKey(), value.get())
                    .isEqualTo(defaults);
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(6);
    }

    @Test
    void theKubernetesDeploymentsServerYamlIsAccepted(@TempDir Path home) throws IOException {
        Path configMap = reference().getParent().getParent().resolve("deploy/base/config.yaml");
        String serverYaml = new com.fasterxml.jackson.databind.ObjectMapper(
                        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(configMap.toFile())
                .path("data")
                .path("server.yaml")
                .asText();
        assertThat(serverYaml).as("data.server.yaml of " + configMap).isNotBlank();
        // The server image reads it as `hangar server --config /etc/hangar/server.yaml`.
        Path mounted = Files.writeString(home.resolve("mounted-server.yaml"), serverYaml);

        ServerConfig c = ServerConfigLoader.load(
                Map.of("HANGAR_HOME", home.toString()), List.of("--config", mounted.toString()), home);

        assertThat(SshGatewayHook.KEYS).containsAll(c.gateway().keySet());
        assertThat(c.listenHost()).isEqualTo("0.0.0.0");
        assertThat(c.listenPort()).isEqualTo(8080);
        assertThat(c.gateway()).containsEntry("listen-address", "0.0.0.0").containsEntry("listen-port", "2222");
        assertThat(c.providers().get("kubernetes")).containsKey("namespace");
        assertThat(Providers.enabled(c, "qemu", false)).isFalse();
        // two replicas in the base: the Lease holder alone reconciles
        assertThat(c.leaderElection().mode()).isEqualTo(LeaderElectionSettings.Mode.KUBERNETES);
        assertThat(c.leaderElection().lease()).isEqualTo("hangar-server");
    }

    @Test
    void theExampleIsAcceptedAsWritten(@TempDir Path home) throws IOException {
        String doc = Files.readString(reference());
        Matcher m = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertThat(m.find()).as("an example server.yaml in the reference").isTrue();
        Files.writeString(home.resolve("server.yaml"), m.group(1));

        ServerConfig c = ServerConfigLoader.load(Map.of("HANGAR_HOME", home.toString()), List.of(), home);

        assertThat(SshGatewayHook.KEYS).containsAll(c.gateway().keySet());
        assertThat(c.gateway()).containsEntry("listen-port", "2222");
        assertThat(QemuSettings.KEYS).containsAll(c.providers().get("qemu").keySet());
        assertThat(QemuSettings.parse(c.providers().get("qemu")).accelerator().name())
                .isEqualToIgnoringCase("tcg");
        assertThat(c.databaseUrl()).isEqualTo("jdbc:postgresql://db:5432/hangar");
    }
}
