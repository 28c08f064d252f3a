package dev.hangar.provider.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.kubernetes.MockCluster;
import dev.hangar.provider.spi.ConsoleLogUnavailableException;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.vm.ImageCatalog;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code hangar console --log} of a KubeVirt VM: the {@code guest-console-log} container of its
 * virt-launcher pod, through {@code pods/log}. The mock API server stands in for the cluster (CRUD)
 * and for the kubelet's log stream (a fixed console text with escape sequences); the launcher pods are
 * written by the test as virt-controller would (KubeVirt's label {@code kubevirt.io/created-by} = VMI
 * uid).
 */
class LauncherConsoleLogTest {
    private static final String CONSOLE = "[\u001B[0;32m  OK  \u001B[0m] Started ssh.service\r\n\r\n"
            + "Debian GNU/Linux 12 vm ttyS0\r\n\u001B]0;title\u0007vm login: \r\n";

    private final ServesConsoleLog api = new ServesConsoleLog();
    private MockCluster cluster;
    private KubevirtProvider provider;
    private WorkspaceSpec spec;
    private KubevirtNames names;

    @BeforeEach
    void start() {
        cluster = new MockCluster(api);
        KubevirtCrds.install(cluster.client);
        provider = new KubevirtProvider(
                cluster.client,
                VmSpecs.settings(Map.of()),
                ImageCatalog.shipped(),
                (s, endpoint) -> new Observation.Running(endpoint, "fake probe"),
                Clock.systemUTC(),
                false,
                VmSpecs.CONSOLE_DIR);
        spec = VmSpecs.spec();
        names = KubevirtNames.of(spec.owner(), spec.name());
    }

    @AfterEach
    void stop() {
        provider.close();
        cluster.close();
    }

    @Test
    void theLastLinesOfTheLaunchersConsoleLogContainerWithoutEscapes() {
        String uid = vmi();
        launcher("virt-launcher-old", "uid-of-a-former-vmi", true); // not this VMI's
        launcher("virt-launcher-a", uid, true);

        assertThat(provider.consoleLog(spec, 2).orElseThrow())
                .containsExactly("Debian GNU/Linux 12 vm ttyS0", "vm login:");
        assertThat(api.logRequests)
                .singleElement()
                .satisfies(path -> assertThat(path)
                        .startsWith("/api/v1/namespaces/" + VmSpecs.NS + "/pods/virt-launcher-a/log?")
                        .contains("container=guest-console-log", "tailLines=14"));
        assertThat(provider.consoleLog(spec, 10).orElseThrow())
                .containsExactly("[  OK  ] Started ssh.service", "Debian GNU/Linux 12 vm ttyS0", "vm login:");
    }

    @Test
    void aStoppedVmHasNoLogAndSaysSo() {
        assertThatThrownBy(() -> provider.consoleLog(spec, 5))
                .isInstanceOfSatisfying(
                        ConsoleLogUnavailableException.class,
                        e -> assertThat(e.why()).isEqualTo(ConsoleLogUnavailableException.Why.NOT_RUNNING))
                .hasMessageContaining("exists only while the VM runs")
                .hasMessageContaining("hangar start " + spec.name());
        vmi(); // a VMI whose launcher pod is not there yet
        assertThatThrownBy(() -> provider.consoleLog(spec, 5))
                .isInstanceOfSatisfying(
                        ConsoleLogUnavailableException.class,
                        e -> assertThat(e.why()).isEqualTo(ConsoleLogUnavailableException.Why.NOT_RUNNING))
                .hasMessageContaining("has not started the virt-launcher pod");
        assertThat(api.logRequests).isEmpty();
    }

    @Test
    void aKubevirtThatKeepsNoConsoleLogIsNamedWithTheSettingToChange() {
        launcher("virt-launcher-a", vmi(), false);

        assertThatThrownBy(() -> provider.consoleLog(spec, 5))
                .isInstanceOfSatisfying(
                        ConsoleLogUnavailableException.class,
                        e -> assertThat(e.why()).isEqualTo(ConsoleLogUnavailableException.Why.NOT_KEPT))
                .hasMessageContaining("keeps no serial console log")
                .hasMessageContaining("KubeVirt 1.1")
                .hasMessageContaining("disableSerialConsoleLog")
                .hasMessageContaining("hangar console " + spec.name());
        assertThat(api.logRequests).isEmpty();
    }

    /** @return the uid the API server gave the VMI */
    private String vmi() {
        return cluster.client
                .genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE_INSTANCE)
                .inNamespace(VmSpecs.NS)
                .resource(VirtControllers.vmi(names.virtualMachine(), "", VirtControllers.runningStatus("True")))
                .create()
                .getMetadata()
                .getUid();
    }

    /** A virt-launcher pod as KubeVirt makes it; {@code logged}: with the guest-console-log sidecar. */
    private void launcher(String name, String vmiUid, boolean logged) {
        PodBuilder pod = new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(VmSpecs.NS)
                .addToLabels("kubevirt.io", "virt-launcher")
                .addToLabels(LauncherConsoleLog.CREATED_BY, vmiUid)
                .withCreationTimestamp("2026-12-04T10:00:00Z")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("compute")
                .withImage("quay.io/kubevirt/virt-launcher:v1.7.0")
                .endContainer()
                .endSpec();
        if (logged) {
            // KubeVirt runs it as a restartable init container (a sidecar) in recent versions.
            pod.editSpec()
                    .addNewInitContainer()
                    .withName(LauncherConsoleLog.CONTAINER)
                    .withImage("quay.io/kubevirt/virt-launcher:v1.7.0")
                    .withRestartPolicy("Always")
                    .endInitContainer()
                    .endSpec();
        }
        Pod built = pod.build();
        cluster.client.pods().inNamespace(VmSpecs.NS).resource(built).create();
    }

    /** The CRUD mock plus the kubelet's log of the guest-console-log container (a fixed text). */
    static final class ServesConsoleLog extends KubernetesCrudDispatcher {
        final List<String> logRequests = new CopyOnWriteArrayList<>();

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            if (request.getPath().contains("/log?")) {
                logRequests.add(request.getPath());
                return new MockResponse().setResponseCode(200).setBody(CONSOLE);
            }
            return super.dispatch(request);
        }
    }
}
