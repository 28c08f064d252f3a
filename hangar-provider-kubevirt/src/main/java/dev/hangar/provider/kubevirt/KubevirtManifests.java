package dev.hangar.provider.kubevirt;

import dev.hangar.provider.kubernetes.WorkspaceManifests;
import dev.hangar.provider.kubernetes.WorkspaceNames;
import dev.hangar.provider.spi.DeviceRequest;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.vm.CatalogImage;
import dev.hangar.provider.vm.CloudInitUserData;
import dev.hangar.provider.vm.ImageCatalog;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Builds the desired objects of a KubeVirt workspace from a {@link WorkspaceSpec}: checks the spec,
 * derives names ({@link KubevirtNames}) and the labels every object carries (the Pod provider's
 * {@link WorkspaceManifests#labels}: {@code app.kubernetes.io/name}, {@code /instance}, {@code
 * /managed-by}, {@code hangar.dev/workspace-id}, {@code hangar.dev/owner}), and has one builder per
 * object make it:
 *
 * <ul>
 *   <li>the VirtualMachine ({@link VirtualMachineManifests});
 *   <li>the root disk DataVolume ({@link DataVolumeManifests});
 *   <li>the Secret {@code <base>-cloudinit} with key {@value #USER_DATA_KEY}: the user-data rendered by
 *       {@link CloudInitUserData}, the same renderer as for local VMs (user, keys, host key and
 *       certificate, packages, runcmd, the template's and the workspace's own parts);
 *   <li>the ClusterIP Service, port 22 to the VM's port 22, selecting the virt-launcher pod by the
 *       VMI template's labels ({@link #selectorOf}), so the VM is {@code
 *       <base>.<namespace>.svc.cluster.local} inside the cluster (seed 004).
 * </ul>
 *
 * <p>Pure: no cluster access, same input gives equal output, thread-safe.
 */
public final class KubevirtManifests {
    /** The Secret key KubeVirt reads the NoCloud user-data from. */
    public static final String USER_DATA_KEY = "userdata";
    /** The SSH port of the Service and of the guest. */
    public static final int SSH_PORT = 22;
    /** {@code spec.runStrategy} of a running workspace. */
    public static final String RUN_ALWAYS = "Always";
    /** {@code spec.runStrategy} of a stopped workspace. */
    public static final String RUN_HALTED = "Halted";

    private static final Pattern POSIX_USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

    private final KubevirtSettings settings;
    private final ImageCatalog catalog;

    /**
     * @param settings the provider settings (namespace, storage class)
     * @param catalog the OS image catalog {@code spec.image()} names an entry of
     */
    public KubevirtManifests(KubevirtSettings settings, ImageCatalog catalog) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
    }

    /**
     * Builds the workspace's objects, with the spec's own device requests ({@link WorkspaceSpec#devices()}).
     *
     * @param desired {@link PowerState#RUNNING} for {@code runStrategy: Always}, {@link
     *     PowerState#STOPPED} for {@code Halted}
     * @throws ProviderException (permanent) for invalid template settings, an ssh user that is not a
     *     POSIX user name, an image the catalog does not have (when the disk is imported from it), or
     *     user-data that does not render
     */
    public KubevirtObjects build(WorkspaceSpec spec, PowerState desired) {
        return build(spec, spec.devices(), desired);
    }

    /**
     * Builds the workspace's objects with the devices it asks for (issue #19) as the VM's {@code
     * gpus}/{@code hostDevices} ({@link VmDevices}; the template's {@code device-kind.<name>} setting
     * picks the list, default {@code gpus}).
     *
     * @param devices the workspace's device requests (the spec's devices); empty for none
     * @param desired {@link PowerState#RUNNING} for {@code runStrategy: Always}, {@link
     *     PowerState#STOPPED} for {@code Halted}
     * @throws ProviderException (permanent) as {@link #build(WorkspaceSpec, PowerState)}
     */
    public KubevirtObjects build(WorkspaceSpec spec, List<DeviceRequest> devices, PowerState desired) {
        Objects.requireNonNull(devices, "devices");
        String ns = settings.namespace();
        VmTemplateSettings template = VmTemplateSettings.parse(spec.settings(), ns);
        if (!POSIX_USER.matcher(spec.sshUser()).matches()) {
            throw new ProviderException(
                    "ssh user '" + spec.sshUser() + "' is not a POSIX user name ([a-z_][a-z0-9_-]*, at most 32)", true);
        }
        if (!LABEL_VALUE.matcher(spec.id()).matches()) {
            throw new ProviderException("workspace id '" + spec.id() + "' cannot be a label value", true);
        }
        Optional<CatalogImage> image = Optional.empty();
        if (template.source() instanceof VmTemplateSettings.RootDiskSource.Catalog) {
            image = Optional.of(catalog.find(spec.image())
                    .orElseThrow(() -> new ProviderException(
                            "image '" + spec.image() + "' of template '" + spec.template()
                                    + "' is not in the image catalog; known images: "
                                    + String.join(
                                            ", ",
                                            catalog.images().stream()
                                                    .map(CatalogImage::name)
                                                    .toList()),
                            true)));
        }
        KubevirtNames names = KubevirtNames.of(spec.owner(), spec.name());
        Map<String, String> labels = WorkspaceManifests.labels(spec, WorkspaceNames.of(spec.owner(), spec.name()));
        String runStrategy = desired == PowerState.RUNNING ? RUN_ALWAYS : RUN_HALTED;
        return new KubevirtObjects(
                VirtualMachineManifests.build(ns, spec, template, names, labels, runStrategy, devices),
                DataVolumeManifests.build(
                        ns, settings.cluster().storageClassName(), spec, template.source(), image, names, labels),
                cloudInitSecret(spec, names, labels),
                service(names, labels));
    }

    private Secret cloudInitSecret(WorkspaceSpec spec, KubevirtNames names, Map<String, String> labels) {
        String userData = CloudInitUserData.render(spec);
        return new SecretBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(names.cloudInitSecret())
                        .withNamespace(settings.namespace())
                        .withLabels(labels)
                        .build())
                .withType("Opaque")
                .withData(Map.of(
                        USER_DATA_KEY, Base64.getEncoder().encodeToString(userData.getBytes(StandardCharsets.UTF_8))))
                .build();
    }

    private Service service(KubevirtNames names, Map<String, String> labels) {
        return new ServiceBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(names.service())
                        .withNamespace(settings.namespace())
                        .withLabels(labels)
                        .build())
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(selectorOf(labels))
                .addNewPort()
                .withName("ssh")
                .withProtocol("TCP")
                .withPort(SSH_PORT)
                .withTargetPort(new IntOrString(SSH_PORT))
                .endPort()
                .endSpec()
                .build();
    }

    /**
     * @param labels the workspace labels
     * @return the labels of the VMI template and the Service's selector: {@code app.kubernetes.io/name}
     *     and {@code hangar.dev/workspace-id}
     */
    static Map<String, String> selectorOf(Map<String, String> labels) {
        Map<String, String> selector = new TreeMap<>();
        selector.put(WorkspaceManifests.LABEL_NAME, labels.get(WorkspaceManifests.LABEL_NAME));
        selector.put(WorkspaceManifests.LABEL_WORKSPACE_ID, labels.get(WorkspaceManifests.LABEL_WORKSPACE_ID));
        return selector;
    }
}
