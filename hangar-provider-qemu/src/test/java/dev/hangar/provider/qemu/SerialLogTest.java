package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.ssh.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SerialLogTest {
    @TempDir
    Path dir;

    @Test
    void tailDropsTerminalEscapesAndBlankLines() throws Exception {
        // What systemd writes to a serial console: colours, cursor moves, carriage returns.
        Path log = Files.writeString(
                dir.resolve("serial.log"),
                "[    0.000000] Linux version 6.1\r\n"
                        + "[\u001B[0;32m  OK  \u001B[0m] Started \u001B[0;1;39mssh.service\u001B[0m.\r\n\r\n"
                        + "\u001B[K[  297.6] Kernel panic - not syncing: VFS: Unable to mount root fs\r\n");

        assertThat(SerialLog.tail(log, 2))
                .containsExactly(
                        "[  OK  ] Started ssh.service.",
                        "[  297.6] Kernel panic - not syncing: VFS: Unable to mount root fs");
        assertThat(SerialLog.tail(log, 10)).hasSize(3);
        assertThat(SerialLog.tail(dir.resolve("missing.log"), 5)).isEmpty();
        assertThat(SerialLog.endsWithPowerOff(log)).isFalse();
    }

    @Test
    void tailWithAByteLimitDropsTheLineItCut() throws Exception {
        Path log = Files.writeString(dir.resolve("serial.log"), "first line\nsecond\nthird\n");

        // The last 13 bytes are "cond\nthird\n" preceded by 1 byte of "second": that cut line is dropped.
        assertThat(SerialLog.tail(log, 10, 13)).containsExactly("third");
        assertThat(SerialLog.tail(log, 10, 1000)).containsExactly("first line", "second", "third");
    }

    @Test
    void providerConsoleIsTheWorkspacesSocketAndLog() throws Exception {
        QemuProvider provider = (QemuProvider) new QemuProviderFactory()
                .create(new ProviderContext(dir, Map.of("accelerator", "tcg"), Clock.systemUTC()));
        try (provider) {
            Path keys = Files.createDirectory(dir.resolve("keys"));
            var spec = TestKeys.spec(
                    "ws-1",
                    "dev",
                    TestKeys.hostKey(TestKeys.generate(keys, "host")),
                    List.of(),
                    new Resources(1, 512, 3),
                    "debian-12",
                    CloudInitConfig.EMPTY);
            Path wsDir = dir.resolve("workspaces").resolve("ws-1");
            assertThat(provider.console(spec).orElseThrow().socket()).isEqualTo(wsDir.resolve("console.sock"));
            assertThat(provider.consoleLog(spec, 5)).hasValue(List.of());
            Files.createDirectories(wsDir);
            Files.writeString(wsDir.resolve("serial.log"), "Debian GNU/Linux 12 dev ttyS0\r\n\r\ndev login: ");
            assertThat(provider.consoleLog(spec, 1)).hasValue(List.of("dev login:"));
        }
    }

    @Test
    void recognisesACleanPowerOff() throws Exception {
        Path log = Files.writeString(
                dir.resolve("serial.log"),
                "[  OK  ] Reached target poweroff.target.\r\n" + "[   61.2] reboot: Power down\r\n");

        assertThat(SerialLog.endsWithPowerOff(log)).isTrue();
    }

    @Test
    void rotatesLargeLogs() throws Exception {
        Path log = Files.writeString(dir.resolve("serial.log"), "x".repeat(100));

        SerialLog.rotate(log, 1000);
        assertThat(log).exists();
        SerialLog.rotate(log, 10);
        assertThat(log).doesNotExist();
        assertThat(dir.resolve("serial.log.1")).hasContent("x".repeat(100));
    }
}
