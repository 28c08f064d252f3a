package dev.hangar.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigLoaderTest {

    @Test
    void defaultsListenOnLoopback7080WithSqliteInHome(@TempDir Path home) {
        ServerConfig c =
                ServerConfigLoader.load(Map.of("HANGAR_HOME", home.toString(), "USER", "alice"), List.of(), home);
        assertThat(c.listenHost()).isEqualTo("127.0.0.1");
        assertThat(c.listenPort()).isEqualTo(7080);
        assertThat(c.home()).isEqualTo(home.toAbsolutePath().normalize());
        assertThat(c.databaseUrl())
                .isEqualTo("jdbc:sqlite:" + home.toAbsolutePath().normalize().resolve("hangar.db"));
        assertThat(c.templateDir()).isEqualTo(c.home().resolve("templates"));
        assertThat(c.builtinTemplates()).isTrue();
        assertThat(c.adminName()).isEqualTo("alice");
        assertThat(c.reconciler()).isEqualTo(dev.hangar.core.reconcile.WorkspaceReconciler.Settings.DEFAULTS);
    }

    @Test
    void adminFallsBackWhenUserIsNotALabel(@TempDir Path home) {
        assertThat(ServerConfig.defaultAdmin(Map.of("USER", "John.Doe"))).isEqualTo("admin");
        assertThat(ServerConfig.defaultAdmin(Map.of())).isEqualTo("admin");
        assertThat(ServerConfig.defaultAdmin(Map.of("USER", "root"))).isEqualTo("root");
    }

    @Test
    void fileThenEnvironmentThenFlags(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("server.yaml"), """
                listen: 127.0.0.1:9000
                admin: ops
                database:
                  url: jdbc:postgresql://db:5432/hangar
                  username: hangar
                  password: s3cret
                templates: {dir: tpl, builtin: false}
                reconciler: {concurrency: 3, poll-interval: 250ms, resync-interval: 1m, base-backoff: PT2S, max-attempts: 5}
                providers:
                  qemu: {accelerator: tcg, enabled: true}
                gateway: {listen: 127.0.0.1:2222, host-key: gw/key}
                """);
        ServerConfig c = ServerConfigLoader.load(
                Map.of("HANGAR_HOME", home.toString(), "HANGAR_ADMIN", "root2", "HANGAR_RECONCILER_CONCURRENCY", "5"),
                List.of(
                        "--listen",
                        "[::1]:0",
                        "--set",
                        "providers.qemu.accelerator=kvm",
                        "--set",
                        "gateway.listen=127.0.0.1:2200"),
                home);
        assertThat(c.listenHost()).isEqualTo("::1");
        assertThat(c.listenPort()).isZero();
        assertThat(c.adminName()).isEqualTo("root2");
        assertThat(c.databaseUrl()).isEqualTo("jdbc:postgresql://db:5432/hangar");
        assertThat(c.databaseUsername()).isEqualTo("hangar");
        assertThat(c.databasePassword()).isEqualTo("s3cret");
        assertThat(c.toString()).doesNotContain("s3cret");
        assertThat(c.templateDir()).isEqualTo(c.home().resolve("tpl"));
        assertThat(c.builtinTemplates()).isFalse();
        assertThat(c.reconciler().concurrency()).isEqualTo(5);
        assertThat(c.reconciler().pollInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.reconciler().resyncInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.reconciler().baseBackoff()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.reconciler().maxAttempts()).isEqualTo(5);
        assertThat(c.providers()).isEqualTo(Map.of("qemu", Map.of("accelerator", "kvm", "enabled", "true")));
        assertThat(c.gateway()).isEqualTo(Map.of("listen", "127.0.0.1:2200", "host-key", "gw/key"));
    }

    @Test
    void configFlagReadsThatFileInsteadOfTheOneInHome(@TempDir Path home, @TempDir Path etc) throws Exception {
        Files.writeString(home.resolve("server.yaml"), "listen: 127.0.0.1:9999\nadmin: fromhome\n");
        Path config = etc.resolve("server.yaml");
        Files.writeString(config, "listen: 0.0.0.0:8080\n");
        ServerConfig c = ServerConfigLoader.load(
                Map.of("HANGAR_HOME", home.toString(), "USER", "alice"), List.of("--config", config.toString()), home);
        assertThat(c.listenHost()).isEqualTo("0.0.0.0");
        assertThat(c.listenPort()).isEqualTo(8080);
        assertThat(c.adminName()).isEqualTo("alice"); // home's server.yaml was not read
        assertThat(c.home()).isEqualTo(home.toAbsolutePath().normalize());
        assertThatThrownBy(() -> ServerConfigLoader.load(
                        Map.of("HANGAR_HOME", home.toString()),
                        List.of("--config=" + etc.resolve("missing.yaml")),
                        home))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing.yaml")
                .hasMessageContaining("no such file");
    }

    @Test
    void autostopKeysParseAndDeleteAfterIsOffUnlessSet(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("server.yaml"), "autostop: {warning: 5m, max-lease: 8h}\n");
        ServerConfig c = ServerConfigLoader.load(
                Map.of("HANGAR_HOME", home.toString(), "HANGAR_AUTOSTOP_DELETE_AFTER", "720h"), List.of(), home);
        assertThat(c.autostop().warning()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.autostop().maxLease()).isEqualTo(Duration.ofHours(8));
        assertThat(c.autostop().deleteAfter()).isEqualTo(Duration.ofDays(30));
        assertThat(c.autostop().sweepInterval()).isEqualTo(Duration.ofMinutes(1));
        ServerConfig off = ServerConfigLoader.load(
                Map.of("HANGAR_HOME", home.toString()), List.of("--set", "autostop.delete-after=off"), home);
        assertThat(off.autostop().deleteAfter()).isZero();
        assertThat(ServerConfigLoader.load(Map.of("HANGAR_HOME", home.toString()), List.of(), home)
                        .autostop()
                        .deleteAfter())
                .isZero();
        assertThatThrownBy(() -> ServerConfigLoader.load(
                        Map.of("HANGAR_HOME", home.toString()), List.of("--set", "autostop.warning=soon"), home))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("autostop.warning");
    }

    @Test
    void dashboardSecureCookiesIsAutoUnlessSetAndRefusesOtherValues(@TempDir Path home) {
        ServerConfig defaults = ServerConfig.defaults(home, Map.of("USER", "alice"));
        assertThat(defaults.dashboardSecureCookies()).isEqualTo(dev.hangar.server.dashboard.SecureCookies.AUTO);
        assertThat(ServerConfigLoader.fromValues(defaults, Map.of("dashboard.secure-cookies", "always"))
                        .dashboardSecureCookies())
                .isEqualTo(dev.hangar.server.dashboard.SecureCookies.ALWAYS);
        assertThat(ServerConfigLoader.fromValues(defaults, Map.of("dashboard.secure-cookies", " Never "))
                        .dashboardSecureCookies())
                .isEqualTo(dev.hangar.server.dashboard.SecureCookies.NEVER);
        assertThatThrownBy(() -> ServerConfigLoader.fromValues(defaults, Map.of("dashboard.secure-cookies", "yes")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("dashboard.secure-cookies must be auto, always or never, got 'yes'");
    }

    @Test
    void unknownKeysAreErrorsNamingThem(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("server.yaml"), "listen: 127.0.0.1:1\nlisten-port: 5\ndatabase: {uri: x}\n");
        assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("HANGAR_HOME", home.toString()), List.of(), home))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("[database.uri, listen-port]");
    }

    @Test
    void badValuesAndFlagsAreErrorsSayingWhatToFix(@TempDir Path home) {
        Map<String, String> env = Map.of("HANGAR_HOME", home.toString());
        assertThatThrownBy(() -> ServerConfigLoader.load(env, List.of("--listen", "7080"), home))
                .hasMessageContaining("listen must be HOST:PORT");
        assertThatThrownBy(() -> ServerConfigLoader.load(env, List.of("--listen", "127.0.0.1:70000"), home))
                .hasMessageContaining("0..65535");
        assertThatThrownBy(() -> ServerConfigLoader.load(env, List.of("--port", "1"), home))
                .hasMessageContaining("unknown flag '--port'");
        assertThatThrownBy(() -> ServerConfigLoader.load(env, List.of("--listen"), home))
                .hasMessageContaining("needs a value");
        assertThatThrownBy(() -> ServerConfigLoader.load(env, List.of("--set", "reconciler.poll-interval=soon"), home))
                .hasMessageContaining("reconciler.poll-interval must be a duration");
        assertThatThrownBy(() -> ServerConfigLoader.load(env, List.of("--set", "reconciler.concurrency=0"), home))
                .hasMessageContaining("reconciler.concurrency must be 1..1024");
        assertThatThrownBy(() -> ServerConfigLoader.load(env, List.of("--set", "reconciler.max-attempts=0"), home))
                .hasMessageContaining("reconciler.max-attempts must be 1..1000000");
        assertThatThrownBy(() -> ServerConfigLoader.load(env, List.of("--set", "admin=Bad_Name"), home))
                .hasMessageContaining("admin 'Bad_Name' is not a DNS-1123 label");
        assertThatThrownBy(() -> ServerConfigLoader.load(env, List.of("--set", "templates.builtin=yes"), home))
                .hasMessageContaining("templates.builtin must be true or false");
    }

    @Test
    void listsInTheFileAreRefused(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("server.yaml"), "providers:\n  qemu: [a, b]\n");
        assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("HANGAR_HOME", home.toString()), List.of(), home))
                .hasMessageContaining("providers.qemu");
    }

    @Test
    void aProviderSettingsListBecomesIndexedKeysTheQemuProviderReads(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("server.yaml"), """
                providers:
                  qemu:
                    pci-devices:
                      - {name: nvidia.com/gpu, address: "0000:01:00.0"}
                      - name: nvidia.com/gpu
                        id: "10de:1eb8"
                """);
        ServerConfig c = ServerConfigLoader.load(Map.of("HANGAR_HOME", home.toString()), List.of(), home);
        assertThat(c.providers().get("qemu"))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "pci-devices.0.name", "nvidia.com/gpu",
                        "pci-devices.0.address", "0000:01:00.0",
                        "pci-devices.1.name", "nvidia.com/gpu",
                        "pci-devices.1.id", "10de:1eb8"));
        assertThat(dev.hangar.provider.qemu.QemuSettings.parse(c.providers().get("qemu"))
                        .pciDevices())
                .hasSize(2);

        Files.writeString(home.resolve("server.yaml"), "providers:\n  qemu:\n    pci-devices: [[a]]\n");
        assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("HANGAR_HOME", home.toString()), List.of(), home))
                .hasMessageContaining("key 'providers.qemu.pci-devices.0' must be a scalar or a mapping, not a list");
        Files.writeString(home.resolve("server.yaml"), "labs: {subnet: [a]}\n");
        assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("HANGAR_HOME", home.toString()), List.of(), home))
                .hasMessageContaining("key 'labs.subnet' must be a scalar or a mapping, not a list");
    }

    @Test
    void envNamesFollowTheKeys() {
        assertThat(ServerConfigLoader.envName("database.url")).isEqualTo("HANGAR_DATABASE_URL");
        assertThat(ServerConfigLoader.envName("reconciler.poll-interval")).isEqualTo("HANGAR_RECONCILER_POLL_INTERVAL");
    }
}
