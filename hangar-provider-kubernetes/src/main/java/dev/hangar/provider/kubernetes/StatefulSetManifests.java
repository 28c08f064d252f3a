package dev.hangar.provider.kubernetes;

import static dev.hangar.provider.kubernetes.WorkspaceManifests.ANNOTATION_CONFIG_HASH;
import static dev.hangar.provider.kubernetes.WorkspaceManifests.CONTAINER;
import static dev.hangar.provider.kubernetes.WorkspaceManifests.SSH_PORT;
import static dev.hangar.provider.kubernetes.WorkspaceManifests.SSH_SECRET_MOUNT;
import static dev.hangar.provider.kubernetes.WorkspaceManifests.STORAGE_MOUNT;
import static dev.hangar.provider.kubernetes.WorkspaceManifests.USER_SECRETS_MOUNT;

import dev.hangar.provider.spi.DeviceRequest;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Builds a workspace's StatefulSet ({@code apps/v1/StatefulSet} {@link WorkspaceNames#statefulSet()})
 * and its pod template: the one object whose {@code replicas} (0 or 1) is the workspace's power
 * state, giving a stable pod name ({@code <base>-0}).
 *
 * <p>The pod template:
 *
 * <ul>
 *   <li><b>metadata</b>: the workspace labels, and the annotation {@value
 *       WorkspaceManifests#ANNOTATION_CONFIG_HASH} = the SSH Secret's hash, so changed keys roll the
 *       pod.
 *   <li><b>volumes</b>: the home claim at {@value WorkspaceManifests#STORAGE_MOUNT}; the SSH Secret
 *       read-only at {@value WorkspaceManifests#SSH_SECRET_MOUNT} with {@code defaultMode 0440}; the
 *       workspace's user-secrets Secret ({@link WorkspaceNames#userSecrets()}) and the provider's and
 *       the template's user Secrets as one projected volume read-only at {@value
 *       WorkspaceManifests#USER_SECRETS_MOUNT} ({@code defaultMode 0440}); and only when privileged, the
 *       node's {@code /dev/bus/usb} and {@code /sys} as hostPath volumes (for USB/IP).
 *   <li><b>pod securityContext</b>: {@code runAsNonRoot}, {@code runAsUser}, {@code runAsGroup} and
 *       {@code fsGroup} = the provider's {@code run-as-user}, {@code fsGroupChangePolicy
 *       OnRootMismatch}, seccomp {@code RuntimeDefault}; {@code automountServiceAccountToken} and
 *       {@code enableServiceLinks} false; {@code terminationGracePeriodSeconds} 30; the template's
 *       {@code nodeSelector} and {@code tolerations} (unset when empty).
 *   <li><b>container</b> {@value WorkspaceManifests#CONTAINER}: the spec's image and the template's
 *       pull policy; env {@code HANGAR_USER}, {@code HOME} ({@link WorkspaceManifests#home}), {@code
 *       HANGAR_SSH_DIR}, {@code HANGAR_SSH_PORT}; container port {@value
 *       WorkspaceManifests#SSH_PORT} with a TCP readiness probe on it (period 5 s, 3 failures);
 *       requests = limits = the spec's CPUs (whole cores) and memory ({@link #memory}) and each of the
 *       spec's devices as an extended resource with its whole count (Kubernetes requires requests to
 *       equal limits for extended resources; docs/devices.md); unprivileged
 *       it drops every capability, forbids privilege escalation and uses seccomp {@code
 *       RuntimeDefault}; privileged it is {@code privileged} with privilege escalation allowed (the
 *       API refuses privileged without it; the user needs sudo for {@code usbip attach}).
 * </ul>
 *
 * <p>Does not check whether privileged is allowed: {@link WorkspaceManifests#build} does. Pure: no
 * cluster access, same input gives equal output, thread-safe.
 */
final class StatefulSetManifests {
    private final KubernetesSettings settings;

    /** @param settings the provider settings: namespace, default user Secrets and run-as-user are used */
    StatefulSetManifests(KubernetesSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * @param spec the workspace: image, ssh user and resources
     * @param template the template's parsed settings: privileged, user Secrets, node selector,
     *     tolerations and image pull policy
     * @param names the workspace's object names (the claim, Secret and Service it refers to)
     * @param labels the labels every workspace object carries ({@link WorkspaceManifests#labels}); the
     *     selector is taken from them
     * @param sshConfigHash the SSH Secret's {@link SshSecretManifests#configHash}, for the pod template
     *     annotation
     * @param replicas 1 for a running workspace, 0 for a stopped one
     * @return a new StatefulSet in the provider's namespace
     */
    StatefulSet build(
            WorkspaceSpec spec,
            TemplateSettings template,
            WorkspaceNames names,
            Map<String, String> labels,
            String sshConfigHash,
            int replicas) {
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        addVolumes(template, names, volumes, mounts);

        Map<String, String> annotations = new TreeMap<>();
        annotations.put(ANNOTATION_CONFIG_HASH, sshConfigHash);

        return new StatefulSetBuilder()
                .withMetadata(WorkspaceManifests.meta(settings.namespace(), names.statefulSet(), labels))
                .withNewSpec()
                .withReplicas(replicas)
                .withServiceName(names.service())
                .withRevisionHistoryLimit(2)
                .withNewSelector()
                .withMatchLabels(WorkspaceManifests.selectorOf(labels))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels)
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withTerminationGracePeriodSeconds(30L)
                .withSecurityContext(new PodSecurityContextBuilder()
                        .withRunAsNonRoot(true)
                        .withRunAsUser(settings.runAsUser())
                        .withRunAsGroup(settings.runAsUser())
                        .withFsGroup(settings.runAsUser())
                        .withFsGroupChangePolicy("OnRootMismatch")
                        .withNewSeccompProfile()
                        .withType("RuntimeDefault")
                        .endSeccompProfile()
                        .build())
                .withNodeSelector(template.nodeSelector().isEmpty() ? null : new TreeMap<>(template.nodeSelector()))
                .withTolerations(template.tolerations().isEmpty() ? null : template.tolerations())
                .withContainers(container(spec, template, mounts))
                .withVolumes(volumes)
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private void addVolumes(
            TemplateSettings template, WorkspaceNames names, List<Volume> volumes, List<VolumeMount> mounts) {
        volumes.add(new VolumeBuilder()
                .withName("home")
                .withNewPersistentVolumeClaim()
                .withClaimName(names.homeClaim())
                .endPersistentVolumeClaim()
                .build());
        mounts.add(mount("home", STORAGE_MOUNT, false));
        // 0440 with fsGroup = the user's gid: readable by the workspace user only; the entrypoint copies
        // the files into a 0700 directory because sshd refuses group-readable private host keys.
        volumes.add(new VolumeBuilder()
                .withName("ssh")
                .withNewSecret()
                .withSecretName(names.sshSecret())
                .withDefaultMode(0440)
                .endSecret()
                .build());
        mounts.add(mount("ssh", SSH_SECRET_MOUNT, true));
        LinkedHashSet<String> userSecrets = new LinkedHashSet<>();
        userSecrets.add(names.userSecrets()); // the owner's Hangar secrets, always (empty without any)
        userSecrets.addAll(settings.secrets());
        userSecrets.addAll(template.secrets());
        // One projected volume so that several Secrets share /var/secrets, as seed 001's single
        // kuul-secret did. Mode 0440 with fsGroup = the workspace user's own gid: kubelet writes Secret
        // files as root:<fsGroup>, so 0400 would leave them readable by root only; 0440 makes them
        // readable by the workspace user (the only member of that group) and nobody else.
        volumes.add(new VolumeBuilder()
                .withName("user-secrets")
                .withNewProjected()
                .withDefaultMode(0440)
                .withSources(userSecrets.stream()
                        .map(name -> new VolumeProjectionBuilder()
                                .withNewSecret()
                                .withName(name)
                                .endSecret()
                                .build())
                        .toList())
                .endProjected()
                .build());
        mounts.add(mount("user-secrets", USER_SECRETS_MOUNT, true));
        if (template.privileged()) {
            volumes.add(hostPath("usb", "/dev/bus/usb", "DirectoryOrCreate"));
            volumes.add(hostPath("sys", "/sys", "Directory"));
            mounts.add(mount("usb", "/dev/bus/usb", false));
            mounts.add(mount("sys", "/sys", false));
        }
    }

    private static Container container(WorkspaceSpec spec, TemplateSettings template, List<VolumeMount> mounts) {
        Resources r = spec.resources();
        Map<String, Quantity> amounts = new LinkedHashMap<>();
        amounts.put("cpu", new Quantity(Integer.toString(r.cpus())));
        amounts.put("memory", new Quantity(memory(r.memoryMiB())));
        for (DeviceRequest d : spec.devices()) amounts.put(d.name(), new Quantity(Integer.toString(d.count())));
        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(spec.image())
                .withImagePullPolicy(template.imagePullPolicy())
                .withEnv(
                        new EnvVar("HANGAR_USER", spec.sshUser(), null),
                        new EnvVar("HOME", WorkspaceManifests.home(spec.sshUser()), null),
                        new EnvVar("HANGAR_SSH_DIR", SSH_SECRET_MOUNT, null),
                        new EnvVar("HANGAR_SSH_PORT", Integer.toString(SSH_PORT), null))
                .addNewPort()
                .withName("ssh")
                .withContainerPort(SSH_PORT)
                .withProtocol("TCP")
                .endPort()
                // Ready = sshd accepts TCP on 2222; the provider reports Running only when Ready.
                .withNewReadinessProbe()
                .withNewTcpSocket()
                .withPort(new IntOrString(SSH_PORT))
                .endTcpSocket()
                .withPeriodSeconds(5)
                .withFailureThreshold(3)
                .endReadinessProbe()
                .withNewResources()
                .withRequests(new LinkedHashMap<>(amounts))
                .withLimits(new LinkedHashMap<>(amounts))
                .endResources()
                .withSecurityContext(containerSecurity(template.privileged()))
                .withVolumeMounts(mounts)
                .build();
    }

    private static SecurityContext containerSecurity(boolean privileged) {
        if (privileged) {
            // The API rejects privileged=true with allowPrivilegeEscalation=false; the user needs sudo in
            // the workspace for `usbip attach`.
            return new SecurityContextBuilder()
                    .withPrivileged(true)
                    .withAllowPrivilegeEscalation(true)
                    .build();
        }
        return new SecurityContextBuilder()
                .withPrivileged(false)
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build();
    }

    /**
     * @param mib memory in MiB (binary mebibytes)
     * @return a memory quantity in the form the API server prints it back ({@code 4Gi} rather than
     *     {@code 4096Mi}), so that comparing desired and live objects does not see a false difference
     */
    static String memory(int mib) {
        return mib % 1024 == 0 ? (mib / 1024) + "Gi" : mib + "Mi";
    }

    private static Volume hostPath(String name, String path, String type) {
        return new VolumeBuilder()
                .withName(name)
                .withNewHostPath()
                .withPath(path)
                .withType(type)
                .endHostPath()
                .build();
    }

    private static VolumeMount mount(String name, String path, boolean readOnly) {
        return new VolumeMountBuilder()
                .withName(name)
                .withMountPath(path)
                .withReadOnly(readOnly ? Boolean.TRUE : null)
                .build();
    }
}
