package dev.hangar.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code leader-election.*}: parsing, defaults, errors that name the key, and the SQLite refusal. */
class LeaderElectionSettingsTest {

    private static ServerConfig base(Path home) {
        return ServerConfig.defaults(home, Map.of("USER", "alice"))
                .withListen("127.0.0.1", 0)
                .withTemplates(home.resolve("templates"), false);
    }

    @Test
    void defaultsAreNoneWithClientGoTimings(@TempDir Path home) {
        LeaderElectionSettings s = base(home).leaderElection();
        assertThat(s).isEqualTo(LeaderElectionSettings.DEFAULTS);
        assertThat(s.mode()).isEqualTo(LeaderElectionSettings.Mode.NONE);
        assertThat(s.lease()).isEqualTo("hangar-server");
        assertThat(s.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
        assertThat(s.renewDeadline()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.retryPeriod()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void everyKeyIsRead(@TempDir Path home) {
        ServerConfig c = ServerConfigLoader.fromValues(
                base(home),
                Map.of(
                        "leader-election.mode", "Kubernetes",
                        "leader-election.lease", "hangar-prod",
                        "leader-election.namespace", "team-a",
                        "leader-election.identity", "hangar-0",
                        "leader-election.lease-duration", "30s",
                        "leader-election.renew-deadline", "20s",
                        "leader-election.retry-period", "500ms"));
        assertThat(c.leaderElection())
                .isEqualTo(new LeaderElectionSettings(
                        LeaderElectionSettings.Mode.KUBERNETES,
                        "hangar-prod",
                        "team-a",
                        "hangar-0",
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(20),
                        Duration.ofMillis(500)));
        assertThat(c.toString()).contains("leaderElection=");
    }

    @Test
    void badValuesNameTheirKey(@TempDir Path home) {
        ServerConfig b = base(home);
        assertThatThrownBy(() -> ServerConfigLoader.fromValues(b, Map.of("leader-election.mode", "etcd")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("leader-election.mode must be none or kubernetes, got 'etcd'");
        assertThatThrownBy(() -> ServerConfigLoader.fromValues(b, Map.of("leader-election.lease", "Bad_Name")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("leader-election.lease");
        assertThatThrownBy(() -> ServerConfigLoader.fromValues(b, Map.of("leader-election.namespace", "a.b")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("leader-election.namespace");
        assertThatThrownBy(() -> ServerConfigLoader.fromValues(b, Map.of("leader-election.lease-duration", "ten")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("leader-election.lease-duration must be a duration");
        assertThatThrownBy(() -> ServerConfigLoader.fromValues(b, Map.of("leader-election.renew-deadline", "15s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("leader-election.renew-deadline (15000 ms) must be shorter than"
                        + " leader-election.lease-duration (15000 ms)");
        assertThatThrownBy(() -> ServerConfigLoader.fromValues(b, Map.of("leader-election.retry-period", "10s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("leader-election.retry-period (10000 ms) must be shorter than"
                        + " leader-election.renew-deadline");
        assertThatThrownBy(() -> ServerConfigLoader.fromValues(b, Map.of("leader-election.retry-period", "0s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("leader-election.retry-period must be positive");
    }

    @Test
    void identityDefaultsToHostnameAndIsRequiredWithoutIt() {
        LeaderElectionSettings s = LeaderElectionSettings.DEFAULTS;
        assertThat(s.identityOr(Map.of("HOSTNAME", "hangar-1"))).isEqualTo("hangar-1");
        assertThatThrownBy(() -> s.identityOr(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("leader-election.identity");
    }

    @Test
    void namespaceComesFromTheSettingElseThePodsServiceAccountElseIsRequired(@TempDir Path dir) throws Exception {
        LeaderElectionSettings none = LeaderElectionSettings.DEFAULTS;
        Path file = dir.resolve("namespace");
        assertThatThrownBy(() -> Replicas.namespace(none, file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("leader-election.namespace is not set");
        Files.writeString(file, "team-b\n");
        assertThat(Replicas.namespace(none, file)).isEqualTo("team-b");
        LeaderElectionSettings set = new LeaderElectionSettings(
                none.mode(),
                none.lease(),
                "team-c",
                "",
                none.leaseDuration(),
                none.renewDeadline(),
                none.retryPeriod());
        assertThat(Replicas.namespace(set, file)).isEqualTo("team-c");
    }

    @Test
    void kubernetesLeaderElectionWithSqliteIsRefusedBeforeAnythingStarts(@TempDir Path home) {
        ServerConfig c = ServerConfigLoader.fromValues(
                base(home), Map.of("leader-election.mode", "kubernetes", "leader-election.namespace", "hangar"));
        assertThat(c.databaseUrl()).startsWith("jdbc:sqlite:");
        assertThatThrownBy(() -> HangarServer.builder(c)
                        .discoverProviders(false)
                        .environment(Map.of("HOSTNAME", "hangar-0"))
                        .kubernetesClient(() -> {
                            throw new AssertionError("no client may be made for a refused configuration");
                        })
                        .start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "SQLite cannot be shared by replicas; use PostgreSQL (database.url) or leader-election: none");
        assertThat(home.resolve("hangar.db")).as("no store was opened").doesNotExist();
    }

    @Test
    void withoutLeaderElectionTheOnlyReplicaLeadsAndReadyzSaysSo(@TempDir Path home) throws Exception {
        try (HangarServer server =
                HangarServer.builder(base(home)).discoverProviders(false).start()) {
            assertThat(server.leading()).isTrue();
            assertThat(server.reconciler().paused()).isFalse();
            var ready = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            server.baseUri().resolve("/readyz"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body())
                    .contains("\"status\":\"ready\"")
                    .contains("\"leader-election\":\"none\"")
                    .contains("\"leading\":true");
        }
    }
}
