package dev.hangar.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.Role;
import dev.hangar.core.quota.QuotaLimits;
import dev.hangar.core.quota.QuotaPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code quotas.<role>.<limit>} keys: unlimited by default, from the file and the environment. */
class QuotaConfigTest {

    @Test
    void everyRoleIsUnlimitedByDefault(@TempDir Path home) {
        ServerConfig c = ServerConfigLoader.load(Map.of("HANGAR_HOME", home.toString()), List.of(), home);
        assertThat(c.quotas()).isEqualTo(QuotaPolicy.UNLIMITED);
        for (Role r : Role.values())
            assertThat(c.quotas().forRole(r).unlimited()).isTrue();
    }

    @Test
    void keysFromTheFileAndTheEnvironmentSetEachRolesLimits(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("server.yaml"), """
                quotas:
                  member: {running: 4, cpus: 8, memory-mib: 16384, disk-gib: 200}
                  auditor: {running: 0}
                  admin: {cpus: unlimited}
                """);
        ServerConfig c = ServerConfigLoader.load(
                Map.of("HANGAR_HOME", home.toString(), "HANGAR_QUOTAS_MEMBER_DISK_GIB", "500"), List.of(), home);
        assertThat(c.quotas().forRole(Role.MEMBER))
                .isEqualTo(new QuotaLimits(
                        OptionalInt.of(4), OptionalInt.of(8), OptionalLong.of(16384), OptionalLong.of(500)));
        assertThat(c.quotas().forRole(Role.AUDITOR))
                .isEqualTo(new QuotaLimits(
                        OptionalInt.of(0), OptionalInt.empty(), OptionalLong.empty(), OptionalLong.empty()));
        assertThat(c.quotas().forRole(Role.ADMIN).unlimited()).isTrue();
    }

    @Test
    void deviceLimitsAreNameCountEntriesPerRole(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("server.yaml"), """
                quotas:
                  member: {cpus: 8, devices: "nvidia.com/gpu=1, example.com/fpga=0"}
                """);
        ServerConfig c = ServerConfigLoader.load(Map.of("HANGAR_HOME", home.toString()), List.of(), home);
        assertThat(c.quotas().forRole(Role.MEMBER).devices())
                .containsExactlyInAnyOrderEntriesOf(Map.of("nvidia.com/gpu", 1, "example.com/fpga", 0));
        assertThat(c.quotas().forRole(Role.ADMIN).devices()).isEmpty();

        Files.writeString(home.resolve("server.yaml"), "quotas: {member: {devices: gpu=1}}\n");
        assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("HANGAR_HOME", home.toString()), List.of(), home))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("quotas.member.devices")
                .hasMessageContaining("needs a domain prefix");
        Files.writeString(home.resolve("server.yaml"), "quotas: {member: {devices: nvidia.com/gpu=two}}\n");
        assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("HANGAR_HOME", home.toString()), List.of(), home))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("quotas.member.devices must be a whole number");
    }

    @Test
    void badValuesNameTheKey(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("server.yaml"), "quotas: {member: {running: -1}}\n");
        assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("HANGAR_HOME", home.toString()), List.of(), home))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("quotas.member.running");
        Files.writeString(home.resolve("server.yaml"), "quotas: {member: {memory-mib: 16GiB}}\n");
        assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("HANGAR_HOME", home.toString()), List.of(), home))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("quotas.member.memory-mib must be a whole number");
        Files.writeString(home.resolve("server.yaml"), "quotas: {member: {gpus: 1}}\n");
        assertThatThrownBy(() -> ServerConfigLoader.load(Map.of("HANGAR_HOME", home.toString()), List.of(), home))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("quotas.member.gpus");
    }
}
