package dev.hangar.provider.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hangar.provider.kubernetes.MockCluster;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.vm.ImageCatalog;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The VMI port-forward ({@code service-routable: false}, the default) against fabric8's mock API
 * server in CRUD mode with KubeVirt's CRDs, which here also stands in for virt-api's {@code
 * portforward} subresource: it answers the WebSocket upgrade on {@code
 * /apis/subresources.kubevirt.io/v1/.../virtualmachineinstances/<vmi>/portforward/22/tcp} like the
 * guest's sshd behind it would, first an SSH version banner, then an echo of every binary message.
 * The sshd probe is a stand-in that reads the banner through the endpoint it is given. The same
 * stand-in answers the VMI {@code console} subresource (the serial console's relay).
 */
class VmiPortForwardTest {
    private static final String NS = VmSpecs.NS;
    private static final String BANNER = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n";

    private VirtApi virtApi;
    private MockCluster cluster;
    private KubevirtProvider provider;
    private final List<SshEndpoint> probed = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        virtApi = new VirtApi();
        cluster = new MockCluster(virtApi);
        KubevirtCrds.install(cluster.client);
        KubevirtProvider.SshCheck bannerProbe = (spec, endpoint) -> {
            probed.add(endpoint);
            try (Socket socket = new Socket(endpoint.host(), endpoint.port())) {
                socket.setSoTimeout(10_000);
                String line =
                        new String(socket.getInputStream().readNBytes(BANNER.length()), StandardCharsets.US_ASCII);
                return line.equals(BANNER)
                        ? new Observation.Running(endpoint, "banner through the forward")
                        : new Observation.Starting("no banner: " + line);
            } catch (IOException e) {
                return new Observation.Starting("unreachable: " + e);
            }
        };
        provider = new KubevirtProvider(
                cluster.client,
                VmSpecs.settings(Map.of()),
                ImageCatalog.shipped(),
                bannerProbe,
                Clock.systemUTC(),
                false,
                VmSpecs.CONSOLE_DIR);
    }

    @AfterEach
    void stop() {
        provider.close();
        cluster.close();
    }

    @Test
    void runningReportsALoopbackEndpointThatCarriesBytesBothWaysToTheVmisPort() throws Exception {
        WorkspaceSpec spec = VmSpecs.spec();
        String vmi = runningVm(spec, "uid-1");

        Observation o = provider.observe(spec);

        assertThat(o).isInstanceOf(Observation.Running.class);
        SshEndpoint ssh = ((Observation.Running) o).ssh();
        assertThat(ssh.host()).isEqualTo("127.0.0.1");
        assertThat(probed).containsExactly(ssh);
        assertThat(provider.portForward(spec)).contains(ssh);
        try (Socket socket = new Socket(ssh.host(), ssh.port())) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readNBytes(BANNER.length()), StandardCharsets.US_ASCII))
                    .isEqualTo(BANNER);
            byte[] sent = new byte[1_000_000]; // many read buffers and WebSocket messages
            new java.util.Random(42).nextBytes(sent);
            OutputStream out = socket.getOutputStream();
            // Written in small pieces from another thread, so many small messages queue up as with scp.
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (int off = 0; off < sent.length; off += 1000) out.write(sent, off, 1000);
                    out.flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] got = in.readNBytes(sent.length);
            writer.join(Duration.ofSeconds(30));
            assertThat(got.length).isEqualTo(sent.length);
            assertThat(java.util.Arrays.mismatch(got, sent)).isEqualTo(-1);
        }
        assertThat(virtApi.upgrades)
                .hasSize(2) // the probe's connection and this one: one WebSocket each
                .allSatisfy(r -> {
                    assertThat(r.getMethod()).isEqualTo("GET");
                    assertThat(r.getPath())
                            .isEqualTo("/apis/subresources.kubevirt.io/v1/namespaces/" + NS
                                    + "/virtualmachineinstances/" + vmi + "/portforward/22/tcp");
                    assertThat(r.getHeader("Sec-WebSocket-Protocol")).isEqualTo("plain.kubevirt.io");
                    assertThat(r.getHeader("Upgrade")).isEqualToIgnoringCase("websocket");
                });
    }

    @Test
    void theConsoleSocketCarriesTheVmisSerialConsoleBothWaysUntilDelete() throws Exception {
        WorkspaceSpec spec = VmSpecs.spec();
        String vmi = runningVm(spec, "uid-1");
        virtApi.upgrades.clear();

        Path socket = provider.console(spec).orElseThrow().socket();

        assertThat(socket).isEqualTo(VmSpecs.CONSOLE_DIR.resolve(spec.id() + ".sock"));
        assertThat(provider.console(spec).orElseThrow().socket()).isEqualTo(socket); // one relay, kept
        try (SocketChannel console = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            InputStream in = Channels.newInputStream(console);
            assertThat(new String(in.readNBytes(BANNER.length()), StandardCharsets.US_ASCII))
                    .isEqualTo(BANNER);
            console.write(ByteBuffer.wrap("root\r".getBytes(StandardCharsets.US_ASCII)));
            assertThat(new String(in.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("root\r");
        }
        assertThat(virtApi.upgrades).singleElement().satisfies(r -> {
            assertThat(r.getPath())
                    .isEqualTo("/apis/subresources.kubevirt.io/v1/namespaces/" + NS + "/virtualmachineinstances/" + vmi
                            + "/console");
            assertThat(r.getHeader("Sec-WebSocket-Protocol")).isEqualTo("plain.kubevirt.io");
        });

        virtApi.refuse = true; // virt-api's answer while no VMI runs: that connection is closed at once
        try (SocketChannel console = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            assertThat(console.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        }

        provider.delete(spec, ProviderListener.NONE);
        assertThat(socket).doesNotExist();
    }

    @Test
    void aRefusedUpgradeClosesOnlyThatConnectionTheNextOneWorks() throws Exception {
        WorkspaceSpec spec = VmSpecs.spec();
        runningVm(spec, "uid-1");
        virtApi.refuse = true;

        Observation starting = provider.observe(spec);

        assertThat(starting).isInstanceOf(Observation.Starting.class);
        SshEndpoint ssh = provider.portForward(spec).orElseThrow();
        try (Socket socket = new Socket(ssh.host(), ssh.port())) {
            socket.setSoTimeout(10_000);
            assertThat(socket.getInputStream().read()).isEqualTo(-1); // closed, not hung
        }
        virtApi.refuse = false;
        assertThat(provider.observe(spec)).isEqualTo(new Observation.Running(ssh, "banner through the forward"));
    }

    @Test
    void aDeadListenerOrANewVmiGetsANewForward() throws Exception {
        WorkspaceSpec spec = VmSpecs.spec();
        runningVm(spec, "uid-1");
        SshEndpoint first = ((Observation.Running) provider.observe(spec)).ssh();
        assertThat(((Observation.Running) provider.observe(spec)).ssh()).isEqualTo(first); // kept while it works

        VmiStreamRelay broken = provider.portForwards().forward(spec.id()).orElseThrow();
        broken.close(); // the listener died without the provider closing it
        Observation again = provider.observe(spec);

        assertThat(again).isInstanceOf(Observation.Running.class);
        assertThat(provider.portForwards().forward(spec.id()).orElseThrow())
                .isNotSameAs(broken)
                .satisfies(f -> assertThat(f.isAlive()).isTrue());
        SshEndpoint second = ((Observation.Running) again).ssh();
        assertRefused(first);

        runningVm(spec, "uid-2"); // a restart: a new VMI of the same name
        SshEndpoint third = ((Observation.Running) provider.observe(spec)).ssh();

        assertThat(provider.portForward(spec)).contains(third);
        assertThat(probed).last().isEqualTo(third);
        if (!third.equals(second)) assertRefused(second);
    }

    @Test
    void stopDeleteAndProviderCloseCloseTheForward() throws Exception {
        WorkspaceSpec spec = VmSpecs.spec();
        runningVm(spec, "uid-1");
        SshEndpoint running = ((Observation.Running) provider.observe(spec)).ssh();

        // Stop: KubeVirt removes the VMI; the next observation closes the forward.
        provider.apply(spec, PowerState.STOPPED, ProviderListener.NONE);
        cluster.client
                .genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE_INSTANCE)
                .inNamespace(NS)
                .withName(KubevirtNames.of(spec.owner(), spec.name()).virtualMachine())
                .delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> !(provider.observe(spec) instanceof Observation.Running));
        assertThat(provider.portForward(spec)).isEmpty();
        assertRefused(running);

        provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
        runningVm(spec, "uid-2");
        SshEndpoint restarted = ((Observation.Running) provider.observe(spec)).ssh();
        provider.delete(spec, ProviderListener.NONE);
        assertThat(provider.portForward(spec)).isEmpty();
        assertRefused(restarted);

        WorkspaceSpec other = VmSpecs.spec();
        runningVm(other, "uid-3");
        SshEndpoint otherEndpoint = ((Observation.Running) provider.observe(other)).ssh();
        provider.close();
        assertRefused(otherEndpoint);
    }

    private static void assertRefused(SshEndpoint endpoint) {
        assertThatThrownBy(() -> new Socket(endpoint.host(), endpoint.port()).close())
                .isInstanceOf(ConnectException.class);
    }

    /**
     * Applies the workspace and writes what CDI and virt-controller would: the DataVolume Succeeded, the
     * VM Running and a ready VMI with {@code uid} (replacing an older one).
     *
     * @return the VMI's name
     */
    private String runningVm(WorkspaceSpec spec, String uid) {
        KubevirtNames n = KubevirtNames.of(spec.owner(), spec.name());
        provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
        var vmis = cluster.client
                .genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE_INSTANCE)
                .inNamespace(NS);
        vmis.withName(n.virtualMachine()).delete();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> vmis.withName(n.virtualMachine()).get() == null);
        VirtControllers.running(cluster, n, uid + "-" + UUID.randomUUID());
        return n.virtualMachine();
    }

    /**
     * The CRUD mock API server plus virt-api's VMI {@code portforward} subresource: the upgraded
     * WebSocket sends an sshd banner, then echoes every binary message, as raw bytes
     * (plain.kubevirt.io); with {@link #refuse} it answers 400 (as virt-api does for a VMI that is not running) instead of upgrading.
     */
    static final class VirtApi extends KubernetesCrudDispatcher {
        final List<RecordedRequest> upgrades = new CopyOnWriteArrayList<>();
        volatile boolean refuse;

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            if (!request.getPath().startsWith("/apis/subresources.kubevirt.io/")) {
                return super.dispatch(request);
            }
            upgrades.add(request);
            if (refuse) {
                return new MockResponse().setResponseCode(400).setBody("VMI is not running");
            }
            return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
                @Override
                public void onOpen(WebSocket ws, Response response) {
                    ws.send(BANNER.getBytes(StandardCharsets.US_ASCII));
                }

                @Override
                public void onMessage(WebSocket ws, byte[] bytes) {
                    ws.send(bytes);
                }
            });
        }
    }
}
