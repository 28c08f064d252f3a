package dev.hangar.testing.k8s;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hangar.provider.kubernetes.WorkspaceManifests;
import dev.hangar.provider.kubevirt.KubevirtManifests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The virt-launcher pod of {@link KubevirtStandIn}: a TEST STAND-IN for the pod KubeVirt runs per
 * VMI, whose "guest" is the project's workspace image (sshd as the non-root uid 1000 on 2222, the
 * Pod provider's image contract, {@code images/workspace/}) instead of a VM booted from the root
 * disk, because no VM can run here.
 *
 * <p>What it takes from where KubeVirt's guest would: the login user, its {@code
 * ssh_authorized_keys} and the pinned host key and certificate ({@code ssh_keys}) from the
 * user-data in the cloud-init Secret the provider wrote (cloud-init would install them in the
 * guest); the DataVolume's PersistentVolumeClaim mounted at {@code /storage}, which holds the
 * user's home (the guest's root disk would), so files survive stop and start; the VM template's
 * labels, node selector and tolerations (virt-controller copies them to the pod), so the provider's
 * ClusterIP Service selects it. Its labels {@code kubevirt.io=virt-launcher} and {@code
 * kubevirt.io/created-by=<VMI uid>} are KubeVirt's, and it is owned by the VMI.
 *
 * <p>Two containers: {@code compute} runs the image's entrypoint and sshd; {@code masquerade} stands
 * in for virt-launcher's masquerade binding, which forwards the pod's port 22 to the guest's: a
 * small Perl relay (perl-base is in every Debian image) from port 22 of the pod to sshd on 2222, as
 * root, since the non-root sshd cannot bind port 22. The user-data's keys go to a Secret {@code
 * <vmi>-launcher-<uid prefix>} (one per VMI, owned by it, so the garbage collector removes it with
 * the VMI; labelled as the pod) laid out
 * as the image's entrypoint reads it ({@code authorized_keys}, {@code ssh_host_<type>_key}, {@code
 * .pub}, {@code -cert.pub}).
 */
final class StandInLauncher {
    /** KubeVirt's label on the virt-launcher pod: the uid of the VMI it runs. */
    static final String CREATED_BY = "kubevirt.io/created-by";
    /** KubeVirt's label key and value of its virt-launcher pods (also on the stand-in's Secrets). */
    static final String LAUNCHER_LABEL = "kubevirt.io";

    static final String LAUNCHER = "virt-launcher";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final int GUEST_SSH_PORT = 2222;
    private static final long UID = 1000;
    /** The pod's port 22 to the guest's sshd; SIGTERM ends it at once (PID 1 ignores it otherwise). */
    private static final String MASQUERADE = """
            use strict; use IO::Socket::INET; use IO::Select;
            $SIG{TERM} = sub { exit 0 }; $SIG{CHLD} = 'IGNORE';
            my $l = IO::Socket::INET->new(LocalPort => 22, Listen => 16, ReuseAddr => 1) or die "listen 22: $!";
            while (1) {
              my $c = $l->accept or next;
              if (fork) { close $c; next }
              close $l;
              my $g = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => %d) or exit 1;
              my $s = IO::Select->new($c, $g);
              while (my @r = $s->can_read) {
                for my $from (@r) {
                  my $to = $from == $c ? $g : $c;
                  my $n = sysread($from, my $buf, 65536);
                  exit 0 unless $n;
                  my $off = 0;
                  while ($off < $n) { my $w = syswrite($to, $buf, $n - $off, $off); exit 0 unless defined $w; $off += $w }
                }
              }
            }
            """.formatted(GUEST_SSH_PORT);

    private final KubernetesClient client;
    private final String namespace;
    private final String image;

    /**
     * @param image the workspace image on the node (imagePullPolicy Never)
     */
    StandInLauncher(KubernetesClient client, String namespace, String image) {
        this.client = client;
        this.namespace = namespace;
        this.image = image;
    }

    /** @return the launcher pod of {@code vmi}, if there is one */
    Optional<Pod> find(GenericKubernetesResource vmi) {
        return client
                .pods()
                .inNamespace(namespace)
                .withLabel(CREATED_BY, vmi.getMetadata().getUid())
                .list()
                .getItems()
                .stream()
                .findFirst();
    }

    /** @return every launcher pod in the namespace */
    List<Pod> all() {
        return client.pods()
                .inNamespace(namespace)
                .withLabel(LAUNCHER_LABEL, LAUNCHER)
                .list()
                .getItems();
    }

    /** @return every launcher's Secret in the namespace */
    List<Secret> secrets() {
        return client.secrets()
                .inNamespace(namespace)
                .withLabel(LAUNCHER_LABEL, LAUNCHER)
                .list()
                .getItems();
    }

    /**
     * Creates the launcher's Secret and pod for {@code vmi} of {@code vm}.
     *
     * @throws IllegalStateException when the VM names no cloud-init Secret or its user-data has no user
     */
    void start(GenericKubernetesResource vm, GenericKubernetesResource vmi) {
        Map<String, Object> templateSpec =
                map(map(map(vm.getAdditionalProperties().get("spec")).get("template"))
                        .get("spec"));
        Guest guest = guest(cloudInitSecret(templateSpec));
        String name = vmi.getMetadata().getName();
        OwnerReference owner = new OwnerReferenceBuilder()
                .withApiVersion(vmi.getApiVersion())
                .withKind(vmi.getKind())
                .withName(name)
                .withUid(vmi.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
        // One Secret per VMI (its uid in the name): the previous VMI's, which the garbage collector is
        // removing, is never reused by the next start.
        String secret = name + "-launcher-" + vmi.getMetadata().getUid().substring(0, 8);
        client.secrets()
                .inNamespace(namespace)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(secret)
                        .withLabels(Map.of(
                                LAUNCHER_LABEL,
                                LAUNCHER,
                                CREATED_BY,
                                vmi.getMetadata().getUid()))
                        .withOwnerReferences(owner)
                        .endMetadata()
                        .withStringData(guest.files())
                        .build())
                .createOr(op -> op.update());
        Map<String, String> labels = new LinkedHashMap<>(vmi.getMetadata().getLabels());
        labels.put(LAUNCHER_LABEL, LAUNCHER);
        labels.put(CREATED_BY, vmi.getMetadata().getUid());
        Map<String, String> nodeSelector = new LinkedHashMap<>();
        map(templateSpec.get("nodeSelector")).forEach((k, v) -> nodeSelector.put(k, String.valueOf(v)));
        List<Toleration> tolerations = templateSpec.get("tolerations") instanceof List<?> l
                ? l.stream().map(t -> YAML.convertValue(t, Toleration.class)).toList()
                : List.of();
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withGenerateName("virt-launcher-" + name + "-")
                .withLabels(labels)
                .withOwnerReferences(owner)
                .endMetadata()
                .withNewSpec()
                .withNodeSelector(nodeSelector)
                .withTolerations(tolerations)
                .withTerminationGracePeriodSeconds(2L)
                .withNewSecurityContext()
                .withFsGroup(UID)
                .endSecurityContext()
                .addNewContainer()
                .withName("compute")
                .withImage(image)
                .withImagePullPolicy("Never")
                .addNewEnv()
                .withName("HANGAR_USER")
                .withValue(guest.user())
                .endEnv()
                // The Pod provider's layout of the image contract: the home one level below the volume.
                .addNewEnv()
                .withName("HOME")
                .withValue(WorkspaceManifests.home(guest.user()))
                .endEnv()
                .withNewSecurityContext()
                .withRunAsUser(UID)
                .withRunAsGroup(UID)
                .endSecurityContext()
                .addNewPort()
                .withContainerPort(GUEST_SSH_PORT)
                .endPort()
                .withNewReadinessProbe()
                .withNewTcpSocket()
                .withPort(new IntOrString(GUEST_SSH_PORT))
                .endTcpSocket()
                .withPeriodSeconds(1)
                .endReadinessProbe()
                .addNewVolumeMount()
                .withName("rootdisk")
                .withMountPath("/storage")
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("ssh")
                .withMountPath("/etc/hangar/ssh")
                .withReadOnly(true)
                .endVolumeMount()
                .endContainer()
                .addNewContainer()
                .withName("masquerade")
                .withImage(image)
                .withImagePullPolicy("Never")
                .withCommand("perl", "-e", MASQUERADE)
                .withNewSecurityContext()
                .withRunAsUser(0L)
                .endSecurityContext()
                .addNewPort()
                .withContainerPort(KubevirtManifests.SSH_PORT)
                .endPort()
                .endContainer()
                .addNewVolume()
                .withName("rootdisk")
                .withNewPersistentVolumeClaim()
                .withClaimName(rootClaim(templateSpec))
                .endPersistentVolumeClaim()
                .endVolume()
                .addNewVolume()
                .withName("ssh")
                .withNewSecret()
                .withSecretName(secret)
                .endSecret()
                .endVolume()
                .endSpec()
                .build();
        client.pods().inNamespace(namespace).resource(pod).create();
    }

    /** @return whether the pod runs and its guest sshd accepts connections (its Ready condition) */
    static boolean ready(Pod pod) {
        return pod.getStatus() != null
                && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** @return whether every container of the pod has terminated (none is waiting or running) */
    static boolean terminated(Pod pod) {
        return pod.getStatus() != null
                && pod.getStatus().getContainerStatuses() != null
                && !pod.getStatus().getContainerStatuses().isEmpty()
                && pod.getStatus().getContainerStatuses().stream()
                        .allMatch(c -> c.getState() != null && c.getState().getTerminated() != null);
    }

    /** The login user and sshd's files, as cloud-init would install them from the user-data. */
    record Guest(String user, Map<String, String> files) {}

    private Secret cloudInitSecret(Map<String, Object> templateSpec) {
        if (templateSpec.get("volumes") instanceof List<?> volumes) {
            for (Object v : volumes) {
                Object ref = map(map(map(v).get("cloudInitNoCloud")).get("secretRef"))
                        .get("name");
                if (ref != null) {
                    Secret secret = client.secrets()
                            .inNamespace(namespace)
                            .withName(String.valueOf(ref))
                            .get();
                    if (secret == null) throw new IllegalStateException("cloud-init Secret " + ref + " is missing");
                    return secret;
                }
            }
        }
        throw new IllegalStateException("the VM template has no cloudInitNoCloud volume with a secretRef");
    }

    /**
     * @return the first user of the user-data with its authorized keys, and each {@code
     *     <type>_private}, {@code _public} and {@code _certificate} of {@code ssh_keys} as sshd's
     *     host key files
     */
    @SuppressWarnings("unchecked")
    static Guest guest(Secret cloudInit) {
        String userData = new String(
                Base64.getDecoder().decode(cloudInit.getData().get(KubevirtManifests.USER_DATA_KEY)),
                StandardCharsets.UTF_8);
        Map<String, Object> doc;
        try {
            doc = YAML.readValue(userData, Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException("the cloud-init user-data is not YAML", e);
        }
        if (!(doc.get("users") instanceof List<?> users) || users.isEmpty()) {
            throw new IllegalStateException("the cloud-init user-data names no user");
        }
        Map<String, Object> user = map(users.getFirst());
        Map<String, String> files = new LinkedHashMap<>();
        List<?> keys = user.get("ssh_authorized_keys") instanceof List<?> k ? k : List.of();
        files.put(
                "authorized_keys",
                String.join("\n", keys.stream().map(String::valueOf).toList()) + "\n");
        map(doc.get("ssh_keys")).forEach((key, value) -> {
            String text = String.valueOf(value).strip();
            int cut = key.lastIndexOf('_');
            if (cut < 0 || text.isEmpty()) return;
            String file = "ssh_host_" + key.substring(0, cut) + "_key";
            switch (key.substring(cut + 1)) {
                case "private" -> files.put(file, text + "\n");
                case "public" -> files.put(file + ".pub", text + "\n");
                case "certificate" -> files.put(file + "-cert.pub", text + "\n");
                default -> {}
            }
        });
        return new Guest(String.valueOf(user.get("name")), files);
    }

    /** @return the claim of the VM's first {@code dataVolume} volume (CDI names it after the DataVolume) */
    private static String rootClaim(Map<String, Object> templateSpec) {
        if (templateSpec.get("volumes") instanceof List<?> volumes) {
            for (Object v : volumes) {
                Object dv = map(map(v).get("dataVolume")).get("name");
                if (dv != null) return String.valueOf(dv);
            }
        }
        throw new IllegalStateException("the VM template has no dataVolume volume");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
