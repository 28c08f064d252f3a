package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.spi.WorkspaceTerminal;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Pod provider's terminal: an exec with a TTY in the workspace container, bytes both ways and
 * the TTY's size through the exec API's resize channel. fabric8's mock server stands in for the API
 * server (CRUD for objects) and for the exec WebSocket ({@link ExecShellDispatcher}: a TTY that
 * echoes stdin on stdout and records resize messages).
 */
class PodTerminalTest {
    private static final String NS = "hangar-test";

    @Test
    void keystrokesReachTheShellItsOutputComesBackAndResizeIsSent() throws Exception {
        ExecShellDispatcher api = new ExecShellDispatcher();
        try (MockCluster cluster = new MockCluster(api);
                KubernetesProvider provider =
                        new KubernetesProvider(cluster.client, Specs.settings(Map.of()), Clock.systemUTC(), false)) {
            WorkspaceSpec spec = Specs.spec(Map.of());
            provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
            String pod =
                    WorkspacePods.createReady(cluster, NS, spec).getMetadata().getName();
            WorkspaceTerminal terminal = provider.terminal().orElseThrow();

            try (WorkspaceTerminal.Session shell = terminal.open(spec, new WorkspaceTerminal.Size(132, 43))) {
                String exec = api.execs.poll(10, TimeUnit.SECONDS);
                assertThat(exec).startsWith("/api/v1/namespaces/" + NS + "/pods/" + pod + "/exec?");
                String query = URLDecoder.decode(exec.substring(exec.indexOf('?') + 1), StandardCharsets.UTF_8);
                assertThat(query)
                        .contains("container=workspace", "stdin=true", "stdout=true", "tty=true")
                        .contains("command=/bin/sh", "command=-c")
                        .contains("exec \"$shell\" -l");
                // The first size, then a resize: both on channel 4 as the API server expects.
                assertThat(api.resizes.poll(10, TimeUnit.SECONDS)).isEqualTo("{\"Width\":132,\"Height\":43}");
                shell.resize(new WorkspaceTerminal.Size(80, 24));
                assertThat(api.resizes.poll(10, TimeUnit.SECONDS)).isEqualTo("{\"Width\":80,\"Height\":24}");

                String typed = "id -un " + UUID.randomUUID() + "\r";
                OutputStream in = shell.input();
                in.write(typed.getBytes(StandardCharsets.UTF_8));
                in.flush();
                assertThat(api.stdin.poll(10, TimeUnit.SECONDS)).isEqualTo(typed);
                InputStream out = shell.output();
                byte[] echoed = CompletableFuture.supplyAsync(() -> {
                            try {
                                return out.readNBytes(typed.length());
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        })
                        .get(10, TimeUnit.SECONDS);
                assertThat(new String(echoed, StandardCharsets.UTF_8)).isEqualTo(typed);
            }
        }
    }

    @Test
    void aWorkspaceWithoutRunningPodIsRefusedAsTransient() throws Exception {
        try (MockCluster cluster = new MockCluster();
                KubernetesProvider provider =
                        new KubernetesProvider(cluster.client, Specs.settings(Map.of()), Clock.systemUTC(), false)) {
            WorkspaceSpec spec = Specs.spec(Map.of());
            provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
            assertThatThrownBy(() -> provider.terminal().orElseThrow().open(spec, WorkspaceTerminal.Size.DEFAULT))
                    .isInstanceOfSatisfying(
                            ProviderException.class,
                            e -> assertThat(e.permanent()).isFalse())
                    .hasMessage("workspace alice/" + spec.name() + " has no running pod (" + NS + "/"
                            + WorkspaceNames.of(spec.owner(), spec.name()).pod() + ")");
        }
    }

    @Test
    void theTerminalSettingTurnsItOff() throws Exception {
        try (MockCluster cluster = new MockCluster();
                KubernetesProvider off = new KubernetesProvider(
                        cluster.client, Specs.settings(Map.of("terminal", "false")), Clock.systemUTC(), false);
                KubernetesProvider on =
                        new KubernetesProvider(cluster.client, Specs.settings(Map.of()), Clock.systemUTC(), false)) {
            assertThat(off.terminal()).isEmpty();
            assertThat(on.terminal()).isPresent();
        }
    }
}
