package dev.hangar.provider.kubevirt;

import static dev.hangar.provider.kubernetes.RbacRequests.granted;
import static dev.hangar.provider.kubernetes.RbacRequests.rbac;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hangar.provider.kubernetes.MockCluster;
import dev.hangar.provider.kubernetes.RbacRequests;
import dev.hangar.provider.kubernetes.RbacRequests.Rbac;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.vm.ImageCatalog;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Checks that {@code deploy/base/rbac.yaml} grants the kubevirt provider exactly what it uses: the
 * provider runs whole lifecycles against fabric8's mock server (standing in for an API server with
 * KubeVirt and CDI installed), every request it sends becomes the RBAC (group, resource, verb) the
 * API server would authorize, and each must be granted by the Role {@code hangar-vms} (namespaced
 * requests) or the ClusterRole {@code hangar-storageclass-reader} (cluster-scoped ones); conversely
 * every granted rule must be used.
 */
class KubevirtDeployRbacTest {
    private static final Path DEPLOY = Path.of("..", "deploy", "base");
    private static final String NS = VmSpecs.NS;

    // API discovery (GET /apis/GROUP/VERSION): allowed to every authenticated user by system:discovery.
    private static final Pattern DISCOVERY = Pattern.compile("/apis?(?:/[^/?]+){0,2}");

    @Test
    void theRolesGrantExactlyWhatTheProviderUses() throws Exception {
        Set<String> namespaced = new TreeSet<>();
        Set<String> clusterScoped = new TreeSet<>();
        for (String request : lifecycleRequests()) {
            String path = request.substring(request.indexOf(' ') + 1);
            if (DISCOVERY.matcher(path).matches()) continue;
            Rbac r = rbac(request);
            (r.namespaced() ? namespaced : clusterScoped).add(r.rule());
        }

        assertThat(namespaced)
                .as("what the provider sent in its namespace")
                .contains(
                        "kubevirt.io/virtualmachines create",
                        "kubevirt.io/virtualmachineinstances get",
                        "cdi.kubevirt.io/datavolumes deletecollection",
                        "cdi.kubevirt.io/datasources get",
                        "subresources.kubevirt.io/virtualmachineinstances/portforward get",
                        "subresources.kubevirt.io/virtualmachineinstances/console get",
                        "secrets patch",
                        "persistentvolumeclaims delete",
                        "pods list",
                        "pods/log get");
        assertThat(granted(role("hangar-vms").getRules())).isEqualTo(namespaced);
        assertThat(granted(clusterRole("hangar-storageclass-reader").getRules()))
                .isEqualTo(clusterScoped)
                .containsExactly("storage.k8s.io/storageclasses get");
    }

    @Test
    void aRequestWithoutARuleFailsTheCheck() throws Exception {
        // The check itself: what the provider would send to list VMs or update a DataVolume is not granted.
        Set<String> granted = granted(role("hangar-vms").getRules());
        assertThat(granted)
                .doesNotContain(rbac("GET /apis/kubevirt.io/v1/namespaces/x/virtualmachines")
                        .rule());
        assertThat(granted)
                .doesNotContain(rbac("PUT /apis/cdi.kubevirt.io/v1beta1/namespaces/x/datavolumes/d")
                        .rule());
        assertThat(
                        rbac(
                                "GET /apis/subresources.kubevirt.io/v1/namespaces/x/virtualmachineinstances/v/portforward/22/tcp"))
                .isEqualTo(new Rbac("subresources.kubevirt.io/virtualmachineinstances/portforward get", true));
        assertThat(rbac("GET /apis/storage.k8s.io/v1/storageclasses/fast"))
                .isEqualTo(new Rbac("storage.k8s.io/storageclasses get", false));
    }

    /**
     * Create from the catalog with a storage class, stop, start, re-create a VirtualMachine deleted by
     * hand, observe a running VMI and connect through its port-forward, read its console log, delete (with CDI's claim); create by cloning a DataSource and delete;
     * every request the provider sent (not the test's own).
     */
    private static List<String> lifecycleRequests() throws Exception {
        List<String> requests = new java.util.ArrayList<>();
        try (MockCluster cluster = new MockCluster()) {
            KubevirtCrds.install(cluster.client);
            cluster.client
                    .storage()
                    .v1()
                    .storageClasses()
                    .resource(new StorageClassBuilder()
                            .withNewMetadata()
                            .withName("fast")
                            .endMetadata()
                            .withProvisioner("example.invalid/test")
                            .build())
                    .create();
            cluster.client
                    .genericKubernetesResources(KubevirtApi.DATA_SOURCE)
                    .inNamespace(NS)
                    .resource(new GenericKubernetesResourceBuilder()
                            .withApiVersion("cdi.kubevirt.io/v1beta1")
                            .withKind("DataSource")
                            .withNewMetadata()
                            .withName("fedora")
                            .withNamespace(NS)
                            .endMetadata()
                            .build())
                    .create();
            try (KubevirtProvider provider = new KubevirtProvider(
                    cluster.client,
                    VmSpecs.settings(Map.of("storage-class", "fast")),
                    ImageCatalog.shipped(),
                    (spec, endpoint) -> new Observation.Running(endpoint, "fake probe"),
                    Clock.systemUTC(),
                    false,
                    VmSpecs.CONSOLE_DIR)) {
                cluster.takeRequests(); // the test's own
                WorkspaceSpec spec = VmSpecs.spec();
                KubevirtNames n = KubevirtNames.of(spec.owner(), spec.name());
                provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
                provider.apply(spec, PowerState.STOPPED, ProviderListener.NONE);
                provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
                requests.addAll(cluster.takeRequests());
                // The VirtualMachine deleted by hand, orphaning the rest: the next apply re-creates it and
                // patches the owner references of the Secret, Service and DataVolume.
                cluster.client
                        .genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE)
                        .inNamespace(NS)
                        .withName(n.virtualMachine())
                        .delete();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> cluster.client
                                        .genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE)
                                        .inNamespace(NS)
                                        .withName(n.virtualMachine())
                                        .get()
                                == null);
                cluster.takeRequests();
                provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
                requests.addAll(cluster.takeRequests());
                // What CDI and virt-controller would write (the test's own requests, dropped): the claim
                // of the DataVolume, its phase, the VM's status and a ready VMI.
                GenericKubernetesResource dv = cluster.client
                        .genericKubernetesResources(KubevirtApi.DATA_VOLUME)
                        .inNamespace(NS)
                        .withName(n.rootDisk())
                        .get();
                cluster.client
                        .persistentVolumeClaims()
                        .inNamespace(NS)
                        .resource(new PersistentVolumeClaimBuilder()
                                .withNewMetadata()
                                .withName(n.rootDisk())
                                .withNamespace(NS)
                                .addNewOwnerReference()
                                .withApiVersion("cdi.kubevirt.io/v1beta1")
                                .withKind("DataVolume")
                                .withName(dv.getMetadata().getName())
                                .withUid(dv.getMetadata().getUid())
                                .endOwnerReference()
                                .endMetadata()
                                .build())
                        .create();
                VirtControllers.running(cluster, n, "");
                cluster.takeRequests();
                // Running (service-routable false): a connection to the reported endpoint opens the VMI
                // port-forward's WebSocket (answered 404 by the CRUD mock: only the request matters here).
                SshEndpoint ssh = ((Observation.Running) provider.observe(spec)).ssh();
                try (Socket socket = new Socket(ssh.host(), ssh.port())) {
                    socket.setSoTimeout(10_000);
                    assertThat(socket.getInputStream().read()).isEqualTo(-1);
                }
                // The serial console: a connection to its socket opens the VMI console's WebSocket.
                Path console = provider.console(spec).orElseThrow().socket();
                try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(console))) {
                    assertThat(channel.read(ByteBuffer.allocate(1))).isEqualTo(-1);
                }
                requests.addAll(cluster.takeRequests());
                // The console log: the VMI's virt-launcher pod (written by the test, as virt-controller
                // would) by label, then its guest-console-log container's log (only the requests matter here).
                String vmiUid = cluster.client
                        .genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE_INSTANCE)
                        .inNamespace(NS)
                        .withName(n.virtualMachine())
                        .get()
                        .getMetadata()
                        .getUid();
                cluster.client
                        .pods()
                        .inNamespace(NS)
                        .resource(new PodBuilder()
                                .withNewMetadata()
                                .withName("virt-launcher-" + n.virtualMachine())
                                .addToLabels(LauncherConsoleLog.CREATED_BY, vmiUid)
                                .endMetadata()
                                .withNewSpec()
                                .addNewContainer()
                                .withName(LauncherConsoleLog.CONTAINER)
                                .endContainer()
                                .endSpec()
                                .build())
                        .create();
                cluster.takeRequests();
                try {
                    provider.consoleLog(spec, 10);
                } catch (ProviderException e) {
                    // the CRUD mock is no kubelet: what it answers for the log does not matter here
                }
                requests.addAll(cluster.takeRequests());
                deleteUntilAbsent(provider, spec);
                provider.observe(spec);
                WorkspaceSpec clone = VmSpecs.spec(Map.of("source-data-source", "fedora"));
                provider.apply(clone, PowerState.RUNNING, ProviderListener.NONE);
                deleteUntilAbsent(provider, clone);
                requests.addAll(cluster.takeRequests());
            }
        }
        return requests;
    }

    private static void deleteUntilAbsent(KubevirtProvider provider, WorkspaceSpec spec) {
        for (int call = 0; call < 3; call++) {
            if (provider.delete(spec, ProviderListener.NONE) instanceof Observation.Absent) return;
        }
        throw new AssertionError("workspace " + spec.name() + " not deleted after 3 delete calls");
    }

    private static Role role(String name) throws Exception {
        return rbacObjects().stream()
                .filter(Role.class::isInstance)
                .map(Role.class::cast)
                .filter(r -> r.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static ClusterRole clusterRole(String name) throws Exception {
        return rbacObjects().stream()
                .filter(ClusterRole.class::isInstance)
                .map(ClusterRole.class::cast)
                .filter(r -> r.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    /** @return the typed objects of deploy/base/rbac.yaml (fabric8 returns a List for multi-document YAML) */
    private static List<HasMetadata> rbacObjects() throws Exception {
        return RbacRequests.objects(DEPLOY.resolve("rbac.yaml"));
    }
}
