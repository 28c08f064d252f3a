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
 * The PC-side checks of {@code hangar usb attach}, which run before the server or the workspace is
 * contacted: against the real {@code usbipd} (in its own network namespace, {@link UsbipdInNetns}),
 * which on this kernel exports nothing, so the device is "not exported" with the command that fixes
 * it; against no usbipd at all; and malformed arguments. The tunnel and the workspace side are
 * covered by hangar-testing's UsbAttachFlowTest.
 */
class UsbAttachCommandTest {
    @TempDir
    Path home;

    @Test
    void aDeviceTheRealUsbipdDoesNotExportIsNotFoundWithTheBindCommand(@TempDir Path work) throws Exception {
        try (UsbipdInNetns usbipd = UsbipdInNetns.start(work)) {
            CliHarness cli = new CliHarness(home);
            String address = usbipd.hostPort();
            await("usbipd answering on " + address)
                    .atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(50))
                    .failFast(
                            FailFast.unless("usbipd exited early", usbipd::isAlive, () -> "its log:\n" + usbipd.log()))
                    .until(() -> cli.run("usb", "list", "--usbipd", address).code() == ExitCodes.OK);

            // Not a loopback address: attach must not try to bind, only check and say where to bind.
            CliHarness.Result r = cli.run("usb", "attach", "dev", "1-3", "--usbipd", address, "--sudo");
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.NOT_FOUND);
            assertThat(r.err())
                    .contains("usbipd on " + address + " does not export 1-3 (it exports [])")
                    .contains("bind it on the host that runs usbipd: sudo usbip bind -b 1-3")
                    .contains("usbipd bind --busid 1-3");
            assertThat(r.out()).doesNotContain("sudo -n");
        }
    }

    @Test
    void noUsbipdIsUnreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CliHarness.Result r = new CliHarness(home).run("usb", "attach", "dev", "1-3", "--usbipd", "127.0.0.1:" + port);
        assertThat(r.code()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.err()).contains("usbipd is not running on 127.0.0.1:" + port);
    }

    @Test
    void badArgumentsSayWhatToFix() {
        CliHarness cli = new CliHarness(home);
        CliHarness.Result bus = cli.run("usb", "attach", "dev", "1-3;reboot");
        assertThat(bus.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(bus.err()).contains("invalid USB bus id").contains("1-1.2");

        CliHarness.Result both = cli.run("usb", "attach", "dev", "1-3", "--sudo", "--no-bind");
        assertThat(both.code()).isEqualTo(ExitCodes.USAGE);

        CliHarness.Result addr = cli.run("usb", "attach", "dev", "1-3", "--usbipd", "0.0.0.0:abc");
        assertThat(addr.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(addr.err()).contains("--usbipd");

        CliHarness.Result name = cli.run("usb", "detach", "Not_A_Name", "1-3");
        assertThat(name.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(name.err()).contains("not a workspace name");
    }

    @Test
    void loopbackDetection() {
        assertThat(UsbAttachCommand.isLoopback(UsbAttachCommand.parseUsbipd("127.0.0.1:3240")))
                .isTrue();
        assertThat(UsbAttachCommand.isLoopback(UsbAttachCommand.parseUsbipd("[::1]:3240")))
                .isTrue();
        assertThat(UsbAttachCommand.isLoopback(UsbAttachCommand.parseUsbipd("localhost")))
                .isTrue();
        assertThat(UsbAttachCommand.isLoopback(UsbAttachCommand.parseUsbipd("10.0.0.2:3240")))
                .isFalse();
        assertThat(UsbAttachCommand.isLoopback(UsbAttachCommand.parseUsbipd("pc.example:3240")))
                .isFalse();
    }
}
