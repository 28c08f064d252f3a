package dev.hangar.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.WorkspaceProviderFactory;
import dev.hangar.server.ConfigException;
import dev.hangar.server.HangarServer;
import dev.hangar.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fake provider can only be added programmatically; the shipped server can never select it. */
class FakeProviderNotShippedTest {

    @Test
    void serviceLoaderDoesNotSeeTheFake() throws Exception {
        // This test's class path holds hangar-testing itself, so a services entry would show up here.
        List<String> types = ServiceLoader.load(WorkspaceProviderFactory.class).stream()
                .map(p -> p.get().type())
                .toList();
        assertThat(types).doesNotContain(FakeProvider.TYPE);
        var entries = FakeProviderFactory.class
                .getClassLoader()
                .getResources("META-INF/services/" + WorkspaceProviderFactory.class.getName());
        while (entries.hasMoreElements()) {
            assertThat(entries.nextElement().toString()).doesNotContain("hangar-testing");
        }
    }

    @Test
    void aTemplateNamingFakeFailsStartupOfTheShippedServer(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("templates"));
        Files.copy(
                FakeProviderFactory.class.getResourceAsStream("fake-template.yaml"),
                home.resolve("templates/fake.yaml"));
        ServerConfig config = ServerConfig.defaults(home, Map.of())
                .withListen("127.0.0.1", 0)
                .withTemplates(home.resolve("templates"), false);
        assertThatThrownBy(() -> HangarServer.builder(config).start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("template 'fake' names provider 'fake'");
    }

    @Test
    void configNamingFakeFailsStartupOfTheShippedServer(@TempDir Path home) {
        ServerConfig config = ServerConfig.defaults(home, Map.of())
                .withListen("127.0.0.1", 0)
                .withTemplates(home.resolve("templates"), false)
                .withProvider("fake", Map.of());
        assertThatThrownBy(() -> HangarServer.builder(config).start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown provider type(s) [fake]");
    }
}
