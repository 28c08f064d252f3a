package dev.hangar.provider.kubevirt;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The desired objects of one KubeVirt workspace. A value: the {@code with*} methods and {@link
 * #ownedBy} return copies ({@link #ownedBy} gives the copies new metadata and shares the specs, which
 * nothing here changes after {@link KubevirtManifests} built them).
 *
 * @param virtualMachine the {@code kubevirt.io/v1} VirtualMachine
 * @param rootDisk the {@code cdi.kubevirt.io/v1beta1} DataVolume of the root disk
 * @param cloudInit the Secret holding the user-data
 * @param service the ClusterIP Service for sshd
 */
public record KubevirtObjects(
        GenericKubernetesResource virtualMachine,
        GenericKubernetesResource rootDisk,
        Secret cloudInit,
        Service service) {

    private static final KubernetesSerialization COPIER = new KubernetesSerialization();

    public KubevirtObjects {
        Objects.requireNonNull(virtualMachine, "virtualMachine");
        Objects.requireNonNull(rootDisk, "rootDisk");
        Objects.requireNonNull(cloudInit, "cloudInit");
        Objects.requireNonNull(service, "service");
    }

    /** @return the objects owned by the VirtualMachine, in the order they are written */
    public List<HasMetadata> dependents() {
        return List.of(cloudInit, service, rootDisk);
    }

    /** @return every object, VirtualMachine first */
    public List<HasMetadata> all() {
        return List.of(virtualMachine, cloudInit, service, rootDisk);
    }

    /** @return these objects with the VirtualMachine's {@code spec.runStrategy} set to {@code strategy} */
    public KubevirtObjects withRunStrategy(String strategy) {
        GenericKubernetesResource vm = COPIER.clone(virtualMachine);
        @SuppressWarnings("unchecked")
        Map<String, Object> spec =
                (Map<String, Object>) vm.getAdditionalProperties().get("spec");
        spec.put("runStrategy", strategy);
        return new KubevirtObjects(vm, rootDisk, cloudInit, service);
    }

    /**
     * @param live the VirtualMachine as the API server returned it (with its uid)
     * @return these objects with an owner reference to {@code live} on each dependent, so that the
     *     garbage collector removes them with it
     */
    public KubevirtObjects ownedBy(HasMetadata live) {
        OwnerReference owner = new OwnerReferenceBuilder()
                .withApiVersion(KubevirtApi.KUBEVIRT_V1)
                .withKind("VirtualMachine")
                .withName(live.getMetadata().getName())
                .withUid(live.getMetadata().getUid())
                .withBlockOwnerDeletion(false)
                .withController(false)
                .build();
        // A new metadata with the owner reference, the rest shared: the DataVolume's spec is not changed
        // here, and a JSON round trip of the whole object (a deep copy) was most of this method's cost.
        GenericKubernetesResource disk = new GenericKubernetesResource();
        disk.setApiVersion(rootDisk.getApiVersion());
        disk.setKind(rootDisk.getKind());
        disk.setMetadata(new ObjectMetaBuilder(rootDisk.getMetadata())
                .withOwnerReferences(owner)
                .build());
        disk.setAdditionalProperties(new LinkedHashMap<>(rootDisk.getAdditionalProperties()));
        Secret secret = new SecretBuilder(cloudInit)
                .editMetadata()
                .withOwnerReferences(owner)
                .endMetadata()
                .build();
        Service svc = new ServiceBuilder(service)
                .editMetadata()
                .withOwnerReferences(owner)
                .endMetadata()
                .build();
        return new KubevirtObjects(virtualMachine, disk, secret, svc);
    }
}
