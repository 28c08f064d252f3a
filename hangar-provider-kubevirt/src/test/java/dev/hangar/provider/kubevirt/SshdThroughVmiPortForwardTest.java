package dev.hangar.provider.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.provider.kubernetes.MockCluster;
import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.ssh.TestKeys;
import dev.hangar.provider.vm.ImageCatalog;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped sshd probe ({@link KubevirtProviderFactory.ProbeCheck}) reaches a real SSH server
 * through the VMI port-forward: the mock API server's stand-in for virt-api relays the WebSocket's
 * bytes to a MINA sshd on loopback (standing in for the guest's sshd behind virt-launcher). The
 * workspace is Running only when that sshd presents the pinned host key.
 */
class SshdThroughVmiPortForwardTest {
    private static final String NS = VmSpecs.NS;

    @TempDir
    Path dir;

    private SshServer sshd;
    private Path serverKey;
    private MockCluster cluster;
    private KubevirtProvider provider;

    @BeforeEach
    void start() throws Exception {
        serverKey = TestKeys.generate(dir, "guest_host_key");
        sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        sshd.setKeyPairProvider(new FileKeyPairProvider(serverKey));
        sshd.setPasswordAuthenticator((user, password, session) -> false);
        sshd.start();
        cluster = new MockCluster(new VirtApiToSshd(sshd.getPort()));
        KubevirtCrds.install(cluster.client);
        provider = new KubevirtProvider(
                cluster.client,
                VmSpecs.settings(Map.of()),
                ImageCatalog.shipped(),
                new KubevirtProviderFactory.ProbeCheck(),
                Clock.systemUTC(),
                false,
                VmSpecs.CONSOLE_DIR);
    }

    @AfterEach
    void stop() throws Exception {
        provider.close();
        cluster.close();
        sshd.stop(true);
    }

    @Test
    void runningOnceSshdAnswersThroughTheForwardWithThePinnedKey() throws Exception {
        WorkspaceSpec spec = spec(TestKeys.hostKey(serverKey));
        runningVm(spec);

        Observation o = provider.observe(spec);

        assertThat(o).as(o.detail()).isInstanceOf(Observation.Running.class);
        assertThat(o.detail()).isEqualTo("sshd answered with the pinned host key");
        assertThat(((Observation.Running) o).ssh())
                .isEqualTo(provider.portForward(spec).orElseThrow());
    }

    @Test
    void anotherHostKeyThroughTheForwardIsNotRunning() throws Exception {
        WorkspaceSpec spec = spec(TestKeys.hostKey(TestKeys.generate(dir, "other_key")));
        runningVm(spec);

        Observation o = provider.observe(spec);

        assertThat(o).isInstanceOf(Observation.Starting.class);
        assertThat(o.detail()).contains("answered with another host identity");
    }

    private static WorkspaceSpec spec(SshHostKey pinned) {
        return new WorkspaceSpec(
                UUID.randomUUID().toString(),
                "sshd" + UUID.randomUUID().toString().substring(0, 8),
                "alice",
                "kubevirt-debian-12",
                Resources.DEFAULTS,
                "debian-12",
                "alice",
                List.of(VmSpecs.USER_KEY),
                pinned,
                TestKeys.certificate(pinned, "dev"),
                CloudInitConfig.EMPTY,
                Map.of());
    }

    /** Applies the workspace and writes what CDI and virt-controller would for a running VM. */
    private void runningVm(WorkspaceSpec spec) {
        KubevirtNames n = KubevirtNames.of(spec.owner(), spec.name());
        provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
        VirtControllers.running(cluster, n, "");
    }

    /**
     * The CRUD mock plus virt-api's VMI {@code portforward} subresource in front of a real sshd: each
     * upgraded WebSocket gets its own TCP connection to {@code 127.0.0.1:port}, bytes relayed both ways.
     */
    static final class VirtApiToSshd extends KubernetesCrudDispatcher {
        private final int port;

        VirtApiToSshd(int port) {
            this.port = port;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            if (!request.getPath().endsWith("/portforward/22/tcp")) {
                return super.dispatch(request);
            }
            return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
                private Socket guest;

                @Override
                public void onOpen(WebSocket ws, Response response) {
                    try {
                        guest = new Socket("127.0.0.1", port);
                    } catch (IOException e) {
                        ws.close(1011, e.toString());
                        return;
                    }
                    Thread.ofVirtual().start(() -> {
                        byte[] buffer = new byte[16 * 1024];
                        try (InputStream in = guest.getInputStream()) {
                            int n;
                            while ((n = in.read(buffer)) >= 0) ws.send(Arrays.copyOf(buffer, n));
                        } catch (IOException e) {
                            // the guest side closed
                        }
                        ws.close(1000, "guest closed");
                    });
                }

                @Override
                public void onMessage(WebSocket ws, byte[] bytes) {
                    try {
                        guest.getOutputStream().write(bytes);
                    } catch (IOException e) {
                        ws.close(1011, e.toString());
                    }
                }

                @Override
                public void onClosing(WebSocket ws, int code, String reason) {
                    try {
                        guest.close();
                    } catch (IOException e) {
                        // already closed
                    }
                }
            });
        }
    }
}
