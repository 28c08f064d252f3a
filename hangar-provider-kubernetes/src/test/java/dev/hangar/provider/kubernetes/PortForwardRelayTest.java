package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.mockwebserver.http.WebSocket;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bytes from the pod reach whoever connects to the SSH endpoint the provider reports. fabric8's
 * mock server in CRUD mode stands in for the API server, and {@link PodPortForwardEnd} for the pod's
 * end of the port-forward, sending an SSH version banner as sshd would.
 */
class PortForwardRelayTest {
    private static final String NS = "hangar-test";
    private static final String BANNER = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n";

    @Test
    void theReportedEndpointCarriesThePodsSshBanner() throws Exception {
        byte[] banner = BANNER.getBytes(StandardCharsets.US_ASCII);
        try (MockCluster cluster = new MockCluster(new PodSendsBanner(banner));
                KubernetesProvider provider =
                        new KubernetesProvider(cluster.client, Specs.settings(Map.of()), Clock.systemUTC(), false)) {
            WorkspaceSpec spec = Specs.spec(Map.of());
            provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
            WorkspacePods.createReady(cluster, NS, spec);

            SshEndpoint ssh = ((Observation.Running) provider.observe(spec)).ssh();

            try (Socket socket = new Socket(ssh.host(), ssh.port())) {
                socket.setSoTimeout(10_000);
                InputStream in = socket.getInputStream();
                byte[] received = in.readNBytes(banner.length);
                assertThat(new String(received, StandardCharsets.US_ASCII)).isEqualTo(BANNER);
                assertThat(Arrays.equals(received, banner)).isTrue();
            }
        }
    }

    /** The pod's end that sends an SSH version banner on data channel 0 as soon as the stream opens. */
    private static final class PodSendsBanner extends PodPortForwardEnd {
        private final byte[] banner;

        PodSendsBanner(byte[] banner) {
            this.banner = banner;
        }

        @Override
        void opened(WebSocket ws) {
            ws.send(data(banner, 0, banner.length));
        }
    }
}
