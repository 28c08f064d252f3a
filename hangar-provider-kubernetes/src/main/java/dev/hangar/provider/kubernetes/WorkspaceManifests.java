package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Builds the desired Kubernetes objects of a Pod workspace from a {@link WorkspaceSpec}: checks the
 * spec, derives the names ({@link WorkspaceNames}) and labels ({@link #labels}) every object shares,
 * and has one builder per object make it. Pure: no cluster access, same input gives equal output,
 * thread-safe.
 *
 * <p>What it builds and why:
 *
 * <ul>
 *   <li><b>StatefulSet</b> with 0 or 1 replica ({@link StatefulSetManifests}): a stable pod name
 *       ({@code <base>-0}), and stop = scale to 0 keeps the volume (seed 003).
 *   <li><b>PersistentVolumeClaim</b> ({@link HomeClaimManifests}; {@code ReadWriteOnce}, {@code
 *       diskGiB} Gi) mounted at {@value #STORAGE_MOUNT}, with {@code HOME=/storage/home/<sshUser>}.
 *       Not at {@code /home/<user>}: the root of a fresh volume is owned by root (or group-writable
 *       through fsGroup), and sshd's {@code StrictModes} then refuses {@code ~/.ssh/authorized_keys};
 *       one level down, the image's entrypoint creates the home itself with mode 0700 (seed 003).
 *   <li><b>Service</b> ({@link SshServiceManifests}) of type ClusterIP, port {@value #SERVICE_PORT}
 *       to container port {@value #SSH_PORT}: a stable address across pod restarts (seed 001).
 *   <li><b>Secret</b> {@code <base>-ssh} ({@link SshSecretManifests}) with {@code authorized_keys},
 *       {@code ssh_host_<type>_key}, its {@code .pub} and its {@code -cert.pub}, mounted read-only at
 *       {@value #SSH_SECRET_MOUNT}; a hash of its content is a pod template annotation ({@value
 *       #ANNOTATION_CONFIG_HASH}), so changed keys roll the pod.
 *   <li><b>Secret</b> {@code <base>-secrets} ({@link UserSecretManifests}) with the owner's Hangar
 *       secrets (issue #15, item 7), and optional further Secrets named by the provider or template
 *       settings (seed 001), projected together read-only into {@value #USER_SECRETS_MOUNT}.
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

    /** Label naming the application: {@value #APP_NAME} on every workspace object. */
    public static final String LABEL_NAME = "app.kubernetes.io/name";
    /** Label holding the workspace's base name ({@link WorkspaceNames#base()}). */
    public static final String LABEL_INSTANCE = "app.kubernetes.io/instance";
    /** Label naming the manager: {@code hangar}. */
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    /** Label holding the workspace id; with {@link #LABEL_NAME} it selects the workspace's pod. */
    public static final String LABEL_WORKSPACE_ID = "hangar.dev/workspace-id";
    /** Label holding the owning user's name. */
    public static final String LABEL_OWNER = "hangar.dev/owner";
    /** Pod template annotation holding a hash of the SSH Secret's data ({@link SshSecretManifests#configHash}). */
    public static final String ANNOTATION_CONFIG_HASH = "hangar.dev/ssh-config-hash";

    private static final Pattern POSIX_USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

    private final KubernetesSettings settings;
    private final StatefulSetManifests statefulSet;
    private final SshSecretManifests sshSecret;
    private final HomeClaimManifests homeClaim;
    private final SshServiceManifests service;
    private final UserSecretManifests userSecrets;

    /** @param settings the provider settings (namespace, privileges, storage class, uid) */
    public WorkspaceManifests(KubernetesSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.statefulSet = new StatefulSetManifests(settings);
        this.sshSecret = new SshSecretManifests(settings);
        this.homeClaim = new HomeClaimManifests(settings);
        this.service = new SshServiceManifests(settings);
        this.userSecrets = new UserSecretManifests(settings);
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
        Secret secret = sshSecret.build(spec, names, labels);
        int replicas = desired == PowerState.RUNNING ? 1 : 0;
        return new WorkspaceObjects(
                statefulSet.build(spec, template, names, labels, SshSecretManifests.configHash(secret), replicas),
                secret,
                homeClaim.build(spec, template, names, labels),
                service.build(names, labels),
                userSecrets.build(spec, names, labels));
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

    /**
     * @return the metadata of a new workspace object: {@code name}, {@code namespace} and {@code
     *     labels} (the map itself, not a copy), nothing else
     */
    static ObjectMeta meta(String namespace, String name, Map<String, String> labels) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(labels)
                .build();
    }

    /**
     * @param labels the workspace labels ({@link #labels})
     * @return the pod selector taken from them: {@code app.kubernetes.io/name} and {@code
     *     hangar.dev/workspace-id}, equal to {@link #selector} of the same spec
     */
    static Map<String, String> selectorOf(Map<String, String> labels) {
        Map<String, String> selector = new TreeMap<>();
        selector.put(LABEL_NAME, labels.get(LABEL_NAME));
        selector.put(LABEL_WORKSPACE_ID, labels.get(LABEL_WORKSPACE_ID));
        return selector;
    }
}
