package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Builds the desired Kubernetes objects of a Pod workspace from a {@link WorkspaceSpec}. Pure: no
 * cluster access, same input gives equal output, thread-safe.
 *
 * <p>What it builds and why:
 *
 * <ul>
 *   <li><b>StatefulSet</b> with 0 or 1 replica: a stable pod name ({@code <base>-0}), and stop =
 *       scale to 0 keeps the volume (seed 003).
 *   <li><b>PersistentVolumeClaim</b> ({@code ReadWriteOnce}, {@code diskGiB} Gi) mounted at {@value
 *       #STORAGE_MOUNT}, with {@code HOME=/storage/home/<sshUser>}. Not at {@code /home/<user>}: the
 *       root of a fresh volume is owned by root (or group-writable through fsGroup), and sshd's
 *       {@code StrictModes} then refuses {@code ~/.ssh/authorized_keys}; one level down, the image's
 *       entrypoint creates the home itself with mode 0700 (seed 003).
 *   <li><b>Service</b> of type ClusterIP, port {@value #SERVICE_PORT} to container port {@value
 *       #SSH_PORT}: a stable address across pod restarts (seed 001).
 *   <li><b>Secret</b> {@code <base>-ssh} with {@code authorized_keys}, {@code ssh_host_<type>_key} and
 *       its {@code .pub}, mounted read-only at {@value #SSH_SECRET_MOUNT}; a hash of its content is a
 *       pod template annotation, so changed keys roll the pod.
 *   <li>Optional user Secrets projected read-only into {@value #USER_SECRETS_MOUNT} (seed 001).
 * </ul>
 *
 * <p>Security: the pod runs as {@code run-as-user} (non-root), {@code fsGroup} the same id, no
 * privilege escalation, every capability dropped, seccomp {@code RuntimeDefault}, no service
 * account token and no service environment variables. Only when the template sets {@code
 * privileged=true} <em>and</em> the provider setting {@code allow-privileged=true} is the
 * container privileged, with the node's {@code /dev/bus/usb} and {@code /sys} mounted for USB/IP
 * (seed 000).
 */
public final class WorkspaceManifests {
    /** Port sshd listens on inside the container (non-root cannot bind 22). */
    public static final int SSH_PORT = 2222;
    /** Port of the Service. */
    public static final int SERVICE_PORT = 22;
    /** Where the home volume is mounted. */
    public static final String STORAGE_MOUNT = "/storage";
    /** Where the SSH Secret is mounted. */
    public static final String SSH_SECRET_MOUNT = "/etc/hangar/ssh";
    /** Where user Secrets are mounted. */
    public static final String USER_SECRETS_MOUNT = "/var/secrets";
    /** Name of the workspace container. */
    public static final String CONTAINER = "workspace";

    /** {@code app.kubernetes.io/name} value of every workspace object. */
    public static final String APP_NAME = "hangar-workspace";

    public static final String LABEL_NAME = "app.kubernetes.io/name";
    public static final String LABEL_INSTANCE = "app.kubernetes.io/instance";
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String LABEL_WORKSPACE_ID = "hangar.dev/workspace-id";
    public static final String LABEL_OWNER = "hangar.dev/owner";
    public static final String ANNOTATION_CONFIG_HASH = "hangar.dev/ssh-config-hash";

    private static final Pattern POSIX_USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

    private final KubernetesSettings settings;

    /** @param settings the provider settings (namespace, privileges, storage class, uid) */
    public WorkspaceManifests(KubernetesSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Builds the workspace's objects.
     *
     * @param desired {@link PowerState#RUNNING} for 1 replica, {@link PowerState#STOPPED} for 0
     * @throws ProviderException (permanent) if the spec's settings are invalid, the ssh user is not a
     *     POSIX user name, or the template asks for {@code privileged=true} while the provider does
     *     not allow it
     */
    public WorkspaceObjects build(WorkspaceSpec spec, PowerState desired) {
        TemplateSettings template = TemplateSettings.parse(spec.settings());
        if (template.privileged() && !settings.allowPrivileged()) {
            throw new ProviderException(
                    "template '" + spec.template() + "' asks for a privileged pod (privileged=true, for USB/IP), but"
                            + " this server's kubernetes provider does not allow it; an administrator must set"
                            + " allow-privileged=true in the kubernetes provider settings, or use a template"
                            + " without privileged=true",
                    true);
        }
        if (!POSIX_USER.matcher(spec.sshUser()).matches()) {
            throw new ProviderException(
                    "ssh user '" + spec.sshUser() + "' is not a POSIX user name ([a-z_][a-z0-9_-]*, at most 32)", true);
        }
        if (!LABEL_VALUE.matcher(spec.id()).matches()) {
            throw new ProviderException("workspace id '" + spec.id() + "' cannot be a label value", true);
        }
        WorkspaceNames names = WorkspaceNames.of(spec.owner(), spec.name());
        Map<String, String> labels = labels(spec, names);
        Secret secret = sshSecret(spec, names, labels);
        return new WorkspaceObjects(
                statefulSet(spec, template, names, labels, secret, desired == PowerState.RUNNING ? 1 : 0),
                secret,
                homeClaim(spec, template, names, labels),
                service(names, labels));
    }

    /**
     * @return the labels every object of the workspace carries: {@code app.kubernetes.io/name},
     *     {@code /instance}, {@code /managed-by}, {@code hangar.dev/workspace-id} and {@code
     *     hangar.dev/owner}
     */
    public static Map<String, String> labels(WorkspaceSpec spec, WorkspaceNames names) {
        Map<String, String> labels = new TreeMap<>();
        labels.put(LABEL_NAME, APP_NAME);
        labels.put(LABEL_INSTANCE, names.base());
        labels.put(LABEL_MANAGED_BY, "hangar");
        labels.put(LABEL_WORKSPACE_ID, spec.id());
        labels.put(LABEL_OWNER, spec.owner());
        return labels;
    }

    /** @return the pod selector: the app name and the workspace id (immutable in a StatefulSet) */
    public static Map<String, String> selector(WorkspaceSpec spec) {
        Map<String, String> selector = new TreeMap<>();
        selector.put(LABEL_NAME, APP_NAME);
        selector.put(LABEL_WORKSPACE_ID, spec.id());
        return selector;
    }

    /** @return the home directory inside the container: {@code /storage/home/<sshUser>} */
    public static String home(String sshUser) {
        return STORAGE_MOUNT + "/home/" + sshUser;
    }

    /** @return the file name sshd expects for a host key of {@code algorithm}, e.g. {@code ssh_host_ed25519_key} */
    static String hostKeyFile(String algorithm) {
        String a = algorithm.toLowerCase(Locale.ROOT);
        String type;
        if (a.contains("ed25519")) type = "ed25519";
        else if (a.startsWith("ecdsa")) type = "ecdsa";
        else if (a.contains("rsa")) type = "rsa";
        else type = a.replaceAll("[^a-z0-9]", "_");
        return "ssh_host_" + type + "_key";
    }

    private ObjectMeta meta(String name, Map<String, String> labels) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(settings.namespace())
                .withLabels(labels)
                .build();
    }

    private Secret sshSecret(WorkspaceSpec spec, WorkspaceNames names, Map<String, String> labels) {
        String keyFile = hostKeyFile(spec.hostKey().algorithm());
        Map<String, String> data = new TreeMap<>();
        StringBuilder keys = new StringBuilder();
        for (String key : spec.authorizedKeys()) keys.append(key.strip()).append('\n');
        data.put("authorized_keys", base64(keys.toString()));
        data.put(keyFile, base64(withNewline(spec.hostKey().privateKeyOpenSsh())));
        data.put(keyFile + ".pub", base64(withNewline(spec.hostKey().publicKey())));
        // the host certificate the core signed; the image's entrypoint adds HostCertificate for it
        data.put(keyFile + "-cert.pub", base64(withNewline(spec.hostCertificate())));
        // "data" rather than "stringData": the API server never returns stringData, so a merge apply
        // comparing desired with live would see a difference on every pass.
        return new SecretBuilder()
                .withMetadata(meta(names.sshSecret(), labels))
                .withType("Opaque")
                .withData(data)
                .build();
    }

    private PersistentVolumeClaim homeClaim(
            WorkspaceSpec spec, TemplateSettings template, WorkspaceNames names, Map<String, String> labels) {
        String storageClass = template.storageClass().isEmpty() ? settings.storageClass() : template.storageClass();
        return new PersistentVolumeClaimBuilder()
                .withMetadata(meta(names.homeClaim(), labels))
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withVolumeMode("Filesystem")
                .withStorageClassName(storageClass.isEmpty() ? null : storageClass)
                .withNewResources()
                .addToRequests("storage", new Quantity(spec.resources().diskGiB() + "Gi"))
                .endResources()
                .endSpec()
                .build();
    }

    private Service service(WorkspaceNames names, Map<String, String> labels) {
        return new ServiceBuilder()
                .withMetadata(meta(names.service(), labels))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(selectorOf(labels))
                .addNewPort()
                .withName("ssh")
                .withProtocol("TCP")
                .withPort(SERVICE_PORT)
                .withTargetPort(new IntOrString(SSH_PORT))
                .endPort()
                .endSpec()
                .build();
    }

    private static Map<String, String> selectorOf(Map<String, String> labels) {
        Map<String, String> selector = new TreeMap<>();
        selector.put(LABEL_NAME, labels.get(LABEL_NAME));
        selector.put(LABEL_WORKSPACE_ID, labels.get(LABEL_WORKSPACE_ID));
        return selector;
    }

    private StatefulSet statefulSet(
            WorkspaceSpec spec,
            TemplateSettings template,
            WorkspaceNames names,
            Map<String, String> labels,
            Secret secret,
            int replicas) {
        boolean privileged = template.privileged();
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
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
        LinkedHashSet<String> userSecrets = new LinkedHashSet<>(settings.secrets());
        userSecrets.addAll(template.secrets());
        if (!userSecrets.isEmpty()) {
            // One projected volume so that several Secrets share /var/secrets, as seed 001's single
            // kuul-secret did.
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
        }
        if (privileged) {
            volumes.add(hostPath("usb", "/dev/bus/usb", "DirectoryOrCreate"));
            volumes.add(hostPath("sys", "/sys", "Directory"));
            mounts.add(mount("usb", "/dev/bus/usb", false));
            mounts.add(mount("sys", "/sys", false));
        }

        Map<String, String> annotations = new TreeMap<>();
        annotations.put(ANNOTATION_CONFIG_HASH, configHash(secret));

        return new StatefulSetBuilder()
                .withMetadata(meta(names.statefulSet(), labels))
                .withNewSpec()
                .withReplicas(replicas)
                .withServiceName(names.service())
                .withRevisionHistoryLimit(2)
                .withNewSelector()
                .withMatchLabels(selectorOf(labels))
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

    private Container container(WorkspaceSpec spec, TemplateSettings template, List<VolumeMount> mounts) {
        Resources r = spec.resources();
        Map<String, Quantity> amounts = new LinkedHashMap<>();
        amounts.put("cpu", new Quantity(Integer.toString(r.cpus())));
        amounts.put("memory", new Quantity(memory(r.memoryMiB())));
        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(spec.image())
                .withImagePullPolicy(template.imagePullPolicy())
                .withEnv(
                        new EnvVar("HANGAR_USER", spec.sshUser(), null),
                        new EnvVar("HOME", home(spec.sshUser()), null),
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

    private static String configHash(Secret secret) {
        StringBuilder all = new StringBuilder();
        new TreeMap<>(secret.getData())
                .forEach((k, v) -> all.append(k).append('=').append(v).append('\n'));
        return WorkspaceNames.sha256Hex(all.toString()).substring(0, 16);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String withNewline(String text) {
        return text.endsWith("\n") ? text : text + "\n";
    }
}
