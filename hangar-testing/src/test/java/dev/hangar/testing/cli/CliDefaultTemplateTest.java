package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.cli.CliHarness;
import dev.hangar.cli.ExitCodes;
import dev.hangar.server.ConfigException;
import dev.hangar.server.ServerConfig;
import dev.hangar.testing.TestControlPlane;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar create NAME} without {@code --template}, through the real CLI and server: the
 * server's default template ({@code templates.default}, else the only template, else debian-12),
 * checked at start-up.
 */
class CliDefaultTemplateTest {
    @TempDir
    Path dir;

    /** Two templates of the fake provider, neither of them debian-12: no automatic default. */
    private Path templates() throws IOException {
        Path t = Files.createDirectories(dir.resolve("templates"));
        try (InputStream in = TestControlPlane.class.getResourceAsStream("fake-template.yaml")) {
            Files.write(t.resolve("fake.yaml"), Objects.requireNonNull(in).readAllBytes());
        }
        Files.writeString(t.resolve("other.yaml"), """
                name: other
                provider: fake
                image: other-image
                defaults: {cpus: 1, memoryMiB: 256, diskGiB: 1}
                limits:
                  cpus: {min: 1, max: 2}
                  memoryMiB: {min: 128, max: 1024}
                  diskGiB: {min: 1, max: 10}
                settings: {}
                """);
        return t;
    }

    private TestControlPlane start(UnaryOperator<ServerConfig> more) throws IOException {
        Path t = templates();
        return TestControlPlane.builder()
                .configure(c -> more.apply(c.withTemplates(t, false)))
                .start();
    }

    private CliHarness cli(TestControlPlane cp, String user) {
        return new CliHarness(dir.resolve(user))
                .env("HANGAR_URL", cp.baseUri().toString())
                .env("HANGAR_TOKEN", cp.createUser(user, false).token());
    }

    @Test
    void theConfiguredDefaultIsUsed() throws IOException {
        try (TestControlPlane cp = start(c -> c.withDefaultTemplate("other"))) {
            CliHarness.Result r = cli(cp, "conf").run("create", "dev", "-o", "json");
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
            assertThat(r.out()).contains("\"template\" : \"other\"").contains("\"memoryMiB\" : 256");
        }
    }

    @Test
    void createPrintsATableRowWithDashOTableAndAMessageWithout() throws IOException {
        try (TestControlPlane cp = start(c -> c.withDefaultTemplate("other"))) {
            CliHarness cli = cli(cp, "tbl");
            CliHarness.Result table = cli.run("create", "tabled", "-o", "table");
            CliHarness.Result message = cli.run("create", "plain");

            assertThat(table.code()).as(table.err()).isEqualTo(ExitCodes.OK);
            List<String> rows = table.out().lines().toList();
            assertThat(rows).hasSize(2);
            assertThat(rows.get(0)).startsWith("NAME ").contains(" TEMPLATE ");
            assertThat(rows.get(1)).startsWith("tabled ").contains(" other ");
            assertThat(message.code()).as(message.err()).isEqualTo(ExitCodes.OK);
            assertThat(message.out()).startsWith("workspace plain created (phase ");
        }
    }

    @Test
    void withoutADefaultTheServerSaysSoInTheCliTerms() throws IOException {
        try (TestControlPlane cp = start(UnaryOperator.identity())) {
            CliHarness.Result r = cli(cp, "none").run("create", "dev");
            assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(r.err())
                    .isEqualTo("error: --template is required: this server has no default template; known: fake, other"
                            + " (see 'hangar template list')\n");
            assertThat(cp.server().store().workspaces().count()).isZero();
        }
    }

    @Test
    void aDefaultThatIsNoTemplateStopsTheServerAtStartup() throws IOException {
        Path t = templates();
        assertThatThrownBy(() -> TestControlPlane.builder()
                        .configure(c -> c.withTemplates(t, false).withDefaultTemplate("nope"))
                        .start())
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "templates.default: default-template 'nope' is not a template; known templates: fake, other");
    }
}
