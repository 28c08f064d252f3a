package dev.hangar.usbip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link UsbipClient} over real loopback sockets against {@link ReplayServer}, which replays
 * byte-exact replies hand-assembled from the protocol documentation (it stands in for a usbipd with
 * devices; see its Javadoc for why).
 */
class UsbipClientTest {

    @Test
    void listsDevicesAndSendsTheDocumentedRequest() throws IOException {
        try (ReplayServer server = ReplayServer.replying(SpecMessages.twoDeviceDevlistReply())) {
            List<UsbDevice> devices = UsbipClient.listDevices("127.0.0.1", server.port(), Duration.ofSeconds(5));

            assertThat(devices).containsExactly(SpecMessages.stlink(), SpecMessages.arduino());
            assertThat(server.requests()).singleElement().isEqualTo(SpecMessages.DEVLIST_REQUEST);
        }
    }

    @Test
    void emptyListIsNotAnError() throws IOException {
        try (ReplayServer server = ReplayServer.replying(SpecMessages.EMPTY_DEVLIST_REPLY)) {
            assertThat(client(server.port(), Duration.ofSeconds(5)).listDevices())
                    .isEmpty();
        }
    }

    @Test
    void isExportableChecksTheBusIdAgainstTheList() throws IOException {
        try (ReplayServer server = ReplayServer.replying(SpecMessages.twoDeviceDevlistReply())) {
            UsbipClient client = client(server.port(), Duration.ofSeconds(5));

            assertThat(client.isExportable(new BusId("1-3"))).isTrue();
            assertThat(client.isExportable(new BusId("1-1.2"))).isTrue();
            assertThat(client.isExportable(new BusId("1-1"))).isFalse();
            assertThat(client.findExportable(new BusId("1-1.2")))
                    .get()
                    .extracting(UsbDevice::vidPid)
                    .hasToString("2341:0043");
            assertThat(server.requests()).as("one connection per question").hasSize(4);
        }
    }

    @Test
    void connectionRefusedSaysHowToStartUsbipd() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // free now, nobody listens after the close
        }
        UsbipClient client = client(port, Duration.ofSeconds(5));

        assertThatThrownBy(client::listDevices)
                .isInstanceOf(UsbipdUnavailableException.class)
                .hasMessage("usbipd is not running on 127.0.0.1:" + port
                        + "; start it with `sudo usbipd -D` (Linux) or install usbipd-win (Windows)");
    }

    @Test
    void silentServerTimesOutWithinTheDeadline() throws IOException {
        try (ReplayServer server = ReplayServer.replyingThenStalling(new byte[0])) {
            long start = System.nanoTime();

            assertThatThrownBy(
                            () -> client(server.port(), Duration.ofMillis(300)).listDevices())
                    .isInstanceOf(UsbipdUnavailableException.class)
                    .hasMessageStartingWith("usbipd on 127.0.0.1:" + server.port() + " did not answer within 300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void serverStallingMidReplyHitsTheOverallDeadline() throws IOException {
        byte[] headerOnly = WireBytes.of("0111 0005 00000000 00000001"); // promises one device, sends none
        try (ReplayServer server = ReplayServer.replyingThenStalling(headerOnly)) {
            assertThatThrownBy(
                            () -> client(server.port(), Duration.ofMillis(300)).listDevices())
                    .isInstanceOf(UsbipdUnavailableException.class)
                    .hasMessageContaining("did not answer within 300 ms");
        }
    }

    @Test
    void somethingElseOnThePortIsAProtocolErrorNamingTheAddress() throws IOException {
        byte[] http = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (ReplayServer server = ReplayServer.replying(http)) {
            assertThatThrownBy(
                            () -> client(server.port(), Duration.ofSeconds(5)).listDevices())
                    .isInstanceOf(UsbipProtocolException.class)
                    .hasMessage("127.0.0.1:" + server.port() + " did not answer like usbipd: unsupported USB/IP"
                            + " version 0x4854 in OP_REP_DEVLIST; this client speaks 0x0111 (v1.1.1, as Linux"
                            + " usbip-utils 2.x and usbipd-win do); is --usbipd pointing at the right port?");
        }
    }

    @Test
    void peerClosingEarlyIsATruncatedReply() throws IOException {
        try (ReplayServer server = ReplayServer.replying(WireBytes.of("0111 0005"))) {
            assertThatThrownBy(
                            () -> client(server.port(), Duration.ofSeconds(5)).listDevices())
                    .isInstanceOf(UsbipProtocolException.class)
                    .hasMessageContaining(
                            "truncated OP_REP_DEVLIST: the data ended after 4 bytes while reading status");
        }
    }

    @Test
    void resolvesHostNames() throws IOException {
        // "localhost" comes from /etc/hosts (no DNS at test time). Where it also maps to ::1 the client
        // tries each address in turn; this machine's hosts file lists only 127.0.0.1, so that fallback
        // itself is not exercised here.
        try (ReplayServer server = ReplayServer.replying(SpecMessages.EMPTY_DEVLIST_REPLY)) {
            assertThat(UsbipClient.listDevices("localhost", server.port(), Duration.ofSeconds(5)))
                    .isEmpty();
        }
    }

    @Test
    void rejectsNonPositiveTimeout() {
        assertThatThrownBy(() -> new UsbipClient(UsbipdAddress.DEFAULT, Duration.ZERO))
                .hasMessage("timeout must be positive, got PT0S");
    }

    private static UsbipClient client(int port, Duration timeout) {
        return new UsbipClient(new UsbipdAddress("127.0.0.1", port), timeout);
    }
}
