package dev.hangar.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.hangar.api.CliConfig;
import dev.hangar.api.HangarPaths;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Startup and shutdown of the real server: bootstrap, CLI config, failures that name their cause. */
class HangarServerStartupTest {

    private static ServerConfig config(Path home) {
        return ServerConfig.defaults(home, Map.of("USER", "alice"))
                .withListen("127.0.0.1", 0)
                .withTemplates(home.resolve("templates"), false);
    }

    @Test
    void firstStartCreatesAdminAndWritesCliConfig0600WithoutLoggingTheToken(@TempDir Path home) throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try (HangarServer server =
                HangarServer.builder(config(home)).discoverProviders(false).start()) {
            Path cli = HangarPaths.cliConfig(home);
            CliConfig c = CliConfig.read(cli).orElseThrow();
            assertThat(c.url()).isEqualTo(server.baseUri().toString());
            assertThat(c.token()).startsWith("hgr_");
            assertThat(Files.getPosixFilePermissions(cli))
                    .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
            assertThat(server.users().find("alice"))
                    .hasValueSatisfying(u -> assertThat(u.admin()).isTrue());
            HttpResponse<String> me = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(server.baseUri().resolve("/api/v1/users/me"))
                                    .header("Authorization", "Bearer " + c.token())
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(me.statusCode()).isEqualTo(200);
            assertThat(me.body()).contains("\"alice\"");
            assertThat(logs.list).isNotEmpty();
            assertThat(logs.list)
                    .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(c.token()));
            assertThat(logs.list)
                    .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(secret(c.token())));
        } finally {
            root.detachAppender(logs);
        }
    }

    @Test
    void secondStartKeepsTheTokenAndUpdatesTheUrl(@TempDir Path home) {
        String token;
        try (HangarServer first =
                HangarServer.builder(config(home)).discoverProviders(false).start()) {
            token = CliConfig.read(HangarPaths.cliConfig(home)).orElseThrow().token();
        }
        try (HangarServer second =
                HangarServer.builder(config(home)).discoverProviders(false).start()) {
            CliConfig c = CliConfig.read(HangarPaths.cliConfig(home)).orElseThrow();
            assertThat(c.token()).isEqualTo(token);
            assertThat(c.url()).isEqualTo(second.baseUri().toString());
            assertThat(second.users().list()).hasSize(1);
        }
    }

    @Test
    void aTemplateWithAnUnknownProviderFailsStartupNamingIt(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("templates"));
        Files.writeString(
                home.resolve("templates/vm.yaml"), "name: vm\ndescription: x\nprovider: hyperv\nimage: win\n");
        assertThatThrownBy(() -> HangarServer.builder(config(home))
                        .discoverProviders(false)
                        .start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("template 'vm' names provider 'hyperv'");
        // nothing is left listening or open: the same home starts fine once the template is fixed
        Files.delete(home.resolve("templates/vm.yaml"));
        try (HangarServer ok =
                HangarServer.builder(config(home)).discoverProviders(false).start()) {
            assertThat(ok.port()).isPositive();
        }
    }

    @Test
    void disablingProvidersHidesTheirBuiltInTemplates(@TempDir Path home) {
        ServerConfig c = config(home)
                .withTemplates(home.resolve("templates"), true)
                .withProvider("qemu", Map.of("enabled", "false"))
                .withProvider("kubernetes", Map.of("enabled", "false"))
                .withProvider("docker", Map.of("enabled", "false"))
                .withProvider("kubevirt", Map.of("enabled", "false"));
        try (HangarServer server =
                HangarServer.builder(c).discoverProviders(false).start()) {
            assertThat(server.templates().all()).isEmpty();
        }
        // without switching them off, the built-in templates name providers that are not registered
        assertThatThrownBy(() -> HangarServer.builder(config(home).withTemplates(home.resolve("templates"), true))
                        .discoverProviders(false)
                        .start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("template 'debian-12' names provider 'qemu'")
                .hasMessageContaining("template 'pod' names provider 'kubernetes'")
                .hasMessageContaining("template 'container' names provider 'docker'")
                .hasMessageContaining("template 'kubevirt-debian-12' names provider 'kubevirt'");
    }

    @Test
    void aMalformedTemplateFailsStartupNamingFileAndField(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("templates"));
        Files.writeString(
                home.resolve("templates/bad.yaml"), "name: bad\nprovider: qemu\nimage: x\ndescripton: typo\n");
        assertThatThrownBy(() -> HangarServer.builder(config(home))
                        .discoverProviders(false)
                        .start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("bad.yaml")
                .hasMessageContaining("descripton");
    }

    @Test
    void aPortInUseFailsStartupNamingTheAddress(@TempDir Path home) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ServerConfig c = config(home).withListen("127.0.0.1", taken.getLocalPort());
            assertThatThrownBy(() ->
                            HangarServer.builder(c).discoverProviders(false).start())
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
        assertThat(HangarPaths.cliConfig(home))
                .as("no cli.yaml from a server that never listened")
                .doesNotExist();
    }

    @Test
    void aGatewayPortInUseFailsStartupOnceBeforeTheAdminAndCliConfigExist(@TempDir Path home) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ServerConfig c = config(home).withGateway(Map.of("listen-port", Integer.toString(taken.getLocalPort())));
            assertThatThrownBy(() -> HangarServer.builder(c)
                            .discoverProviders(false)
                            .gateway(new SshGatewayHook())
                            .start())
                    .isInstanceOfSatisfying(ConfigException.class, e -> {
                        assertThat(e.getMessage())
                                .startsWith("cannot start the SSH gateway on 127.0.0.1:" + taken.getLocalPort() + ": ")
                                .endsWith("(set gateway.listen-port to a free port, or gateway.enabled: false)");
                        // Said once: the gateway's own wording is not repeated inside the server's.
                        assertThat(e.getMessage().split("cannot start the SSH gateway", -1))
                                .hasSize(2);
                        assertThat(e.getMessage().split("set gateway.listen-port", -1))
                                .hasSize(2);
                    });
        }
        assertThat(HangarPaths.cliConfig(home))
                .as("no cli.yaml from a server that could not bind")
                .doesNotExist();
        // The store holds no admin either: a later start with a free port bootstraps it then.
        try (HangarServer server =
                HangarServer.builder(config(home)).discoverProviders(false).start()) {
            assertThat(server.users().list()).extracting(u -> u.name()).containsExactly("alice");
            assertThat(HangarPaths.cliConfig(home)).exists();
        }
    }

    @Test
    void gatewayHookIsStartedWithTheServicesAndReportedInInfo(@TempDir Path home) throws Exception {
        boolean[] closed = {false};
        GatewayHook hook = ctx -> {
            assertThat(ctx.store().ping()).isTrue();
            return new GatewayHook.RunningGateway() {
                @Override
                public GatewayHook.GatewayInfo info() {
                    return new GatewayHook.GatewayInfo("127.0.0.1", 2222, "ssh-ed25519 AAAAtest");
                }

                @Override
                public void close() {
                    closed[0] = true;
                }
            };
        };
        try (HangarServer server = HangarServer.builder(config(home))
                .discoverProviders(false)
                .gateway(hook)
                .start()) {
            String token =
                    CliConfig.read(HangarPaths.cliConfig(home)).orElseThrow().token();
            HttpResponse<String> info = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(server.baseUri().resolve("/api/v1/info"))
                                    .header("Authorization", "Bearer " + token)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(info.body())
                    .contains("\"gatewayHost\":\"127.0.0.1\"")
                    .contains("\"gatewayPort\":2222")
                    .contains("\"gatewayHostKey\":\"ssh-ed25519 AAAAtest\"");
        }
        assertThat(closed[0]).isTrue();
    }

    /**
     * @return the secret part of a token {@code hgr_<16 hex id>_<secret>}: everything after the id's
     *     underscore (the secret is base64url, so it may hold underscores itself, and its tail after
     *     the last one may be a single character that any log line contains)
     */
    private static String secret(String token) {
        return dev.hangar.core.service.Tokens.parse(token).orElseThrow().secret();
    }
}
