package dev.hangar.usbip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hangar.testfixtures.FailFast;
import dev.hangar.testfixtures.HostCommands;
import dev.hangar.testfixtures.UsbipdInNetns;
import dev.hangar.usbip.UsbipMessage.DevlistRequest;
import dev.hangar.usbip.UsbipMessage.ImportRefused;
import dev.hangar.usbip.UsbipMessage.ImportRequest;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link UsbipClient} against the real {@code usbipd} (Debian package {@code usbip}, usbip-utils 2.0)
 * running in a private network namespace ({@link UsbipdInNetns} explains why). The host kernel cannot
 * export devices, so the real daemon answers {@code OP_REP_DEVLIST} with zero devices; the client must
 * report that as an empty list, not as an error.
 */
class RealUsbipdTest {

    @Test
    void realUsbipdWithoutDevicesYieldsAnEmptyList(@TempDir Path work) throws Exception {
        try (UsbipdInNetns usbipd = UsbipdInNetns.start(work)) {
            UsbipClient client = new UsbipClient(address(usbipd), Duration.ofSeconds(2));
            AtomicReference<List<UsbDevice>> listed = new AtomicReference<>();
            long started = System.nanoTime();

            await("usbipd answering on " + address(usbipd))
                    .atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(50))
                    .failFast(
                            FailFast.unless("usbipd exited early", usbipd::isAlive, () -> "its log:\n" + usbipd.log()))
                    .ignoreExceptionsInstanceOf(UsbipdUnavailableException.class)
                    .until(() -> {
                        listed.set(client.listDevices());
                        return true;
                    });
            long readyMillis = (System.nanoTime() - started) / 1_000_000;

            assertThat(listed.get()).isEmpty();
            long t0 = System.nanoTime();
            assertThat(client.listDevices()).isEmpty();
            long roundTripMicros = (System.nanoTime() - t0) / 1_000;
            assertThat(client.isExportable(new BusId("1-3"))).isFalse();
            assertThat(usbipd.log()).contains("received request: 0x8005").contains("exportable devices: 0");

            String sockets = usbipd.listeningSocketsInNamespace();
            assertThat(sockets)
                    .as("usbipd listens on port 3240 inside its namespace")
                    .contains(":3240");
            System.out.printf(
                    "usbipd ready after %d ms; one OP_REQ_DEVLIST round trip %d us; listening sockets in its"
                            + " namespace:%n%s",
                    readyMillis, roundTripMicros, sockets);
        }
    }

    @Test
    void daemonListenerStaysOutOfTheHostNamespaceAndLeavesNothingBehind(@TempDir Path work) throws Exception {
        UsbipdInNetns usbipd = UsbipdInNetns.start(work);
        String hostIf = usbipd.hostInterface();
        long pid = usbipd.pid();
        try (usbipd) {
            UsbipClient client = new UsbipClient(address(usbipd), Duration.ofSeconds(2));
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(50))
                    .failFast(
                            FailFast.unless("usbipd exited early", usbipd::isAlive, () -> "its log:\n" + usbipd.log()))
                    .ignoreExceptionsInstanceOf(UsbipdUnavailableException.class)
                    .until(() -> client.listDevices().isEmpty());

            String hostListeners = HostCommands.run(List.of("ss", "-ltnpH")).output();
            assertThat(hostListeners)
                    .as("usbipd binds 0.0.0.0, so it must not be listening in the host namespace")
                    .doesNotContain("pid=" + pid + ",");
        }
        await("veth " + hostIf + " removed")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() ->
                        HostCommands.run(List.of("ip", "link", "show", hostIf)).exitCode() != 0);
        assertThat(ProcessHandle.of(pid)).as("usbipd process is gone").isEmpty();
    }

    @Test
    void codecMatchesTheRealDaemonByteForByte(@TempDir Path work) throws Exception {
        try (UsbipdInNetns usbipd = UsbipdInNetns.start(work)) {
            UsbipClient client = new UsbipClient(address(usbipd), Duration.ofSeconds(2));
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(50))
                    .failFast(
                            FailFast.unless("usbipd exited early", usbipd::isAlive, () -> "its log:\n" + usbipd.log()))
                    .ignoreExceptionsInstanceOf(UsbipdUnavailableException.class)
                    .until(() -> client.listDevices().isEmpty());

            // the whole reply up to EOF equals the message hand-assembled from the spec
            byte[] devlist = exchange(address(usbipd), UsbipCodec.encode(new DevlistRequest()));
            assertThat(devlist).isEqualTo(SpecMessages.EMPTY_DEVLIST_REPLY);

            // importing a device that is not exported: usbipd answers a header-only OP_REP_IMPORT, ST_NODEV
            byte[] importReply = exchange(address(usbipd), UsbipCodec.encode(new ImportRequest(new BusId("1-3"))));
            assertThat(UsbipCodec.decodeImportReply(importReply)).isEqualTo(new ImportRefused(UsbipProtocol.ST_NODEV));
            assertThat(usbipd.log()).contains("requested device not found: 1-3");
        }
    }

    /** Sends one request on a fresh connection and returns everything the daemon sends until it closes. */
    private static byte[] exchange(UsbipdAddress address, byte[] request) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address.host(), address.port()), 2000);
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(request);
            InputStream in = socket.getInputStream();
            return in.readAllBytes();
        }
    }

    private static UsbipdAddress address(UsbipdInNetns usbipd) {
        return new UsbipdAddress(usbipd.host(), usbipd.port());
    }
}
