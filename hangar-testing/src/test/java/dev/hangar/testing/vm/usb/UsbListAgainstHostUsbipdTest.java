package dev.hangar.testing.vm.usb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.api.Json;
import dev.hangar.cli.CliHarness;
import dev.hangar.testfixtures.FailFast;
import dev.hangar.testfixtures.UsbipdInNetns;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar usb list} (the real CLI, in-process) against this host's real {@code usbipd} from
 * Debian's {@code usbip} package. The host kernel has no usbip support, so the daemon exports
 * nothing; the CLI must report that as an empty list (exit 0), not as an error. The daemon runs in a
 * network namespace of the test's own ({@link UsbipdInNetns} says why), on a non-default port via
 * {@code --tcp-port}. Boots no VM.
 */
class UsbListAgainstHostUsbipdTest {
    @TempDir
    Path tmp;

    @Test
    void theRealUsbipdWithNoDevicesIsAnEmptyListNotAnError() throws Exception {
        try (UsbipdInNetns usbipd = UsbipdInNetns.start(tmp, 3250)) {
            CliHarness cli = new CliHarness(tmp).env("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            String at = usbipd.hostPort();
            await("usbipd answering on " + at)
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .failFast(FailFast.unless("usbipd exited", usbipd::isAlive, () -> "its log:\n" + usbipd.log()))
                    .until(() -> cli.run("usb", "list", "--usbipd", at).code() == 0);

            CliHarness.Result table = cli.run("usb", "list", "--usbipd", at);
            assertThat(table.code()).as(table.toString()).isZero();
            assertThat(table.out()).as(table.toString()).isEmpty();
            assertThat(table.err())
                    .isEqualTo("usbipd on " + at + " exports no devices; bind one with: sudo usbip bind -b BUSID\n");

            CliHarness.Result json = cli.run("usb", "list", "--usbipd", at, "-o", "json");
            assertThat(json.code()).as(json.toString()).isZero();
            JsonNode devices = Json.mapper().readTree(json.out());
            assertThat(devices.isArray()).as(json.toString()).isTrue();
            assertThat(devices).isEmpty();

            // the daemon really answered our OP_REQ_DEVLIST (0x8005), not something else on the port
            assertThat(usbipd.log()).contains("received request: 0x8005");
        }
    }
}
