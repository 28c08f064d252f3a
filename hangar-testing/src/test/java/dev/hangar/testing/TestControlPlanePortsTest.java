package dev.hangar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.api.ServerInfo;
import dev.hangar.api.client.ClientSettings;
import dev.hangar.api.client.HangarClient;
import dev.hangar.server.SshGatewayHook;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hermetic control planes: a test's server never needs a fixed port to be free. The API listens on
 * port 0; the SSH gateway, when a test adds one, too (its shipped default, 2222, was once held by
 * something else on a CI machine and failed a run), unless the test chooses a port itself.
 */
class TestControlPlanePortsTest {

    @Test
    void theGatewayGetsAFreePortWhenTheTestSetsNone() throws IOException {
        try (TestControlPlane cp =
                        TestControlPlane.builder().gateway(new SshGatewayHook()).start();
                HangarClient client =
                        new HangarClient(ClientSettings.of(cp.baseUri().toString(), cp.adminToken()))) {
            ServerInfo info = client.info();
            assertThat(info.gatewayPort()).isPositive().isNotEqualTo(2222);
            assertThat(cp.baseUri().getPort()).isPositive().isNotEqualTo(info.gatewayPort());
            assertThat(banner(info.gatewayHost(), info.gatewayPort())).startsWith("SSH-2.0");
        }
    }

    @Test
    void aPortTheTestChoosesIsKept() throws IOException {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (TestControlPlane cp = TestControlPlane.builder()
                        .gateway(new SshGatewayHook())
                        .configure(c -> c.withGateway(Map.of("listen-port", Integer.toString(port))))
                        .start();
                HangarClient client =
                        new HangarClient(ClientSettings.of(cp.baseUri().toString(), cp.adminToken()))) {
            assertThat(client.info().gatewayPort()).isEqualTo(port);
        }
    }

    private static String banner(String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 5000);
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            return new String(in.readNBytes(7), StandardCharsets.US_ASCII);
        }
    }
}
