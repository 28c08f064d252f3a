package dev.hangar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hangar.testfixtures.FailFast;
import dev.hangar.testfixtures.UsbipdInNetns;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar usb list} against the real {@code usbipd} in a private network namespace ({@link
 * UsbipdInNetns}). This kernel has no usbip modules, so the daemon exports no devices: the command
 * must say so (not fail), in the table and as JSON.
 */
class UsbListCommandTest {
    @TempDir
    Path home;

    @Test
    void listsTheRealUsbipdsEmptyExportAsTableAndJson(@TempDir Path work) throws Exception {
        try (UsbipdInNetns usbipd = UsbipdInNetns.start(work)) {
            CliHarness cli = new CliHarness(home);
            String address = usbipd.hostPort();
            await("usbipd answering on " + address)
                    .atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(50))
                    .failFast(
                            FailFast.unless("usbipd exited early", usbipd::isAlive, () -> "its log:\n" + usbipd.log()))
                    .until(() -> cli.run("usb", "list", "--usbipd", address).code() == ExitCodes.OK);

            CliHarness.Result table = cli.run("usb", "list", "--usbipd", address);
            assertThat(table.code()).isZero();
            assertThat(table.out()).isEmpty();
            assertThat(table.err())
                    .isEqualTo(
                            "usbipd on " + address + " exports no devices; bind one with: sudo usbip bind -b BUSID\n");

            CliHarness.Result json = cli.run("usb", "list", "--usbipd", address, "-o", "json");
            assertThat(json.code()).isZero();
            assertThat(json.out()).isEqualTo("[ ]\n");
            assertThat(usbipd.log()).contains("received request: 0x8005");
        }
    }

    @Test
    void noUsbipdIsAnUnreachableErrorThatSaysHowToStartIt() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CliHarness.Result r = new CliHarness(home).run("usb", "list", "--usbipd", "127.0.0.1:" + port);
        assertThat(r.code()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.err())
                .contains("usbipd is not running on 127.0.0.1:" + port)
                .contains("usbipd -D");
    }

    @Test
    void aMalformedAddressIsAUsageError() {
        CliHarness.Result r = new CliHarness(home).run("usb", "list", "--usbipd", "[nope");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--usbipd");
    }
}
