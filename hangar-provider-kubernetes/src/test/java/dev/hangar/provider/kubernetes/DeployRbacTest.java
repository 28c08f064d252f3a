package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.spi.WorkspaceTerminal;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Checks that deploy/base/rbac.yaml grants exactly what the provider uses: the provider runs a whole
 * lifecycle against fabric8's mock server in CRUD mode (standing in for the API server), every
 * request it sends is turned into the RBAC (resource, verb) the API server would authorize, and
 * that set is compared with the Role's rules.
 */
class DeployRbacTest {
    private static final Path DEPLOY = Path.of("..", "deploy", "base");
    private static final String NS = "hangar-test";

    @Test
    void roleGrantsExactlyTheVerbsTheProviderUses() throws Exception {
        Set<String> used = new TreeSet<>();
        ExecShellDispatcher api = new ExecShellDispatcher();
        try (MockCluster cluster = new MockCluster(api);
                KubernetesProvider provider =
                        new KubernetesProvider(cluster.client, Specs.settings(Map.of()), Clock.systemUTC(), false)) {
            WorkspaceSpec spec = Specs.spec(Map.of());
            provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
            provider.apply(spec, PowerState.STOPPED, ProviderListener.NONE);
            provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
            // The pod the StatefulSet controller and kubelet would make, first pending, then ready.
            Pod pod = WorkspacePods.ready(WorkspacePods.fromTemplate(cluster, NS, spec));
            cluster.client.pods().inNamespace(NS).resource(pod).create();
            provider.observe(spec); // not ready yet (status not written): reads events
            cluster.client.pods().inNamespace(NS).resource(pod).updateStatus();
            cluster.takeRequests(); // drop the test's own requests
            SshEndpoint ssh = ((Observation.Running) provider.observe(spec)).ssh();
            // A connection makes the forward open its WebSocket to pods/portforward.
            try (Socket socket = new Socket(ssh.host(), ssh.port())) {
                assertThat(socket.isConnected()).isTrue();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> cluster.server.getRequestCount() > 0 && hasPortForward(cluster, used));
            }
            // The console's terminal: an exec in the workspace container, resized once.
            try (WorkspaceTerminal.Session shell =
                    provider.terminal().orElseThrow().open(spec, WorkspaceTerminal.Size.DEFAULT)) {
                shell.resize(new WorkspaceTerminal.Size(120, 40));
                assertThat(api.execs.poll(10, TimeUnit.SECONDS)).contains("/exec?");
            }
            // By name first; then (the mock has no garbage collector) the sweep by label finds the pod.
            deleteUntilAbsent(provider, spec);
            for (String request : cluster.takeRequests()) used.add(rbac(request));
        }
        // The first run above dropped the test's own setup requests (and with them the provider's
        // early ones); a second, setup-free lifecycle contributes those.
        used.addAll(lifecycleRequests());

        Set<String> granted = RbacRequests.granted(role().getRules());
        // KEP-4006: API servers that also authorize the WebSocket upgrade as create (1.35+).
        Set<String> expected = new TreeSet<>(used);
        expected.add("pods/portforward create");
        expected.add("pods/exec create");
        assertThat(granted).isEqualTo(expected);
    }

    @Test
    void deployManifestsAreValidKubernetesObjects() throws Exception {
        List<String> kinds = new java.util.ArrayList<>();
        for (String file : List.of(
                "namespaces.yaml", "rbac.yaml", "config.yaml", "server.yaml", "pdb.yaml", "networkpolicy.yaml")) {
            objects(file)
                    .forEach(o -> kinds.add(o.getKind() + "/" + o.getMetadata().getName()));
        }
        assertThat(kinds)
                .containsExactlyInAnyOrder(
                        "Namespace/hangar",
                        "Namespace/hangar-workspaces",
                        "Namespace/hangar-vms",
                        "ServiceAccount/hangar-server",
                        "Role/hangar-workspaces",
                        "RoleBinding/hangar-server",
                        // the kubevirt provider's (KubevirtDeployRbacTest checks their rules)
                        "Role/hangar-vms",
                        "RoleBinding/hangar-server",
                        "ClusterRole/hangar-storageclass-reader",
                        "ClusterRoleBinding/hangar-server-storageclass-reader",
                        // leader election among the server's replicas (DeployOverlaysTest checks the rules)
                        "Role/hangar-leader-election",
                        "RoleBinding/hangar-leader-election",
                        // the keys replicas share (ADR 0014; DeployOverlaysTest checks the rules)
                        "Role/hangar-server-keys",
                        "RoleBinding/hangar-server-keys",
                        "ConfigMap/hangar-server",
                        "Deployment/hangar-server",
                        "Service/hangar",
                        "Service/hangar-ssh",
                        "PodDisruptionBudget/hangar-server",
                        "NetworkPolicy/hangar-server");
        assertThat(Files.readString(DEPLOY.resolve("kustomization.yaml")))
                .contains(
                        "namespaces.yaml", "rbac.yaml", "config.yaml", "server.yaml", "pdb.yaml", "networkpolicy.yaml");
    }

    /** Runs apply, stop, start, observe and delete once more and records every request. */
    private static Set<String> lifecycleRequests() throws Exception {
        Set<String> used = new TreeSet<>();
        try (MockCluster cluster = new MockCluster();
                KubernetesProvider provider =
                        new KubernetesProvider(cluster.client, Specs.settings(Map.of()), Clock.systemUTC(), false)) {
            WorkspaceSpec spec = Specs.spec(Map.of());
            provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
            provider.apply(spec, PowerState.STOPPED, ProviderListener.NONE);
            provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
            provider.observe(spec);
            for (String request : cluster.takeRequests()) used.add(rbac(request));
            // A StatefulSet deleted by hand (orphaning the rest): the next apply re-creates it and patches
            // the owner references of the Secret, claim and Service.
            String name = WorkspaceNames.of(spec.owner(), spec.name()).statefulSet();
            cluster.client.apps().statefulSets().inNamespace(NS).withName(name).delete();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> cluster.client
                                    .apps()
                                    .statefulSets()
                                    .inNamespace(NS)
                                    .withName(name)
                                    .get()
                            == null);
            cluster.takeRequests(); // the test's own requests
            provider.apply(spec, PowerState.RUNNING, ProviderListener.NONE);
            deleteUntilAbsent(provider, spec);
            provider.observe(spec);
            for (String request : cluster.takeRequests()) used.add(rbac(request));
        }
        return used;
    }

    private static void deleteUntilAbsent(KubernetesProvider provider, WorkspaceSpec spec) {
        for (int call = 0; call < 3; call++) {
            if (provider.delete(spec, ProviderListener.NONE) instanceof Observation.Absent) return;
        }
        throw new AssertionError("workspace not deleted after 3 delete calls");
    }

    private static boolean hasPortForward(MockCluster cluster, Set<String> used) throws InterruptedException {
        for (String request : cluster.takeRequests()) used.add(rbac(request));
        return used.contains("pods/portforward get");
    }

    /**
     * @return "[group/]resource[/sub] verb" the API server authorizes for "METHOD /path"; the Pod
     *     provider sends namespaced requests only (its Role cannot grant others)
     */
    static String rbac(String request) {
        RbacRequests.Rbac rbac = RbacRequests.rbac(request);
        assertThat(rbac.namespaced()).as("a namespaced request: %s", request).isTrue();
        return rbac.rule();
    }

    private static Role role() throws Exception {
        return objects("rbac.yaml").stream()
                .filter(Role.class::isInstance)
                .map(Role.class::cast)
                .filter(r -> r.getMetadata().getName().equals("hangar-workspaces"))
                .findFirst()
                .orElseThrow();
    }

    /** @return the typed objects of one deploy/base/ file */
    private static List<HasMetadata> objects(String file) throws Exception {
        return RbacRequests.objects(DEPLOY.resolve(file));
    }
}
